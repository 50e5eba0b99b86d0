// Security: no secret of the cluster leaves the nodes through keyturn's output or files, hostile names and
// addresses run nothing, files keyturn writes are private, and host-key checking is never turned off.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireLocalLock, openFileJournal, runsDir } from '../../src/journal/index.js';
import type { StatusReport } from '../../src/model/status.js';
import { haveBinaries } from '../support/binaries.js';
import { startLab, type LabHandle } from '../support/lab.js';
import { repoRoot } from '../support/paths.js';
import { collectSecrets, filesUnder, leakFinder, pemBody, WINDOW, type Secret } from '../support/secrets.js';
import { startSshd, type TestSshd } from '../support/sshd.js';
import { makeSandbox, type CliResult, type Sandbox } from './support.js';

describe('no secret leaves the nodes', () => {
  let box: Sandbox;
  let lab: LabHandle;
  let secrets: Secret[];
  let findLeak: (haystack: string) => string | null;
  const outputs: { name: string; result: CliResult }[] = [];

  beforeAll(async () => {
    box = makeSandbox('kt-secrets-');
    lab = await startLab({ topology: 'split' });
    secrets = collectSecrets(lab);
    findLeak = leakFinder(secrets);
    const cluster = ['--kubeconfig', lab.kubeconfig, '--inventory', lab.inventory];
    for (const [name, args] of [
      ['status --json', ['status', '--json', ...cluster]],
      ['status', ['status', ...cluster]],
      ['status --json (inventory only)', ['status', '--json', '--inventory', lab.inventory]],
      ['plan rotate-certs', ['plan', 'rotate-certs', ...cluster]],
      ['plan rotate-encryption-keys', ['plan', 'rotate-encryption-keys', ...cluster]],
      ['plan rotate-ca', ['plan', 'rotate-ca', ...cluster]],
    ] as const) {
      outputs.push({ name, result: await box.cli([...args]) });
    }
  }, 240_000);
  afterAll(async () => {
    await lab?.stop();
    if (box) rmSync(box.dir, { recursive: true, force: true });
  });

  it('found the secrets to look for (keys on every node, encryption keys, tokens, the client key)', () => {
    const whats = secrets.map((s) => s.what);
    for (const node of lab.nodes)
      expect(whats.filter((w) => w.startsWith(`${node.name} `) && w.endsWith('.key')).length).toBeGreaterThan(3);
    expect(whats.filter((w) => w.endsWith('encryption key')).length).toBeGreaterThan(0);
    expect(whats.filter((w) => w.includes('token')).length).toBeGreaterThan(0);
    expect(whats).toContain('kubeconfig client-key-data');
  });

  it('the leak finder does find a key, its base64 and a 40-char piece of it (so "none" below means something)', () => {
    const key = readFileSync(filesUnder(lab.nodes[0].dataDir, (n) => n.endsWith('.key'))[0], 'utf8');
    expect(findLeak(`x ${key} y`)).not.toBeNull();
    expect(findLeak(JSON.stringify({ evidence: key }))).not.toBeNull();
    expect(findLeak(`...${pemBody(key).slice(13, 13 + WINDOW)}...`)).not.toBeNull();
    expect(findLeak(Buffer.from(key).toString('base64'))).not.toBeNull();
    const encryption = secrets.find((s) => s.what.endsWith('encryption key'))!;
    expect(findLeak(`secret=${encryption.forms[0]}`)).not.toBeNull();
  });

  it('status (json and text) and plan print no secret, on stdout or stderr', () => {
    expect(outputs.find((o) => o.name === 'status --json')!.result.code).toBe(0);
    expect(outputs.find((o) => o.name === 'plan rotate-certs')!.result.code).toBe(0);
    for (const { name, result } of outputs) {
      expect(result.stdout.length, `${name} printed something`).toBeGreaterThan(0);
      expect(findLeak(result.stdout), `${name} stdout`).toBeNull();
      expect(findLeak(result.stderr), `${name} stderr`).toBeNull();
    }
  });

  it('the remembered settings and everything in the state dir hold no secret', () => {
    const files = [...filesUnder(box.configDir, () => true), ...filesUnder(box.stateDir, () => true)];
    expect(files.some((f) => f.startsWith(box.configDir))).toBe(true);
    // A real run's journal, report and screens are searched by test/e2e/run-ssh.test.ts.
    for (const file of files) expect(findLeak(readFileSync(file, 'utf8')), file).toBeNull();
  });

  it('files keyturn writes are 0600 in 0700 directories: settings, journals, lock files', async () => {
    const settings = filesUnder(box.configDir, () => true);
    expect(settings.length).toBeGreaterThan(0);
    expect(statSync(box.configDir).mode & 0o777).toBe(0o700);
    for (const file of settings) expect(statSync(file).mode & 0o777, file).toBe(0o600);

    const stateDir = path.join(box.dir, 'fresh-state');
    const journal = await openFileJournal(stateDir, 'r-20260101-mode');
    await journal.close();
    const lock = await acquireLocalLock(stateDir, {
      runId: 'r-20260101-mode',
      holder: 'test',
      since: new Date().toISOString(),
    });
    expect(lock.ok).toBe(true);
    expect(statSync(runsDir(stateDir)).mode & 0o777).toBe(0o700);
    expect(statSync(stateDir).mode & 0o777).toBe(0o700);
    expect(statSync(journal.path).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(stateDir, 'keyturn.lock')).mode & 0o777).toBe(0o600);
    if (lock.ok) await lock.release();
  });
});

describe('hostile names, addresses and values run nothing', () => {
  const haveSsh = haveBinaries('ssh', 'sshd');
  let box: Sandbox;
  const tag = randomBytes(6).toString('hex');
  const pwned = (n: number) => path.join(box.dir, `pwned${n}-${tag}`);
  let sshd: TestSshd | undefined;

  beforeAll(async () => {
    box = makeSandbox('kt-hostile-');
    if (haveSsh) sshd = await startSshd();
  });
  afterAll(async () => {
    await sshd?.stop();
    if (box) rmSync(box.dir, { recursive: true, force: true });
  });

  it.skipIf(!haveSsh)(
    'a node named `a;touch ...`, an address `$(touch ...)`, hostile env and dataDir, local and ssh',
    async () => {
      const s = sshd!;
      const ssh = { port: s.port, user: s.user, identityFile: s.identityFile, options: s.sshOptions };
      const nodes = [
        // local: reachable, so the scan script really runs with these values in it
        { name: `a;touch ${pwned(1)}`, address: '127.0.0.1', roles: ['etcd'], distro: 'rke2', transport: 'local' },
        {
          name: 'b',
          address: `$(touch ${pwned(2)})`,
          roles: ['etcd'],
          distro: 'rke2',
          transport: 'local',
          env: { KT_X: `$(touch ${pwned(3)})\`touch ${pwned(3)}\`` },
        },
        {
          name: 'c',
          address: `127.0.0.2;touch ${pwned(4)}`,
          roles: ['control-plane'],
          distro: 'k3s',
          transport: 'local',
          dataDir: `/nonexistent/$(touch ${pwned(5)})`,
        },
        // ssh: one whose address is a command substitution (unreachable), one that reaches the real sshd
        {
          name: `d|touch ${pwned(6)}`,
          address: `$(touch ${pwned(7)})`,
          roles: ['worker'],
          distro: 'rke2',
          transport: 'ssh',
          ssh: { ...ssh, port: 1 },
        },
        {
          name: `e&&touch ${pwned(8)}`,
          // ssh itself refuses hostnames with shell characters (node d); this one is an alias ssh maps to the sshd
          address: 'node-e.invalid',
          roles: ['worker'],
          distro: 'rke2',
          transport: 'ssh',
          ssh: { ...ssh, options: [...s.sshOptions, 'HostName=127.0.0.1'] },
          env: { KT_Y: `'; touch ${pwned(10)}; '`, KT_Z: `$(touch ${pwned(9)})` },
          dataDir: `/nonexistent/'$(touch ${pwned(11)})'`,
        },
      ];
      const inventory = box.write('inventory.yaml', `nodes: ${JSON.stringify(nodes)}\n`);
      const result = await box.cli(['status', '--json', '--inventory', inventory]);
      const files = readdirSync(box.dir).filter((f) => f.startsWith('pwned'));
      expect(files, result.stderr).toEqual([]);
      expect(result.stderr).toBe('');
      expect([1, 2]).toContain(result.code);
      const report = JSON.parse(result.stdout) as StatusReport;
      expect(report.nodes.map((n) => n.name).sort()).toEqual(nodes.map((n) => n.name).sort());
      const byName = Object.fromEntries(report.nodes.map((n) => [n.name, n]));
      expect(byName[nodes[0].name].reachable).toBe(true);
      expect(byName[nodes[4].name].reachable, JSON.stringify(report.checks)).toBe(true); // over ssh, with the hostile env and dataDir quoted
      expect(byName[nodes[3].name].reachable).toBe(false);
      expect(report.checks.find((c) => c.id === 'nodes')!.detail).toContain(
        'unreachable over SSH: hostname contains invalid characters',
      );
      // The text form says the same without crashing.
      const text = await box.cli(['status', '--inventory', inventory]);
      expect([1, 2]).toContain(text.code);
      expect(text.stdout).toContain(`a;touch ${pwned(1)}`);
      expect(readdirSync(box.dir).filter((f) => f.startsWith('pwned'))).toEqual([]);
    },
  );
});

describe('host keys are always checked', () => {
  const haveSsh = haveBinaries('ssh', 'sshd');
  let box: Sandbox;
  let sshd: TestSshd | undefined;
  beforeAll(async () => {
    box = makeSandbox('kt-hostkey-');
    if (haveSsh) sshd = await startSshd();
  });
  afterAll(async () => {
    await sshd?.stop();
    if (box) rmSync(box.dir, { recursive: true, force: true });
  });

  it('no source or build file turns host-key checking off', () => {
    const off = [
      /StrictHostKeyChecking\s*[= ]\s*["']?(no|off|accept-new)\b/i,
      /(User|Global)KnownHostsFile\s*[= ]\s*["']?\/dev\/null/i,
    ];
    const roots = ['src', 'dist', 'bin', 'recipes', 'components'].map((d) => path.join(repoRoot, d));
    const files = roots.flatMap((r) =>
      filesUnder(r, (n) => /\.(ts|tsx|js|mjs|cjs|json|sh)$/.test(n) || !n.includes('.')),
    );
    expect(files.length).toBeGreaterThan(50);
    const hits = files.flatMap((f) => {
      const text = readFileSync(f, 'utf8');
      return off.filter((re) => re.test(text)).map((re) => `${path.relative(repoRoot, f)}: ${re}`);
    });
    expect(hits).toEqual([]);
    // The patterns do catch what they are meant to.
    expect(off[0].test("'-o', 'StrictHostKeyChecking=no'")).toBe(true);
    expect(off[1].test('UserKnownHostsFile=/dev/null')).toBe(true);
  });

  it.skipIf(!haveSsh)(
    'an ssh node whose host key is unknown is unreachable with a host-key message, and not learnt',
    async () => {
      const s = sshd!;
      const emptyKnownHosts = box.write('known_hosts_empty', '');
      const node = (name: string, knownHosts: string) => ({
        name,
        address: '127.0.0.1',
        roles: ['worker'],
        distro: 'rke2',
        transport: 'ssh',
        ssh: {
          port: s.port,
          user: s.user,
          identityFile: s.identityFile,
          options: [`UserKnownHostsFile=${knownHosts}`],
        },
      });
      const unknown = box.write('inv-unknown.yaml', `nodes: ${JSON.stringify([node('stranger', emptyKnownHosts)])}\n`);
      const result = await box.cli(['status', '--json', '--inventory', unknown], {
        TMPDIR: box.dir,
        XDG_RUNTIME_DIR: undefined,
      });
      expect(result.code).toBe(2);
      const report = JSON.parse(result.stdout) as StatusReport;
      expect(report.nodes[0]).toMatchObject({ name: 'stranger', reachable: false });
      const nodesCheck = report.checks.find((c) => c.id === 'nodes')!;
      expect(nodesCheck.status).toBe('fail');
      expect(nodesCheck.detail).toMatch(
        /stranger \(127\.0\.0\.1\) unreachable over SSH: .*Host key verification failed/,
      );
      expect(readFileSync(emptyKnownHosts, 'utf8')).toBe(''); // not silently added
      expect(s.log()).not.toMatch(/Accepted publickey/);

      // Control: the same node with its host key known is reached (so the failure above was the host key).
      const known = box.write('inv-known.yaml', `nodes: ${JSON.stringify([node('friend', s.knownHostsFile)])}\n`);
      const ok = await box.cli(['status', '--json', '--inventory', known], {
        TMPDIR: box.dir,
        XDG_RUNTIME_DIR: undefined,
      });
      expect((JSON.parse(ok.stdout) as StatusReport).nodes[0]).toMatchObject({ name: 'friend', reachable: true });
      // keyturn's ssh control directory (in the state dir without XDG_RUNTIME_DIR, never in TMPDIR) is private too.
      expect(readdirSync(box.dir).filter((f) => f.startsWith('keyturn-ssh-'))).toEqual([]);
      expect(statSync(path.join(box.stateDir, 'ssh')).mode & 0o777).toBe(0o700);
    },
  );
});

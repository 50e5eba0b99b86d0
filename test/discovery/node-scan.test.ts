import { mkdtemp, readFile, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { certFilesFor } from '../../src/model/cert-files.js';
import { createNodeShell } from '../../src/transports/node-shell.js';
import { scanNode } from '../../src/discovery/node-scan.js';
import { buildScanScript, JOURNAL_LINE_BYTES } from '../../src/discovery/scan-script.js';
import { splitSections } from '../../src/util/sections.js';
import { buildFakeNode, etcdAnswers, makeCaSet, type CaSet } from './support/fake-node.js';

const now = new Date('2025-06-01T00:00:00Z');
let root: string;
let cas: CaSet;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), "keyturn scan 'quoted' "));
  cas = await makeCaSet(now);
});

const shellOf = (node: Parameters<typeof createNodeShell>[0]) => createNodeShell(node, { controlDir: root });

describe('node scan (one round trip through the real local shell)', () => {
  it('reads certificates, encryption, the unit, the journal and etcd from an etcd+control-plane server', async () => {
    const members = [
      { id: '10276657743932975437', name: 'srv-1-aaaa', address: '127.0.0.1' },
      { id: '18249187646912138824', name: 'srv-2-bbbb', address: '127.0.0.2' },
    ];
    const node = await buildFakeNode(root, {
      name: 'srv 1',
      address: '127.0.0.1',
      distro: 'rke2',
      roles: ['etcd', 'control-plane'],
      now,
      cas,
      missing: ['server/tls/client-supervisor.crt'],
      encryption: { stage: 'start' },
      curl: etcdAnswers(members[0], members, members[0].id),
    });
    const scan = await scanNode(
      shellOf(node),
      {
        distro: 'rke2',
        roles: ['etcd', 'control-plane'],
        address: node.address,
        dataDir: node.dataDir,
        etcdPeers: ['127.0.0.2', '127.0.0.3'],
        journalLines: 40,
      },
      { now, renewWindowDays: 120 },
    );
    expect(scan.reached).toBe(true);
    if (!scan.reached) return;
    const expected = certFilesFor('rke2', ['etcd', 'control-plane']).length - 1;
    expect(scan.certificates).toHaveLength(expected);
    expect(scan.certProblems).toEqual([
      { path: 'server/tls/client-supervisor.crt', detail: 'server/tls/client-supervisor.crt: missing' },
    ]);
    expect(scan.certificates.find((c) => c.path === 'server/tls/server-ca.crt')?.isCA).toBe(true);
    expect(scan.certificates.find((c) => c.path === 'server/tls/client-admin.crt')).toMatchObject({
      status: 'ok',
      daysLeft: 300,
      subject: 'CN=srv 1-client-admin, O=system:masters',
    });
    expect(scan.encryption).toMatchObject({ stage: 'start', hashMatchesConfig: true });
    expect(scan.encryption?.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(scan.unit).toMatchObject({ activeState: 'active', restarts: 0 });
    expect(scan.journal[0].level).toBe('info');
    expect(scan.etcd?.health).toEqual({ ok: true, value: { healthy: true, reason: '' } });
    expect(scan.etcd?.members.ok && scan.etcd.members.value.members.map((m) => m.name)).toEqual([
      'srv-1-aaaa',
      'srv-2-bbbb',
    ]);
    expect(scan.etcd?.status.ok && scan.etcd.status.value.leader).toBe(members[0].id);
    expect(scan.etcd?.listening).toBe(true);

    const calls = await readFile(path.join(node.dir, 'calls.log'), 'utf8');
    // curl got the server's own etcd client certs (the key by path only), and systemd the right unit. Every etcd
    // URL is on the node's own loopback (k3s#8402: HTTP is on 127.0.0.1:2382, plain health on 127.0.0.1:2381);
    // no peer is asked over the network.
    expect(calls).toContain(`[--key] [${node.dataDir}/server/tls/etcd/client.key]`);
    expect(calls).toContain(`[--cacert] [${node.dataDir}/server/tls/etcd/server-ca.crt]`);
    const urls = [...calls.matchAll(/\[(https?:\/\/[^\]]+)\]/g)].map((m) => m[1]).sort();
    expect(urls).toEqual([
      'http://127.0.0.1:2381/health',
      'https://127.0.0.1:2382/v3/cluster/member/list',
      'https://127.0.0.1:2382/v3/maintenance/status',
    ]);
    expect(calls).toContain(
      'show -p ActiveState,SubState,NRestarts,ActiveEnterTimestamp,LoadState,ExecStart rke2-server',
    );
    // Only lines since the unit's current start (ActiveEnterTimestamp Mon 2025-06-02 10:00:00 UTC) make diagnoses.
    expect(calls).toContain(
      `journalctl -u rke2-server -n 2000 --since @${Date.parse('2025-06-02T10:00:00Z') / 1000} --no-pager`,
    );
  });

  it('falls back to 127.0.0.1:2379 for the member list when 2382 refuses (releases before k3s#8402), in the same script', async () => {
    const member = { id: '11', name: 'old-1-aaaa', address: '127.0.0.21' };
    const node = await buildFakeNode(root, {
      name: 'old',
      address: member.address,
      distro: 'k3s',
      roles: ['etcd'],
      now,
      cas,
      curl: etcdAnswers(member, [member], '11', { layout: 'http-on-client-port' }),
    });
    const scan = await scanNode(
      shellOf(node),
      { distro: 'k3s', roles: ['etcd'], address: node.address, dataDir: node.dataDir, etcdPeers: [], journalLines: 5 },
      { now, renewWindowDays: 120 },
    );
    expect(scan.reached && scan.etcd?.members.ok && scan.etcd.members.value.members.map((m) => m.name)).toEqual([
      'old-1-aaaa',
    ]);
    expect(scan.reached && scan.etcd?.status.ok && scan.etcd.status.value.leader).toBe('11');
    const calls = await readFile(path.join(node.dir, 'calls.log'), 'utf8');
    expect(calls).toContain('[https://127.0.0.1:2382/v3/cluster/member/list]');
    expect(calls).toContain('[https://127.0.0.1:2379/v3/cluster/member/list]');
  });

  it('a member with nothing listening on its loopback 2381 is not running, whatever its unit says', async () => {
    const node = await buildFakeNode(root, {
      name: 'down',
      address: '127.0.0.22',
      distro: 'rke2',
      roles: ['etcd'],
      now,
      cas,
      curl: {},
    });
    const scan = await scanNode(
      shellOf(node),
      { distro: 'rke2', roles: ['etcd'], address: node.address, dataDir: node.dataDir, etcdPeers: [], journalLines: 5 },
      { now, renewWindowDays: 120 },
    );
    expect(scan.reached && scan.etcd).toMatchObject({
      listening: false,
      health: { ok: false, error: expect.stringContaining('(7)') },
    });
    expect(scan.reached && scan.unit?.activeState).toBe('active');
  });

  it('prints the last journal lines and the newest 10 error-ID lines of 2000, each cut to JOURNAL_LINE_BYTES bytes', async () => {
    const lines: string[] = [];
    for (let i = 1; i <= 2000; i++) {
      if (i % 100 === 0) lines.push(`Jun 01 10:00:00 w rke2[1]: level=fatal msg="cli: error ID ${i}: failed"`);
      else
        lines.push(`Jun 01 10:00:00 w rke2[1]: level=info msg="line ${i}"${i === 1999 ? ` ${'é'.repeat(3000)}` : ''}`);
    }
    const node = await buildFakeNode(root, {
      name: 'journal',
      address: '127.0.0.8',
      distro: 'rke2',
      roles: ['worker'],
      now,
      cas,
      journal: `${lines.join('\n')}\n`,
    });
    const script = buildScanScript({
      distro: 'rke2',
      roles: ['worker'],
      address: node.address,
      dataDir: node.dataDir,
      etcdPeers: [],
      journalLines: 5,
      marker: '@@m',
    });
    const result = await shellOf(node).run(script);
    const section = (kind: string) =>
      splitSections(result.stdout, '@@m')
        .find((s) => s.kind === kind)
        ?.body.split('\n')
        .filter(Boolean);
    const journal = section('journal')!;
    expect(journal).toHaveLength(5);
    expect(journal[0]).toContain('msg="line 1996"');
    expect(journal.at(-1)).toContain('error ID 2000');
    // Cut at 4096 bytes: 'é' is 2 bytes, so the long line keeps its head and loses the tail of its 6000 bytes.
    expect(Buffer.byteLength(journal[3])).toBeLessThanOrEqual(JOURNAL_LINE_BYTES);
    expect(journal[3]).toMatch(/^Jun 01 10:00:00 w rke2\[1\]: level=info msg="line 1999" é+/);
    const ids = section('error-ids')!;
    expect(ids.map((l) => /error ID (\d+)/.exec(l)?.[1])).toEqual([
      '1100',
      '1200',
      '1300',
      '1400',
      '1500',
      '1600',
      '1700',
      '1800',
      '1900',
      '2000',
    ]);
  });

  it('never puts key material or the encryption config in its output', async () => {
    const node = await buildFakeNode(root, {
      name: 'srv-keys',
      address: '127.0.0.9',
      distro: 'k3s',
      roles: ['control-plane'],
      now,
      cas,
      encryption: { stage: 'start' },
    });
    const shell = shellOf(node);
    const script = buildScanScript({
      distro: 'k3s',
      roles: ['control-plane'],
      address: node.address,
      dataDir: node.dataDir,
      etcdPeers: [],
      journalLines: 40,
      marker: '@@m',
    });
    const result = await shell.run(script);
    expect(result.stdout).not.toContain('KEY MATERIAL');
    expect(result.stdout).not.toContain('SECRETKEY');
    expect(splitSections(result.stdout, '@@m').map((s) => s.kind)).toContain('enc-config-sha256');
  });

  it('flags a state hash that is not sha256 of the config, and reads a worker without server parts', async () => {
    const srv = await buildFakeNode(root, {
      name: 'srv-tamper',
      address: '127.0.0.8',
      distro: 'k3s',
      roles: ['control-plane'],
      now,
      cas,
      encryption: { stage: 'prepare', tamperState: true },
    });
    const s = await scanNode(
      shellOf(srv),
      {
        distro: 'k3s',
        roles: ['control-plane'],
        address: srv.address,
        dataDir: srv.dataDir,
        etcdPeers: [],
        journalLines: 40,
      },
      { now, renewWindowDays: 120 },
    );
    expect(s.reached && s.encryption).toMatchObject({ stage: 'prepare', hashMatchesConfig: false });
    expect(s.reached && s.etcd).toBeNull();

    const w = await buildFakeNode(root, {
      name: 'w-1',
      address: '127.0.0.7',
      distro: 'k3s',
      roles: ['worker'],
      now,
      cas,
      leafDays: -3,
      unit: { ActiveState: 'activating', SubState: 'auto-restart', NRestarts: 9 },
      journal:
        'Jun 01 10:00:00 w-1 k3s[1]: time="x" level=fatal msg="x509: certificate has expired or is not yet valid: current time 2025-06-01T00:00:00Z is after 2025-05-29T00:00:00Z"\n',
    });
    const ws = await scanNode(
      shellOf(w),
      { distro: 'k3s', roles: ['worker'], address: w.address, dataDir: w.dataDir, etcdPeers: [], journalLines: 40 },
      { now, renewWindowDays: 90 },
    );
    expect(ws.reached).toBe(true);
    if (!ws.reached) return;
    expect(ws.certificates.map((c) => c.path).every((p) => p.startsWith('agent/'))).toBe(true);
    expect(ws.certificates.filter((c) => !c.isCA).every((c) => c.status === 'expired')).toBe(true);
    expect(ws.encryption).toBeNull();
    expect(ws.diagnoses.map((d) => d.code).sort()).toEqual(['cert-expired', 'restart-loop']);
    expect(ws.diagnoses.find((d) => d.code === 'restart-loop')?.evidence).toContain('level=fatal');
    const calls = await readFile(path.join(w.dir, 'calls.log'), 'utf8');
    expect(calls).toContain('k3s-agent');
    expect(calls).not.toContain('curl');
  });

  it('reads data-dir from config.yaml when the inventory gives none', async () => {
    const node = await buildFakeNode(root, {
      name: 'cfg',
      address: '127.0.0.6',
      distro: 'rke2',
      roles: ['worker'],
      now,
      cas,
    });
    const etc = path.join(node.dir, 'etc');
    await mkdir(`${etc}/config.yaml.d`, { recursive: true });
    await writeFile(`${etc}/config.yaml`, `token: abc\ndata-dir: "/nowhere" # old\n`);
    await writeFile(`${etc}/config.yaml.d/50-dd.yaml`, `data-dir: ${node.dataDir}\n`);
    const scan = await scanNode(
      shellOf(node),
      {
        distro: 'rke2',
        roles: ['worker'],
        address: node.address,
        dataDir: null,
        etcdPeers: [],
        journalLines: 40,
        configFile: `${etc}/config.yaml`,
      },
      { now, renewWindowDays: 120 },
    );
    expect(scan.reached && scan.dataDir).toBe(node.dataDir);
    expect(scan.reached && scan.certificates).toHaveLength(6);
    await writeFile(`${etc}/config.yaml.d/50-dd.yaml`, 'token: x\n');
    const first = await scanNode(
      shellOf(node),
      {
        distro: 'rke2',
        roles: ['worker'],
        address: node.address,
        dataDir: null,
        etcdPeers: [],
        journalLines: 40,
        configFile: `${etc}/config.yaml`,
      },
      { now, renewWindowDays: 120 },
    );
    expect(first.reached && first.dataDir).toBe('/nowhere');
  });

  it('reads a scan again when its output was cut before the end section', async () => {
    const node = await buildFakeNode(root, {
      name: 'cut',
      address: '127.0.0.5',
      distro: 'rke2',
      roles: ['worker'],
      now,
      cas,
    });
    const real = shellOf(node);
    let runs = 0;
    const cutting = {
      ...real,
      node: real.node,
      run: async (script: string, o?: Parameters<typeof real.run>[1]) => {
        const r = await real.run(script, o);
        runs += 1;
        return runs === 1 ? { ...r, stdout: r.stdout.slice(0, r.stdout.indexOf('agent/client-kubelet.crt')) } : r;
      },
    };
    const scan = await scanNode(
      cutting,
      {
        distro: 'rke2',
        roles: ['worker'],
        address: node.address,
        dataDir: node.dataDir,
        etcdPeers: [],
        journalLines: 40,
      },
      { now, renewWindowDays: 120 },
    );
    expect(runs).toBe(2);
    expect(scan.reached && scan.unit?.activeState).toBe('active');
    expect(scan.reached && scan.certificates).toHaveLength(6);
  });

  it('reports a node it cannot run commands on as unreached, with the reason', async () => {
    const scan = await scanNode(
      {
        node: 'gone',
        run: async (script) => ({
          node: 'gone',
          script,
          outcome: 'connection',
          code: 255,
          stdout: '',
          stderr: 'ssh: connect to host 10.9.9.9 port 22: Connection refused\n',
          durationMs: 3,
        }),
        follow: async () => {
          throw new Error('unused');
        },
        dispose: async () => undefined,
      },
      { distro: 'rke2', roles: ['worker'], address: '10.9.9.9', dataDir: null, etcdPeers: [], journalLines: 40 },
      { now, renewWindowDays: 120 },
    );
    expect(scan).toEqual({
      reached: false,
      failure: 'connection (exit 255): ssh: connect to host 10.9.9.9 port 22: Connection refused',
    });
  });
});

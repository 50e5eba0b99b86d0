// `keyturn run rotate-ca` in tmux, answered like a person. rke2 ha: the new CA set is generated on a server,
// uploaded, servers then agents restarted; the new join-token CA hash is on screen and equals upstream's hashCA
// (openssl: sha256 of the DER of the bundle's new root), every joining node's config.yaml token was moved to it
// before its restart and every node came back with it, `keyturn status --json` shows every node holding the same
// new CAs, every leaf verifies against them, and the token's secret is in no journal, report or screen.
// k3s v1.31.6 with every server joined to a peer (k3s#11233): the run stops naming the node that kept the old CA.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StatusReport } from '../../src/model/status.js';
import { haveBinaries } from '../support/binaries.js';
import { auditRecord, labPerTest, runState, runWatched, statusOf } from './run-tmux.js';
import { journalPath } from '../../src/journal/index.js';
import { sha } from './support-encryption.js';

const ok = haveBinaries('tmux', 'openssl');

const TOKEN_HASH = /new join-token CA hash (K10[0-9a-f]{64})/;
/** The first question shows the whole generated openssl script: a tall terminal keeps its node line on screen. */
const ROWS = 120;

/** CA name → the fingerprints the nodes holding it report. */
function fingerprintsByCa(doc: StatusReport): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const n of doc.nodes)
    for (const [ca, fp] of Object.entries(n.caFingerprints)) out.set(ca, [...(out.get(ca) ?? []), fp]);
  return out;
}

describe.skipIf(!ok)('keyturn run rotate-ca in tmux', () => {
  const { t, start } = labPerTest();

  it('rke2 ha: every node holds the new CAs, every leaf verifies, the new token CA hash is on screen', async () => {
    const lab = await start({ topology: 'ha', distro: 'rke2', etcd: 'emulated', speed: 200 });
    const before = fingerprintsByCa(await statusOf(t, lab));
    const oldServerCa = before.get('server-ca')!;
    expect(new Set(oldServerCa).size).toBe(1);
    expect(oldServerCa).toHaveLength(lab.nodes.length);

    // Joining nodes (agents, servers after the first) carry the first server's secure token in config.yaml.
    const configOf = (node: string) => path.join(lab.dir, 'nodes', node, 'etc', 'config.yaml');
    const joining = lab.nodes.map((n) => n.name).filter((n) => /^token: /m.test(readFileSync(configOf(n), 'utf8')));
    expect(joining.length).toBeGreaterThanOrEqual(lab.nodes.length - 1);
    const [, oldHash, secret] = /^token: K10([0-9a-f]{64})::server:([0-9a-f]{32})$/m.exec(
      readFileSync(configOf(joining[0]), 'utf8'),
    )!;

    let tokenHash = '';
    const screens: string[] = [];
    const run = await runWatched(
      t,
      'ca',
      lab,
      ['run', 'rotate-ca', '--settle', '1'],
      (s) => {
        tokenHash ||= TOKEN_HASH.exec(s)?.[1] ?? '';
        if (s.includes(secret)) screens.push(s);
      },
      { rows: ROWS },
    );
    expect(run.screen).toContain('rotate-ca succeeded on every node');
    expect(run.code, run.end).toBe(0);
    expect(tokenHash, 'the new join-token CA hash never showed on screen').not.toBe('');

    const after = fingerprintsByCa(await statusOf(t, lab));
    for (const [ca, fps] of before) {
      const now = after.get(ca) ?? [];
      expect(now, ca).toHaveLength(fps.length);
      expect(new Set(now).size, `${ca} differs between nodes`).toBe(1);
      expect(now[0], `${ca} did not change`).not.toBe(fps[0]);
    }

    // The token pins upstream's hashCA of the new server-ca.crt bundle: the DER of the root its first certificate
    // chains to (the new self-signed root, 2nd in the file), computed here by openssl alone.
    const state = await runState(t, run.runId);
    const file = (node: string, rel: string) =>
      readFileSync(path.join(lab.nodes.find((n) => n.name === node)!.dataDir, rel));
    const bundlePath = path.join(
      lab.nodes.find((n) => n.name === state.plan.blocks.find((b) => b.phase === 'prepare')!.node)!.dataDir,
      'server/rotate-ca/tls/server-ca.crt',
    );
    const bundleCa = sha(readFileSync(bundlePath));
    const rootHash = execFileSync(
      'sh',
      [
        '-c',
        `awk 'BEGIN{c=0} /-----BEGIN CERTIFICATE/{c++} c==2{print} /-----END CERTIFICATE/ && c==2{exit}' "$1" | openssl x509 -outform DER | sha256sum | cut -d ' ' -f 1`,
        'sh',
        bundlePath,
      ],
      { encoding: 'utf8' },
    ).trim();
    expect(rootHash).toMatch(/^[0-9a-f]{64}$/);
    expect(tokenHash).toBe(`K10${rootHash}`);
    expect(rootHash).not.toBe(bundleCa);

    // Every joining node's token now pins the new hash (secret unchanged, a backup beside it), and every node came
    // back with it: active, and no token-mismatch line in any journal.
    for (const n of joining) {
      const config = readFileSync(configOf(n), 'utf8');
      expect(config, n).toContain(`token: K10${rootHash}::server:${secret}\n`);
      const backups = readdirSync(path.dirname(configOf(n))).filter((f) => f.startsWith('config.yaml.keyturn-'));
      expect(backups, n).toHaveLength(1);
      expect(readFileSync(path.join(path.dirname(configOf(n)), backups[0]), 'utf8')).toContain(
        `token: K10${oldHash}::server:${secret}\n`,
      );
    }
    for (const n of lab.nodes) {
      const unit =
        n.roles.includes('worker') && !n.roles.includes('etcd') && !n.roles.includes('control-plane')
          ? 'rke2-agent'
          : 'rke2-server';
      expect((await lab.run(n.name, `systemctl is-active ${unit}`)).stdout.trim(), n.name).toBe('active');
      expect(readFileSync(path.join(lab.dir, 'nodes', n.name, 'journal.log'), 'utf8'), n.name).not.toContain(
        'token CA hash does not match',
      );
    }
    // The secret never left the nodes: not on any screen, not in the run journal, not in the report.
    expect(screens, 'a screen showed the token secret').toEqual([]);
    expect(readFileSync(journalPath(t.stateDir, run.runId!), 'utf8')).not.toContain(secret);
    expect((await auditRecord(t.stateDir, run.runId!)).markdown).not.toContain(secret);
    expect(JSON.stringify(state)).toContain(`K10${rootHash}`);
    for (const n of lab.nodes.filter((x) => x.roles.includes('control-plane')).map((x) => x.name)) {
      expect(sha(file(n, 'server/tls/server-ca.crt')), n).toBe(bundleCa);
      const v = await lab.run(
        n,
        `cd ${lab.nodes.find((x) => x.name === n)!.dataDir}/server/tls && openssl verify -CAfile server-ca.crt serving-kube-apiserver.crt && openssl verify -CAfile client-ca.crt client-admin.crt && openssl verify -CAfile etcd/server-ca.crt etcd/server-client.crt`,
      );
      expect(v.code, `${n}: ${v.stdout}${v.stderr}`).toBe(0);
      expect(file(n, 'server/token').toString(), n).toBe(`K10${rootHash}::server:${secret}\n`);
    }
    const agent = lab.nodes.find((n) => n.roles.includes('worker'))!;
    expect(sha(file(agent.name, 'agent/server-ca.crt'))).toBe(bundleCa);
    expect(
      (
        await lab.run(
          agent.name,
          `cd ${agent.dataDir}/agent && openssl verify -CAfile client-ca.crt client-kubelet.crt`,
        )
      ).code,
    ).toBe(0);

    const upload = Object.entries(state.steps).find(([k]) => k.endsWith('prepare.rotate-ca'))![1];
    expect(upload.result?.status === 'done' && upload.result.data?.ca?.tokenHash).toBe(tokenHash);
    // key material never reached the journal
    expect(JSON.stringify(state)).not.toMatch(/PRIVATE KEY-----(\\n|\s)*[A-Za-z0-9+/]{20}/);
  }, 300_000);

  it('k3s v1.31.6 with every server joined to a peer: the run stops naming the node that kept the old CA', async () => {
    const lab = await start({
      topology: 'ha',
      distro: 'k3s',
      version: 'v1.31.6+k3s1',
      etcd: 'emulated',
      speed: 200,
      extraArgs: ['--joined-all-servers'],
    });
    const run = await runWatched(t, 'ca-bug', lab, ['run', 'rotate-ca', '--settle', '1'], () => undefined, {
      rows: ROWS,
    });
    expect(run.screen).toContain('✗ Stopped: check ca-consistent failed on server-1');
    expect(run.screen).toContain('server-1 kept the old CA after its restart: k3s#11233');
    expect(run.code, run.end).toBe(1);
    expect(run.end).toContain('✗ stopped at server-1: ca-consistent');
    expect(run.asked).toEqual(['server-1', 'server-1']);
    const state = await runState(t, run.runId);
    expect(state.outcome.status).toBe('failed');
    if (state.outcome.status !== 'failed') return;
    expect(state.outcome.failure).toMatchObject({ check: 'ca-consistent', node: 'server-1' });
    expect(state.outcome.failure.fix).toMatch(/copy server\/tls/);
  }, 300_000);
});

// `keyturn run rotate-ca` in tmux, answered like a person. rke2 ha: the new CA set is generated on a server,
// uploaded, servers then agents restarted; the new join-token CA hash is on screen, `keyturn status --json` shows
// every node holding the same new CAs, and every leaf verifies against them. k3s v1.31.6 with every server joined
// to a peer (k3s#11233): the run stops naming the node that kept the old CA.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StatusReport } from '../../src/model/status.js';
import { haveBinaries } from '../support/binaries.js';
import { labPerTest, runState, runWatched, statusOf } from './run-tmux.js';
import { sha } from './support-encryption.js';

const ok = haveBinaries('tmux', 'openssl');

const TOKEN_HASH = /new join-token CA hash (K10[0-9a-f]{64})/;
/** The first question shows the whole generated openssl script: a tall terminal keeps its node line on screen. */
const ROWS = 120;

/** CA name → the fingerprints the nodes holding it report. */
function fingerprintsByCa(doc: StatusReport): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const n of doc.nodes) for (const [ca, fp] of Object.entries(n.caFingerprints)) out.set(ca, [...(out.get(ca) ?? []), fp]);
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

    let tokenHash = '';
    const run = await runWatched(t, 'ca', lab, ['run', 'rotate-ca', '--settle', '1'], (s) => {
      tokenHash ||= TOKEN_HASH.exec(s)?.[1] ?? '';
    }, { rows: ROWS });
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

    // The token pins sha256 of the server-ca.crt file (the bundle generated on the node), not a certificate's.
    const state = await runState(t, run.runId);
    const file = (node: string, rel: string) => readFileSync(path.join(lab.nodes.find((n) => n.name === node)!.dataDir, rel));
    const bundleCa = sha(file(state.plan.blocks.find((b) => b.phase === 'prepare')!.node, 'server/rotate-ca/tls/server-ca.crt'));
    expect(tokenHash).toBe(`K10${bundleCa}`);
    for (const n of lab.nodes.filter((x) => x.roles.includes('control-plane')).map((x) => x.name)) {
      expect(sha(file(n, 'server/tls/server-ca.crt')), n).toBe(bundleCa);
      const v = await lab.run(n, `cd ${lab.nodes.find((x) => x.name === n)!.dataDir}/server/tls && openssl verify -CAfile server-ca.crt serving-kube-apiserver.crt && openssl verify -CAfile client-ca.crt client-admin.crt && openssl verify -CAfile etcd/server-ca.crt etcd/server-client.crt`);
      expect(v.code, `${n}: ${v.stdout}${v.stderr}`).toBe(0);
      expect(file(n, 'server/token').toString(), n).toMatch(new RegExp(`^K10${bundleCa}::server:`));
    }
    const agent = lab.nodes.find((n) => n.roles.includes('worker'))!;
    expect(sha(file(agent.name, 'agent/server-ca.crt'))).toBe(bundleCa);
    expect((await lab.run(agent.name, `cd ${agent.dataDir}/agent && openssl verify -CAfile client-ca.crt client-kubelet.crt`)).code).toBe(0);

    const upload = Object.entries(state.steps).find(([k]) => k.endsWith('prepare.rotate-ca'))![1];
    expect(upload.result?.status === 'done' && upload.result.data?.ca?.tokenHash).toBe(tokenHash);
    // key material never reached the journal
    expect(JSON.stringify(state)).not.toMatch(/PRIVATE KEY-----(\\n|\s)*[A-Za-z0-9+/]{20}/);
  }, 300_000);

  it('k3s v1.31.6 with every server joined to a peer: the run stops naming the node that kept the old CA', async () => {
    const lab = await start({ topology: 'ha', distro: 'k3s', version: 'v1.31.6+k3s1', etcd: 'emulated', speed: 200, extraArgs: ['--joined-all-servers'] });
    const run = await runWatched(t, 'ca-bug', lab, ['run', 'rotate-ca', '--settle', '1'], () => undefined, { rows: ROWS });
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

// rotate-ca against the lab: the bundle generated on the node with openssl, uploaded, servers then agents
// restarted; every node holds the new CA and its leaves verify; the k3s#11233 release stops naming the node.
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { renderReport } from '../../src/engine/report.js';
import { type LabHandle, startLab } from '../support/lab.js';
import { driveLab } from './support/lab-drive.js';

let lab: LabHandle | undefined;
afterEach(async () => {
  await lab?.stop();
  lab = undefined;
});

const file = (l: LabHandle, node: string, rel: string) => readFileSync(path.join(l.dir, 'nodes', node, 'data', rel));
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('rotate-ca against the lab', () => {
  it('k3s ha: every node holds the new CA, every leaf verifies against it, the token hash changes', async () => {
    lab = await startLab({ topology: 'ha', distro: 'k3s', etcd: 'emulated', speed: 100 });
    const oldCa = sha(file(lab, 'server-1', 'server/tls/server-ca.crt'));
    const { state, logs } = await driveLab(lab, 'rotate-ca', 'lab-ca');
    expect(state.outcome.status, renderReport(state)).toBe('succeeded');
    const bundleCa = sha(file(lab, 'server-1', 'server/rotate-ca/tls/server-ca.crt'));
    expect(bundleCa).not.toBe(oldCa);
    for (const n of ['server-1', 'server-2', 'server-3']) {
      expect(sha(file(lab, n, 'server/tls/server-ca.crt')), n).toBe(bundleCa);
      const v = await lab.run(n, `cd ${lab.nodes.find((x) => x.name === n)!.dataDir}/server/tls && openssl verify -CAfile server-ca.crt serving-kube-apiserver.crt && openssl verify -CAfile client-ca.crt client-admin.crt && openssl verify -CAfile etcd/server-ca.crt etcd/server-client.crt`);
      expect(v.code, `${n}: ${v.stdout}${v.stderr}`).toBe(0);
    }
    expect(sha(file(lab, 'agent-1', 'agent/server-ca.crt'))).toBe(bundleCa);
    const agentDir = lab.nodes.find((x) => x.name === 'agent-1')!.dataDir;
    expect((await lab.run('agent-1', `cd ${agentDir}/agent && openssl verify -CAfile client-ca.crt client-kubelet.crt`)).code).toBe(0);
    expect(file(lab, 'server-2', 'server/token').toString()).toMatch(new RegExp(`^K10${bundleCa}::server:`));
    const upload = Object.entries(state.steps).find(([k]) => k.endsWith('prepare.rotate-ca'))![1];
    expect(upload.result?.status === 'done' && upload.result.data?.ca?.tokenHash).toBe(`K10${bundleCa}`);
    expect(logs.some((l) => l.type === 'line' && l.line.includes(`K10${bundleCa}`))).toBe(true);
    // key material never reached the journal
    expect(JSON.stringify(state)).not.toMatch(/PRIVATE KEY-----(\\n|\s)*[A-Za-z0-9+/]{20}/);
  }, 150_000);

  it('k3s v1.31.6 with every server joined to a peer: the run stops naming the node that kept the old CA', async () => {
    lab = await startLab({ topology: 'ha', distro: 'k3s', version: 'v1.31.6+k3s1', etcd: 'emulated', speed: 100, extraArgs: ['--joined-all-servers'] });
    const { state } = await driveLab(lab, 'rotate-ca', 'lab-ca-bug');
    expect(state.outcome.status).toBe('failed');
    if (state.outcome.status !== 'failed') return;
    const f = state.outcome.failure;
    expect(f.check).toBe('ca-consistent');
    expect(f.node).toBe('server-1');
    expect(f.message).toContain('k3s#11233');
    expect(f.fix).toMatch(/copy server\/tls/);
  }, 150_000);
});

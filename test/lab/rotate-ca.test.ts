// `certificate rotate-ca` on the lab: upstream's validation errors, the new CA set saved to the datastore and
// taken by servers on restart (new CA files, re-issued leaves, a new join-token CA hash), then by agents — and
// the k3s#11233 bootstrap-from-peer bug keeping the old CA on releases that have it when every server joined a peer.
import { X509Certificate } from 'node:crypto';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateCa, sha256Hex, writeRotateCaBundle } from '../../src/lab/pki/index.js';
import type { LabHandle } from '../support/lab.js';
import { startLab } from '../support/lab.js';
import { causeOf, journalOf, restart } from './support/encryption.js';

const SERVERS = ['server-1', 'server-2', 'server-3'];
const dataDir = (lab: LabHandle, node: string) => path.join(lab.dir, 'nodes', node, 'data');
const read = (lab: LabHandle, node: string, file: string) => readFileSync(path.join(dataDir(lab, node), file), 'utf8');

async function stageBundle(lab: LabHandle): Promise<string> {
  return writeRotateCaBundle(dataDir(lab, 'server-1'), 'k3s', new Date());
}

describe('certificate rotate-ca (k3s ha, emulated etcd)', () => {
  let lab: LabHandle | undefined;
  afterEach(async () => {
    await lab?.stop();
    lab = undefined;
  });

  it('refuses a bundle that does not chain to the old CA, saves a good one, and servers then agents take it on restart', { timeout: 120_000 }, async () => {
    lab = await startLab({ topology: 'ha', distro: 'k3s', etcd: 'emulated', speed: 20, extraArgs: ['--joined-all-servers'] });
    const oldCa = read(lab, 'server-1', 'server/tls/server-ca.crt');
    const oldToken = read(lab, 'server-2', 'server/token');
    expect(oldToken).toMatch(new RegExp(`^K10${sha256Hex(oldCa)}::server:[0-9a-f]{32}\\n$`));
    const bundle = await stageBundle(lab);

    const bad = path.join(lab.dir, 'bad-bundle');
    cpSync(bundle, bad, { recursive: true });
    const stranger = await generateCa('k3s-server-ca@1', new Date());
    writeFileSync(path.join(bad, 'tls/server-ca.crt'), stranger.certPem + stranger.certPem);
    writeFileSync(path.join(bad, 'tls/server-ca.key'), stranger.keyPem);
    const refused = await lab.run('server-1', `k3s certificate rotate-ca --path=${bad}`);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /level=fatal msg="see server log for details: https:\/\/127\.0\.0\.1:6443\/v1-k3s\/cert\/cacerts\?force=false: 500 Internal Server Error certificate error ID \d{5}"/,
    );
    expect(causeOf(lab, 'server-1', refused.stderr)).toBe(
      'failed to validate new CA certificates and keys: ServerCA: new CA cert cannot be verified using old CA chain: x509: certificate signed by unknown authority',
    );

    const saved = await lab.run('server-1', `k3s certificate rotate-ca --path ${bundle}`);
    expect(saved).toMatchObject({ code: 0, stdout: 'certificates saved to datastore\n' });
    expect(journalOf(lab, 'server-1')).toContain('msg="certificate: Cluster Certificate Authority data has been updated, k3s must be restarted."');
    // Nothing on disk changes until a restart.
    expect(read(lab, 'server-1', 'server/tls/server-ca.crt')).toBe(oldCa);

    await restart(lab, SERVERS);
    const newCa = readFileSync(path.join(bundle, 'tls/server-ca.crt'), 'utf8');
    for (const server of SERVERS) {
      expect(read(lab, server, 'server/tls/server-ca.crt'), server).toBe(newCa);
      expect(read(lab, server, 'server/tls/etcd/peer-ca.crt')).toBe(readFileSync(path.join(bundle, 'tls/etcd/peer-ca.crt'), 'utf8'));
      const serving = new X509Certificate(read(lab, server, 'server/tls/serving-kube-apiserver.crt'));
      expect(serving.verify(new X509Certificate(newCa).publicKey), `${server} serving cert re-issued`).toBe(true);
    }
    expect(read(lab, 'server-2', 'server/token')).toBe(oldToken.replace(sha256Hex(oldCa), sha256Hex(newCa)));

    expect(read(lab, 'agent-1', 'agent/server-ca.crt')).toBe(oldCa);
    await restart(lab, ['agent-1'], 'k3s-agent');
    expect(read(lab, 'agent-1', 'agent/server-ca.crt')).toBe(newCa);
    const kubelet = new X509Certificate(read(lab, 'agent-1', 'agent/client-kubelet.crt'));
    expect(kubelet.verify(new X509Certificate(read(lab, 'agent-1', 'agent/client-ca.crt')).publicKey)).toBe(true);
  });

  it('v1.31.6 with every server joined to a peer: restarts keep the old CA (k3s#11233)', { timeout: 120_000 }, async () => {
    lab = await startLab({ topology: 'ha', distro: 'k3s', version: 'v1.31.6+k3s1', etcd: 'emulated', speed: 20, extraArgs: ['--joined-all-servers'] });
    expect(read(lab, 'server-1', '../etc/config.yaml')).toMatch(/^server: https:\/\/[\d.]+:6443$/m);
    const oldCa = read(lab, 'server-1', 'server/tls/server-ca.crt');
    const bundle = await stageBundle(lab);
    expect((await lab.run('server-2', `k3s certificate rotate-ca --path=${bundle}`)).code).toBe(0);
    await restart(lab, SERVERS);
    await restart(lab, SERVERS);
    for (const server of SERVERS) expect(read(lab, server, 'server/tls/server-ca.crt'), server).toBe(oldCa);
    expect(journalOf(lab, 'server-2')).toMatch(/msg="Retrieving bootstrap data from https:\/\/[\d.]+"/);
  });

  it('v1.31.6 with the init server still there: it reads the datastore and the others follow it', { timeout: 120_000 }, async () => {
    lab = await startLab({ topology: 'ha', distro: 'k3s', version: 'v1.31.6+k3s1', etcd: 'emulated', speed: 20 });
    const bundle = await stageBundle(lab);
    expect((await lab.run('server-1', `k3s certificate rotate-ca --path=${bundle}`)).code).toBe(0);
    await restart(lab, SERVERS);
    const newCa = readFileSync(path.join(bundle, 'tls/server-ca.crt'), 'utf8');
    for (const server of SERVERS) expect(read(lab, server, 'server/tls/server-ca.crt'), server).toBe(newCa);
  });

  it('--force saves a bundle that fails validation, with a warning in the server log', { timeout: 120_000 }, async () => {
    lab = await startLab({ topology: 'single', distro: 'k3s', etcd: 'emulated', speed: 20 });
    const bundle = await stageBundle(lab);
    const stranger = await generateCa('k3s-client-ca@1', new Date());
    writeFileSync(path.join(bundle, 'tls/client-ca.crt'), stranger.certPem);
    writeFileSync(path.join(bundle, 'tls/client-ca.key'), stranger.keyPem);
    const refused = await lab.run('server-1', `k3s certificate rotate-ca --path=${bundle}`);
    expect(causeOf(lab, 'server-1', refused.stderr)).toMatch(/ClientCA: new CA bundle contains only a single certificate but should include root or intermediate CA certificates$/);
    expect(await lab.run('server-1', `k3s certificate rotate-ca --path=${bundle} --force`)).toMatchObject({ code: 0, stdout: 'certificates saved to datastore\n' });
    expect(journalOf(lab, 'server-1')).toMatch(/level=warning msg="Save of CA certificates and keys forced, ignoring validation errors: ClientCA: new CA bundle contains only a single/);
    const agent = await lab.run('agent-1', `k3s certificate rotate-ca --path=${bundle}`);
    expect(agent.stderr).toContain('Put \\"https://127.0.0.1:6443/v1-k3s/cert/cacerts?force=false\\": dial tcp 127.0.0.1:6443: connect: connection refused');
  });
});

// `certificate rotate-ca` on the lab: upstream's validation errors, the new CA set saved to the datastore and
// taken by servers on restart (new CA files, re-issued leaves, a new join-token CA hash: the DER of the bundle's
// new root, upstream's hashCA), then by agents once their config token carries the new hash (with the old one an
// agent logs upstream's "token CA hash does not match" every 2 s and never comes up) — and
// the k3s#11233 bootstrap-from-peer bug keeping the old CA on releases that have it when every server joined a peer.
import { X509Certificate } from 'node:crypto';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateCa, sha256Hex, writeRotateCaBundle } from '../../lab/pki/index.js';
import type { LabHandle } from '../support/lab.js';
import { startLab, waitFor } from '../support/lab.js';
import { causeOf, journalOf, restart } from './support/encryption.js';

const SERVERS = ['server-1', 'server-2', 'server-3'];
const dataDir = (lab: LabHandle, node: string) => path.join(lab.dir, 'nodes', node, 'data');
const read = (lab: LabHandle, node: string, file: string) => readFileSync(path.join(dataDir(lab, node), file), 'utf8');
/** sha256 of the DER of the nth (0-based) certificate of a PEM bundle: Node's parser, not the code under test. */
const derSha = (pem: string, nth: number) =>
  sha256Hex(new X509Certificate(pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)![nth]).raw);

async function stageBundle(lab: LabHandle): Promise<string> {
  return writeRotateCaBundle(dataDir(lab, 'server-1'), 'k3s', new Date());
}

describe('certificate rotate-ca (k3s ha, emulated etcd)', () => {
  let lab: LabHandle | undefined;
  afterEach(async () => {
    await lab?.stop();
    lab = undefined;
  });

  it(
    'refuses a bundle that does not chain to the old CA, saves a good one, and servers then agents take it on restart',
    { timeout: 120_000 },
    async () => {
      lab = await startLab({
        topology: 'ha',
        distro: 'k3s',
        etcd: 'emulated',
        speed: 20,
        extraArgs: ['--joined-all-servers'],
      });
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
      expect(journalOf(lab, 'server-1')).toContain(
        'msg="certificate: Cluster Certificate Authority data has been updated, k3s must be restarted."',
      );
      // Nothing on disk changes until a restart.
      expect(read(lab, 'server-1', 'server/tls/server-ca.crt')).toBe(oldCa);

      await restart(lab, SERVERS);
      const newCa = readFileSync(path.join(bundle, 'tls/server-ca.crt'), 'utf8');
      for (const server of SERVERS) {
        expect(read(lab, server, 'server/tls/server-ca.crt'), server).toBe(newCa);
        expect(read(lab, server, 'server/tls/etcd/peer-ca.crt')).toBe(
          readFileSync(path.join(bundle, 'tls/etcd/peer-ca.crt'), 'utf8'),
        );
        const serving = new X509Certificate(read(lab, server, 'server/tls/serving-kube-apiserver.crt'));
        expect(serving.verify(new X509Certificate(newCa).publicKey), `${server} serving cert re-issued`).toBe(true);
      }
      // server/token is rewritten at start with the new hash: the DER of the bundle's new self-signed root (its
      // 2nd certificate), not the file's bytes.
      const oldHash = sha256Hex(oldCa);
      const newHash = derSha(newCa, 1);
      expect(read(lab, 'server-2', 'server/token')).toBe(oldToken.replace(oldHash, newHash));
      expect(newHash).not.toBe(sha256Hex(newCa));

      // agent-1 still has the old hash in its config.yaml: it retries every 2 s and never comes up.
      const config = path.join(lab.dir, 'nodes', 'agent-1', 'etc', 'config.yaml');
      expect(readFileSync(config, 'utf8')).toMatch(new RegExp(`^token: K10${oldHash}::server:[0-9a-f]{32}$`, 'm'));
      expect(read(lab, 'agent-1', 'agent/server-ca.crt')).toBe(oldCa);
      expect((await lab.run('agent-1', 'systemctl restart --no-block k3s-agent')).code).toBe(0);
      const mismatch = new RegExp(
        `level=error msg="Failed to validate connection to cluster at https://[\\d.]+:6443: token CA hash does not match the Cluster CA certificate hash: ${oldHash} != ${newHash}"`,
        'g',
      );
      await waitFor('two mismatch lines in the agent journal', async () =>
        (journalOf(lab!, 'agent-1').match(mismatch)?.length ?? 0) >= 2 ? true : undefined,
      );
      expect((await lab.run('agent-1', 'systemctl show -p ActiveState,SubState,NRestarts k3s-agent')).stdout).toBe(
        'ActiveState=activating\nSubState=start\nNRestarts=0\n',
      );
      expect(read(lab, 'agent-1', 'agent/server-ca.crt')).toBe(oldCa);

      writeFileSync(config, readFileSync(config, 'utf8').replace(`K10${oldHash}::`, `K10${newHash}::`));
      await restart(lab, ['agent-1'], 'k3s-agent');
      expect(read(lab, 'agent-1', 'agent/server-ca.crt')).toBe(newCa);
      const kubelet = new X509Certificate(read(lab, 'agent-1', 'agent/client-kubelet.crt'));
      expect(kubelet.verify(new X509Certificate(read(lab, 'agent-1', 'agent/client-ca.crt')).publicKey)).toBe(true);
    },
  );

  it(
    'split: a control-plane-only server whose token pins the old CA fails every start (fatal, restart loop) until its token is fixed',
    { timeout: 120_000 },
    async () => {
      lab = await startLab({ topology: 'split', distro: 'k3s', etcd: 'emulated', speed: 20 });
      const oldHash = sha256Hex(read(lab, 'etcd-1', 'server/tls/server-ca.crt'));
      const bundle = await writeRotateCaBundle(dataDir(lab, 'etcd-1'), 'k3s', new Date());
      const newHash = derSha(readFileSync(path.join(bundle, 'tls/server-ca.crt'), 'utf8'), 1);
      expect((await lab.run('etcd-1', `k3s certificate rotate-ca --path=${bundle}`)).code).toBe(0);
      // etcd servers joined with the same stale token: upstream ignores the error once their member is initialized
      await restart(lab, ['etcd-1', 'etcd-2', 'etcd-3']);

      const config = path.join(lab.dir, 'nodes', 'cp-1', 'etc', 'config.yaml');
      expect(readFileSync(config, 'utf8')).toContain(`token: K10${oldHash}::server:`);
      const failed = await lab.run('cp-1', 'systemctl restart k3s');
      expect(failed.code).toBe(1);
      expect(journalOf(lab, 'cp-1')).toMatch(
        new RegExp(
          `level=fatal msg="starting kubernetes: preparing server: failed to bootstrap cluster data: failed to validate token: token CA hash does not match the Cluster CA certificate hash: ${oldHash} != ${newHash}"`,
        ),
      );
      await waitFor('cp-1 restarting on its own (Restart=always)', async () => {
        const show = (await lab!.run('cp-1', 'systemctl show -p NRestarts k3s')).stdout;
        return Number(/NRestarts=(\d+)/.exec(show)?.[1]) >= 2 ? true : undefined;
      });
      expect(read(lab, 'cp-1', 'server/tls/server-ca.crt')).not.toBe(
        readFileSync(path.join(bundle, 'tls/server-ca.crt'), 'utf8'),
      );

      writeFileSync(config, readFileSync(config, 'utf8').replace(`K10${oldHash}::`, `K10${newHash}::`));
      await restart(lab, ['cp-1']);
      expect(read(lab, 'cp-1', 'server/tls/server-ca.crt')).toBe(
        readFileSync(path.join(bundle, 'tls/server-ca.crt'), 'utf8'),
      );
    },
  );

  it(
    'v1.31.6 with every server joined to a peer: restarts keep the old CA (k3s#11233)',
    { timeout: 120_000 },
    async () => {
      lab = await startLab({
        topology: 'ha',
        distro: 'k3s',
        version: 'v1.31.6+k3s1',
        etcd: 'emulated',
        speed: 20,
        extraArgs: ['--joined-all-servers'],
      });
      expect(read(lab, 'server-1', '../etc/config.yaml')).toMatch(/^server: https:\/\/[\d.]+:6443$/m);
      const oldCa = read(lab, 'server-1', 'server/tls/server-ca.crt');
      const bundle = await stageBundle(lab);
      expect((await lab.run('server-2', `k3s certificate rotate-ca --path=${bundle}`)).code).toBe(0);
      await restart(lab, SERVERS);
      await restart(lab, SERVERS);
      for (const server of SERVERS) expect(read(lab, server, 'server/tls/server-ca.crt'), server).toBe(oldCa);
      expect(journalOf(lab, 'server-2')).toMatch(/msg="Retrieving bootstrap data from https:\/\/[\d.]+"/);
    },
  );

  it(
    'v1.31.6 with the init server still there: it reads the datastore and the others follow it',
    { timeout: 120_000 },
    async () => {
      lab = await startLab({ topology: 'ha', distro: 'k3s', version: 'v1.31.6+k3s1', etcd: 'emulated', speed: 20 });
      const bundle = await stageBundle(lab);
      expect((await lab.run('server-1', `k3s certificate rotate-ca --path=${bundle}`)).code).toBe(0);
      await restart(lab, SERVERS);
      const newCa = readFileSync(path.join(bundle, 'tls/server-ca.crt'), 'utf8');
      for (const server of SERVERS) expect(read(lab, server, 'server/tls/server-ca.crt'), server).toBe(newCa);
    },
  );

  it(
    '--force saves a bundle that fails validation, with a warning in the server log',
    { timeout: 120_000 },
    async () => {
      lab = await startLab({ topology: 'single', distro: 'k3s', etcd: 'emulated', speed: 20 });
      const bundle = await stageBundle(lab);
      const stranger = await generateCa('k3s-client-ca@1', new Date());
      writeFileSync(path.join(bundle, 'tls/client-ca.crt'), stranger.certPem);
      writeFileSync(path.join(bundle, 'tls/client-ca.key'), stranger.keyPem);
      const refused = await lab.run('server-1', `k3s certificate rotate-ca --path=${bundle}`);
      expect(causeOf(lab, 'server-1', refused.stderr)).toMatch(
        /ClientCA: new CA bundle contains only a single certificate but should include root or intermediate CA certificates$/,
      );
      expect(await lab.run('server-1', `k3s certificate rotate-ca --path=${bundle} --force`)).toMatchObject({
        code: 0,
        stdout: 'certificates saved to datastore\n',
      });
      expect(journalOf(lab, 'server-1')).toMatch(
        /level=warning msg="Save of CA certificates and keys forced, ignoring validation errors: ClientCA: new CA bundle contains only a single/,
      );
      const agent = await lab.run('agent-1', `k3s certificate rotate-ca --path=${bundle}`);
      expect(agent.stderr).toContain(
        'Put \\"https://127.0.0.1:6443/v1-k3s/cert/cacerts?force=false\\": dial tcp 127.0.0.1:6443: connect: connection refused',
      );
    },
  );
});

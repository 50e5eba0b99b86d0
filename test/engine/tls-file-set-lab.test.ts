// keyturn's certificate reads and tls backup on a lab server whose server/tls holds what a real one holds
// (nochain CA copies, service.current.key, kubelet keys, dynamic-cert.json, temporary-certs/): only upstream's
// certificate files are read, the backup carries everything, and after `certificate rotate` + start every leaf
// keyturn reads is new and every CA the same — what certs-fresh and cas-unchanged compare.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certsFrom, readCertsScript } from '../../src/engine/checks/certs.js';
import { backupPlans, renderBackup } from '../../src/engine/commands.js';
import type { PlannedNode } from '../../src/engine/plan-types.js';
import { certFilesFor } from '../../src/model/cert-files.js';
import { startLab, type LabHandle } from '../support/lab.js';

describe('the tls file set of a real server, read and backed up by keyturn (lab)', () => {
  let lab: LabHandle;
  let node: PlannedNode;

  beforeAll(async () => {
    lab = await startLab({ topology: 'single', distro: 'k3s', etcd: 'emulated', speed: 40 });
    const server = lab.nodes.find((n) => n.name === 'server-1')!;
    node = {
      name: server.name,
      address: server.address,
      roles: server.roles,
      distro: 'k3s',
      dataDir: server.dataDir,
      unit: 'k3s',
      tier: 'etcd-control-plane',
      server: true,
      etcd: true,
      version: 'v1.32.5+k3s1',
      init: true,
    };
  }, 120_000);
  afterAll(async () => lab?.stop());

  const readCerts = async () => {
    const r = await lab.run('server-1', readCertsScript(node));
    expect(r.code, r.stderr).toBe(0);
    return certsFrom(r.stdout);
  };

  it("reads exactly upstream's certificate files: the cloud-controller leaf yes, json, keys and temporary-certs no", async () => {
    const certs = await readCerts();
    expect(certs.map((c) => c.path).sort()).toEqual(
      certFilesFor('k3s', node.roles)
        .map((f) => f.path)
        .sort(),
    );
    expect(certs.map((c) => c.path)).toContain('server/tls/client-k3s-cloud-controller.crt');
    for (const extra of [
      'server/tls/dynamic-cert.json',
      'server/tls/client-ca.nochain.crt',
      'server/tls/temporary-certs/apiserver-loopback-client__.crt',
    ]) {
      expect(existsSync(path.join(node.dataDir, extra)), extra).toBe(true);
      expect(
        certs.some((c) => c.path === extra),
        extra,
      ).toBe(false);
    }
  });

  it('backs up the whole tls directory, temporary-certs/ and dynamic-cert.json included', async () => {
    const plans = backupPlans(['tls'], node, 'conform');
    const r = await lab.run('server-1', renderBackup(plans));
    expect(r.code, r.stderr).toBe(0);
    for (const file of [
      'dynamic-cert.json',
      'service.current.key',
      'temporary-certs/apiserver-loopback-client__.key',
      'client-k3s-cloud-controller.crt',
    ]) {
      expect(existsSync(path.join(plans[0].dest, file)), file).toBe(true);
    }
  });

  it('after certificate rotate and a start, every leaf keyturn reads is new and every CA unchanged', async () => {
    const before = new Map((await readCerts()).map((c) => [c.path, c]));
    for (const cmd of ['systemctl stop k3s', 'k3s certificate rotate', 'systemctl start k3s']) {
      const r = await lab.run('server-1', cmd);
      expect(r.code, `${cmd}: ${r.stderr}`).toBe(0);
    }
    const after = await readCerts();
    expect(after).toHaveLength(before.size);
    for (const cert of after) {
      const old = before.get(cert.path);
      if (cert.isCA) expect(cert.sha256, cert.path).toBe(old?.sha256);
      else expect(cert.sha256, cert.path).not.toBe(old?.sha256);
    }
  });
});

// Port of k3s tests/e2e/secretsencryption_old/secretsencryption_test.go @29b9a7ba ("Verify Secrets Encryption
// Rotation", the classic prepare → rotate → reencrypt flow, then disable and enable with `reencrypt -f --skip`) to
// the lab: one cluster for the file, as upstream's Ordered suite shares one; same commands, same expected
// substrings, same order of restarts.
// Upstream: 3 servers, 0 agents. Lab: the `ha` topology (3 etcd+control-plane servers, 2 agents the suite never
// touches). Skipped upstream steps (README.md "Skipped steps"):
// - "Starts up with no issues": VM provisioning (the lab is started instead);
// - the pod half of both "Checks node and pod status" steps (the lab runs no workloads; the node half is kept);
// - "Deploys several secrets" (kubectl apply of a workload; the lab serves --secrets N instead).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type LabHandle } from '../support/lab.js';
import { eventually, expectAllNodesReady, restartCluster, runCmdOnNode } from './support.js';

const SERVERS = ['server-1', 'server-2', 'server-3'];
const status = (lab: LabHandle, node: string) => runCmdOnNode(lab, node, 'k3s secrets-encrypt status');

describe('Verify Secrets Encryption Rotation (k3s tests/e2e/secretsencryption_old)', () => {
  let lab: LabHandle;
  beforeAll(async () => {
    lab = await startLab({
      topology: 'ha',
      distro: 'k3s',
      version: 'v1.32.5+k3s1',
      etcd: 'emulated',
      speed: 40,
      secrets: 20,
    });
  }, 120_000);
  afterAll(async () => lab?.stop());

  describe('Secrets Keys are rotated:', () => {
    it('Checks node and pod status', async () => {
      await expectAllNodesReady(lab);
    });

    it('Verifies encryption start stage', async () => {
      for (const node of SERVERS) {
        const res = await status(lab, node);
        expect(res).toContain('Encryption Status: Enabled');
        expect(res).toContain('Current Rotation Stage: start');
        expect(res).toContain('Server Encryption Hashes: All hashes match');
      }
    });

    it('Prepares for Secrets-Encryption Rotation', async () => {
      await runCmdOnNode(lab, SERVERS[0], 'k3s secrets-encrypt prepare');
      for (const [i, node] of SERVERS.entries()) {
        const res = await status(lab, node);
        expect(res).toContain('Server Encryption Hashes: hash does not match');
        expect(res).toContain(i === 0 ? 'Current Rotation Stage: prepare' : 'Current Rotation Stage: start');
      }
    });

    it('Restarts K3s servers', async () => {
      await restartCluster(lab, SERVERS);
    });

    it('Checks node and pod status', async () => {
      await expectAllNodesReady(lab);
    });

    it('Verifies encryption prepare stage', async () => {
      for (const node of SERVERS) {
        await eventually(`${node} prepare`, async () => {
          const res = await status(lab, node);
          expect(res).toContain('Encryption Status: Enabled');
          expect(res).toContain('Current Rotation Stage: prepare');
          expect(res).toContain('Server Encryption Hashes: All hashes match');
        });
      }
    });

    it('Rotates the Secrets-Encryption Keys', async () => {
      await runCmdOnNode(lab, SERVERS[0], 'k3s secrets-encrypt rotate');
      for (const [i, node] of SERVERS.entries()) {
        await eventually(`${node} after rotate`, async () => {
          const res = await status(lab, node);
          expect(res).toContain('Server Encryption Hashes: hash does not match');
          expect(res).toContain(i === 0 ? 'Current Rotation Stage: rotate' : 'Current Rotation Stage: prepare');
        });
      }
    });

    it('Restarts K3s servers', async () => {
      await restartCluster(lab, SERVERS);
    });

    it('Verifies encryption rotate stage', async () => {
      for (const node of SERVERS) {
        await eventually(`${node} rotate`, async () => {
          const res = await status(lab, node);
          expect(res).toContain('Encryption Status: Enabled');
          expect(res).toContain('Current Rotation Stage: rotate');
          expect(res).toContain('Server Encryption Hashes: All hashes match');
        });
      }
    });

    it('Reencrypts the Secrets-Encryption Keys', async () => {
      await runCmdOnNode(lab, SERVERS[0], 'k3s secrets-encrypt reencrypt');
      await eventually('server 0 reencrypt_finished', async () => {
        expect(await status(lab, SERVERS[0])).toContain('Current Rotation Stage: reencrypt_finished');
      });
      for (const node of SERVERS.slice(1)) {
        const res = await status(lab, node);
        expect(res).toContain('Server Encryption Hashes: hash does not match');
        expect(res).toContain('Current Rotation Stage: rotate');
      }
    }, 90_000);

    it('Restarts K3s Servers', async () => {
      await restartCluster(lab, SERVERS);
    });

    it('Verifies Encryption Reencrypt Stage', async () => {
      for (const node of SERVERS) {
        await eventually(`${node} reencrypt_finished`, async () => {
          const res = await status(lab, node);
          expect(res).toContain('Encryption Status: Enabled');
          expect(res).toContain('Current Rotation Stage: reencrypt_finished');
          expect(res).toContain('Server Encryption Hashes: All hashes match');
        });
      }
    });
  });

  describe('Disabling Secrets-Encryption', () => {
    it('Disables encryption', async () => {
      await runCmdOnNode(lab, SERVERS[0], 'k3s secrets-encrypt disable');
      await runCmdOnNode(lab, SERVERS[0], 'k3s secrets-encrypt reencrypt -f --skip');
      await eventually('server 0 reencrypt_finished', async () => {
        expect(await status(lab, SERVERS[0])).toContain('Current Rotation Stage: reencrypt_finished');
      });
      for (const [i, node] of SERVERS.entries()) {
        await eventually(`${node} encryption status`, async () => {
          expect(await status(lab, node)).toContain(
            i === 0 ? 'Encryption Status: Disabled' : 'Encryption Status: Enabled',
          );
        });
      }
    }, 90_000);

    it('Restarts K3s servers', async () => {
      await restartCluster(lab, SERVERS);
    });

    it('Verifies encryption disabled on all nodes', async () => {
      for (const node of SERVERS) {
        await eventually(`${node} disabled`, async () => {
          expect(await status(lab, node)).toContain('Encryption Status: Disabled');
        });
      }
    });
  });

  describe('Enabling Secrets-Encryption', () => {
    it('Enables encryption', async () => {
      await runCmdOnNode(lab, SERVERS[0], 'k3s secrets-encrypt enable');
      await runCmdOnNode(lab, SERVERS[0], 'k3s secrets-encrypt reencrypt -f --skip');
      await eventually('server 0 reencrypt_finished', async () => {
        expect(await status(lab, SERVERS[0])).toContain('Current Rotation Stage: reencrypt_finished');
      });
    }, 90_000);

    it('Restarts K3s servers', async () => {
      await restartCluster(lab, SERVERS);
    });

    it('Verifies encryption enabled on all nodes', async () => {
      for (const node of SERVERS) {
        await eventually(`${node} enabled`, async () => {
          expect(await status(lab, node)).toContain('Encryption Status: Enabled');
        });
      }
    });
  });
});

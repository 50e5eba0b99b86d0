// Port of k3s tests/integration/secretsencryption/secretsencryption_int_test.go @0663681a ("secrets encryption
// rotation": prepare, restart, rotate, restart, reencrypt, then disable, restart, reencrypt -f --skip) to the lab:
// one server started with --secrets-encryption and `-d <data-dir>` on every subcommand, as upstream.
// Deviations: upstream's data dir /tmp/k3sse is the lab node's own data dir; the integration harness kills the
// k3s process and starts a new one (K3sKillServer/K3sStartServer) where the lab stops and starts the unit.
// Skipped upstream steps (README.md "Skipped steps"): every "starts up with no problems" /
// "kubectl get pods -A ... coredns ... Running" wait (the lab runs no workloads; `systemctl start` returns once the
// server reported ready), and the 10 s sleeps after restarts (nothing to wait for).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type LabHandle } from '../support/lab.js';
import { eventually, runCmdOnNode } from './support.js';

const SERVER = 'server-1';
const AES_KEY = /AES-CBC.+aescbckey.*/g;
const year = String(new Date().getFullYear());

describe('secrets encryption rotation (k3s tests/integration/secretsencryption)', () => {
  let lab: LabHandle;
  let dataDir: string;
  const k3s = (args: string) => runCmdOnNode(lab, SERVER, `k3s ${args} -d ${dataDir}`);
  const restartServer = async () => {
    await runCmdOnNode(lab, SERVER, 'systemctl stop k3s');
    await runCmdOnNode(lab, SERVER, 'systemctl start k3s');
  };

  beforeAll(async () => {
    lab = await startLab({
      topology: 'single',
      distro: 'k3s',
      version: 'v1.32.5+k3s1',
      etcd: 'emulated',
      speed: 40,
      secrets: 20,
    });
    dataDir = lab.nodes.find((n) => n.name === SERVER)!.dataDir;
  }, 120_000);
  afterAll(async () => lab?.stop());

  describe('A server starts with secrets encryption', () => {
    it('it creates a encryption key', async () => {
      const result = await k3s('secrets-encrypt status');
      expect(result).toContain('Encryption Status: Enabled');
      expect(result).toContain('Current Rotation Stage: start');
    });
  });

  describe('A server rotates encryption keys', () => {
    it('it prepares to rotate', async () => {
      expect(await k3s('secrets-encrypt prepare')).toContain('prepare completed successfully');
      const result = await k3s('secrets-encrypt status');
      expect(result).toContain('Current Rotation Stage: prepare');
      const keys = result.match(AES_KEY) ?? [];
      expect(keys).toHaveLength(2);
      expect(keys[0]).toContain('aescbckey');
      expect(keys[1]).toContain(`aescbckey-${year}`);
    });

    it('restarts the server', async () => {
      await restartServer();
    });

    it('rotates the keys', async () => {
      await eventually(
        'rotate completed',
        async () => {
          expect(await k3s('secrets-encrypt rotate')).toContain('rotate completed successfully');
        },
        10_000,
      );
      const result = await k3s('secrets-encrypt status');
      expect(result).toContain('Current Rotation Stage: rotate');
      const keys = result.match(AES_KEY) ?? [];
      expect(keys).toHaveLength(2);
      expect(keys[0]).toContain(`aescbckey-${year}`);
      expect(keys[1]).toContain('aescbckey');
    });

    it('restarts the server', async () => {
      await restartServer();
    });

    it('reencrypts the keys', async () => {
      expect(await k3s('secrets-encrypt reencrypt')).toContain('reencryption started');
      await eventually('reencrypt_finished', async () => {
        expect(await k3s('secrets-encrypt status')).toContain('Current Rotation Stage: reencrypt_finished');
      });
      const keys = (await k3s('secrets-encrypt status')).match(AES_KEY) ?? [];
      expect(keys).toHaveLength(1);
      expect(keys[0]).toContain(`aescbckey-${year}`);
    });
  });

  describe('A server disables encryption', () => {
    it('it triggers the disable', async () => {
      expect(await k3s('secrets-encrypt disable')).toContain('secrets-encryption disabled');
      expect(await k3s('secrets-encrypt status')).toContain('Encryption Status: Disabled');
    });

    it('restarts the server', async () => {
      await restartServer();
    });

    it('reencrypts the keys', async () => {
      expect(await k3s('secrets-encrypt reencrypt -f --skip')).toContain('reencryption started');
      expect(await k3s('secrets-encrypt status')).toContain('Encryption Status: Disabled');
    });
  });
});

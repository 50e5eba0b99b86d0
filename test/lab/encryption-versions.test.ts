// Release-dependent secrets-encryption behaviour: rotate-keys and its version gates, the pre-fix reencrypt CLI
// timeout (k3s#11384) with the work going on, the older 10-secret event cadence, and the secretbox provider.
import { afterEach, describe, expect, it } from 'vitest';
import { secretsEventOf } from '../../src/discovery/parse-journal.js';
import { startLab, waitFor, type LabHandle } from '../support/lab.js';
import { causeOf, configHash, journalOf, restart, stateOf, statusJson } from './support/encryption.js';

// Either journal form (klog "Event occurred" or the older Event(v1.ObjectReference{...}) one), read by keyturn's parser.
const progressOf = (lab: LabHandle, node: string) =>
  journalOf(lab, node)
    .split('\n')
    .map(secretsEventOf)
    .filter((e) => e?.reason === 'SecretsProgress')
    .map((e) => Number(/reencrypted (\d+) secrets/.exec(e!.message)?.[1]));

/** prepare → restart → rotate → restart: ready for reencrypt. */
async function prepareAndRotate(lab: LabHandle): Promise<void> {
  expect((await lab.run('server-1', 'k3s secrets-encrypt prepare')).code).toBe(0);
  await restart(lab, ['server-1']);
  expect((await lab.run('server-1', 'k3s secrets-encrypt rotate')).code).toBe(0);
  await restart(lab, ['server-1']);
}

describe('secrets-encrypt across releases (k3s, single server)', () => {
  let lab: LabHandle | undefined;
  afterEach(async () => {
    await lab?.stop();
    lab = undefined;
  });

  it('rotate-keys on a current release: one step, the CLI waits for the reencryption', async () => {
    lab = await startLab({ topology: 'single', distro: 'k3s', etcd: 'emulated', speed: 20, secrets: 120 });
    const result = await lab.run('server-1', 'k3s secrets-encrypt rotate-keys');
    // k3s#10612 on: the request returns at reencrypt_finished (k3s#12223 validation output on v1.32.4-rc1).
    expect(result).toMatchObject({ code: 0, stdout: 'keys rotated, reencryption finished\n' });
    const status = await statusJson(lab, 'server-1');
    expect(status).toMatchObject({ stage: 'reencrypt_finished', hashmatch: true });
    expect(status.activekey).toMatch(/^AES-CBC aescbckey-\d{4}-/);
    expect(status).not.toHaveProperty('inactivekeys');
    expect(progressOf(lab, 'server-1')).toEqual([50, 100]);
    expect(stateOf(lab, 'server-1')).toBe(`reencrypt_finished-${configHash(lab, 'server-1')}`);
  });

  it(
    'before the Dec 2024 fix the reencrypt CLI times out while the server keeps going',
    { timeout: 120_000 },
    async () => {
      lab = await startLab({
        topology: 'single',
        distro: 'k3s',
        version: 'v1.31.3+k3s1',
        etcd: 'emulated',
        speed: 50,
        secrets: 600,
      });
      await prepareAndRotate(lab);
      const result = await lab.run('server-1', 'k3s secrets-encrypt reencrypt');
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        /level=fatal msg="see server log for details: Put \\"https:\/\/127\.0\.0\.1:6443\/v1-k3s\/encrypt\/config\\": context deadline exceeded \(Client\.Timeout exceeded while awaiting headers\)"/,
      );
      expect((await statusJson(lab, 'server-1')).stage).toBe('reencrypt_active');
      const live = lab;
      await waitFor(
        'reencrypt_finished',
        async () => ((await statusJson(live, 'server-1')).stage === 'reencrypt_finished' ? true : undefined),
        45_000,
      );
      expect(progressOf(lab, 'server-1')).toEqual([50, 100, 150, 200, 250, 300, 350, 400, 450, 500, 550]);
    },
  );

  it(
    'before k3s#10612 rotate-keys returns once the config reloaded, and does not exist before v1.28',
    { timeout: 120_000 },
    async () => {
      lab = await startLab({
        topology: 'single',
        distro: 'k3s',
        version: 'v1.30.4+k3s1',
        etcd: 'emulated',
        speed: 20,
        secrets: 120,
      });
      // The old secrets controller re-encrypts after the answer (k3s#7760 validation on v1.28.1: "reencryption started").
      expect(await lab.run('server-1', 'k3s secrets-encrypt rotate-keys')).toMatchObject({
        code: 0,
        stdout: 'keys rotated, reencryption started\n',
      });
      expect(['reencrypt_request', 'reencrypt_active']).toContain((await statusJson(lab, 'server-1')).stage);
      const old = lab;
      await waitFor(
        'reencrypt_finished',
        async () => ((await statusJson(old, 'server-1')).stage === 'reencrypt_finished' ? true : undefined),
        45_000,
      );
      expect(stateOf(lab, 'server-1')).toBe(`reencrypt_finished-${configHash(lab, 'server-1')}`);
      await lab.stop();

      lab = await startLab({
        topology: 'single',
        distro: 'k3s',
        version: 'v1.27.16+k3s1',
        etcd: 'emulated',
        speed: 20,
        secrets: 30,
      });
      expect(await lab.run('server-1', 'k3s secrets-encrypt rotate-keys')).toMatchObject({
        code: 3,
        stderr: "No help topic for 'rotate-keys'\n",
      });
      await prepareAndRotate(lab);
      expect((await lab.run('server-1', 'k3s secrets-encrypt reencrypt')).code).toBe(0);
      const live = lab;
      await waitFor(
        'reencrypt_finished',
        async () => ((await statusJson(live, 'server-1')).stage === 'reencrypt_finished' ? true : undefined),
        45_000,
      );
      expect(progressOf(lab, 'server-1')).toEqual([10, 20]);
    },
  );

  it(
    'k3s#12373: the apiserver reloads after the 60 s wait; rotate-keys fails, nothing is re-encrypted',
    { timeout: 120_000 },
    async () => {
      lab = await startLab({
        topology: 'single',
        distro: 'k3s',
        version: 'v1.32.5+k3s1',
        etcd: 'emulated',
        speed: 20,
        secrets: 120,
      });
      await lab.fault('slow-reload', [], 'server-1');
      const failed = await lab.run('server-1', 'k3s secrets-encrypt rotate-keys');
      expect(failed.code).toBe(1);
      expect(failed.stderr).toMatch(/level=fatal msg="see server log for details: .*secret-encrypt error ID \d{5}"/);
      expect(causeOf(lab, 'server-1', failed.stderr)).toMatch(
        /^context deadline exceeded: apiserver has not reloaded encryption configuration \(reload success: \d+\/\d+, reload timestamp \d+\/\d+\)$/,
      );
      // The new key is in the config and the apiserver loads it moments later; the secrets keep the old key.
      const status = await statusJson(lab, 'server-1');
      expect(status.stage).toBe('reencrypt_active');
      expect(status.activekey).toMatch(/^AES-CBC aescbckey-\d{4}-/); // typed since k3s#12021 (April 2025)
      expect(progressOf(lab, 'server-1')).toEqual([]);
      const live = lab;
      await waitFor(
        'the late reload',
        async () =>
          journalOf(live, 'server-1').includes('encryption config reloaded successfully') ? true : undefined,
        10_000,
      );
      await lab.stop();

      // Fixed (120 s wait): the same slow reload is waited out.
      lab = await startLab({
        topology: 'single',
        distro: 'k3s',
        version: 'v1.32.6+k3s1',
        etcd: 'emulated',
        speed: 20,
        secrets: 120,
      });
      await lab.fault('slow-reload', [], 'server-1');
      expect(await lab.run('server-1', 'k3s secrets-encrypt rotate-keys')).toMatchObject({
        code: 0,
        stdout: 'keys rotated, reencryption finished\n',
      });
      expect((await statusJson(lab, 'server-1')).stage).toBe('reencrypt_finished');
    },
  );

  it('secretbox: only rotate-keys rotates', async () => {
    lab = await startLab({
      topology: 'single',
      distro: 'k3s',
      etcd: 'emulated',
      speed: 20,
      secrets: 10,
      extraArgs: ['--encryption-provider', 'secretbox'],
    });
    const status = await lab.run('server-1', 'k3s secrets-encrypt status');
    expect(status.stdout).toContain(
      'Active  Key Type           Name\n------  --------           ----\n *      XSalsa20-POLY1305  secretboxkey\n',
    );
    for (const stage of ['prepare', 'rotate', 'reencrypt']) {
      const refused = await lab.run('server-1', `k3s secrets-encrypt ${stage} --force`);
      expect(causeOf(lab, 'server-1', refused.stderr)).toBe(
        `${stage} does not support secretbox key type, use rotate-keys instead`,
      );
    }
    expect((await lab.run('server-1', 'k3s secrets-encrypt rotate-keys')).code).toBe(0);
    expect((await statusJson(lab, 'server-1')).activekey).toMatch(/^XSalsa20-POLY1305 secretboxkey-\d{4}-/);
  });
});

// Split etcd/control-plane RKE2: secrets-encrypt runs only where an apiserver is, and on v1.32.0–v1.32.4 a
// control-plane server restarted after `prepare` panics into a restart loop (rke2#8236); v1.32.5 does not.
import { afterEach, describe, expect, it } from 'vitest';
import { startLab, waitFor, type LabHandle } from '../support/lab.js';
import { configHash, journalOf, restart, stateOf } from './support/encryption.js';

const PANIC = 'panic: runtime error: invalid memory address or nil pointer dereference';

async function prepareThenRestartEtcd(lab: LabHandle): Promise<void> {
  expect(await lab.run('cp-1', 'rke2 secrets-encrypt prepare')).toMatchObject({
    code: 0,
    stdout: 'prepare completed successfully\n',
  });
  await restart(lab, ['etcd-1', 'etcd-2', 'etcd-3'], 'rke2-server');
}

describe('secrets-encrypt on split rke2 (emulated etcd)', () => {
  let lab: LabHandle | undefined;
  afterEach(async () => {
    await lab?.stop();
    lab = undefined;
  });

  it(
    'v1.32.3: an etcd-only server refuses the command; a control-plane restart after prepare panics and loops',
    { timeout: 120_000 },
    async () => {
      lab = await startLab({ topology: 'split', version: 'v1.32.3+rke2r1', etcd: 'emulated', speed: 20 });
      const etcdOnly = await lab.run('etcd-1', 'rke2 secrets-encrypt prepare');
      expect(etcdOnly.code).toBe(1);
      expect(etcdOnly.stderr).toContain(
        'Put \\"https://127.0.0.1:9345/v1-rke2/encrypt/config\\": dial tcp 127.0.0.1:9345: connect: connection refused',
      );
      await prepareThenRestartEtcd(lab);
      const restartCp = await lab.run('cp-2', 'systemctl restart rke2-server');
      expect(restartCp.code).toBe(1);
      expect(journalOf(lab, 'cp-2')).toMatch(new RegExp(`cp-2 rke2\\[\\d+\\]: ${PANIC.replace(/[()]/g, '\\$&')}`));
      const live = lab;
      await waitFor('a second panic (the restart loop)', async () =>
        journalOf(live, 'cp-2').split(PANIC).length - 1 >= 2 ? true : undefined,
      );
      expect((await lab.run('cp-2', 'systemctl show -p NRestarts rke2-server')).stdout).toMatch(/^NRestarts=[1-9]/);
    },
  );

  it('v1.32.5: the same restart comes up at prepare with the new config', { timeout: 120_000 }, async () => {
    lab = await startLab({ topology: 'split', version: 'v1.32.5+rke2r1', etcd: 'emulated', speed: 20 });
    await prepareThenRestartEtcd(lab);
    await restart(lab, ['cp-2'], 'rke2-server');
    expect(journalOf(lab, 'cp-2')).not.toContain(PANIC);
    expect(stateOf(lab, 'cp-2')).toBe(`prepare-${configHash(lab, 'cp-2')}`);
    expect(stateOf(lab, 'cp-2')).toBe(stateOf(lab, 'cp-1'));
  });
});

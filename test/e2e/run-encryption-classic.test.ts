// `keyturn run rotate-encryption-keys` in tmux on k3s v1.29.12 (no safe rotate-keys: the classic flow) with split
// roles and 10000 secrets, answered like a person: prepare → restart every server → rotate → restart → reencrypt
// (its progress widget on screen) → restart, one server down at a time, ending at reencrypt_finished with every
// hash matching and a new active key.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveBinaries } from '../support/binaries.js';
import { startLab, type LabHandle } from '../support/lab.js';
import { TmuxDriver, maxServersDown, runState, serverNames } from './run-tmux.js';
import {
  encryptionCliStatus,
  expectEncryptionStatusSettled,
  expectNewActiveKey,
  expectReencryptFinished,
  expectReencryptionJournalled,
  runRotateKeysWithProgress,
} from './support-encryption.js';

const ok = haveBinaries('tmux');

describe.skipIf(!ok)('keyturn run rotate-encryption-keys in tmux: the classic flow', () => {
  let lab: LabHandle;
  const t = new TmuxDriver();

  beforeAll(async () => {
    lab = await startLab({
      topology: 'split',
      distro: 'k3s',
      version: 'v1.29.12+k3s1',
      etcd: 'emulated',
      speed: 400,
      secrets: 10000,
    });
    await t.setup();
  }, 120_000);
  afterAll(async () => {
    await t.teardown();
    await lab?.stop();
  });

  it('k3s v1.29.12 split, 10000 secrets: prepare, rotate, reencrypt with progress on screen; every hash matching, a new active key', async () => {
    const keyBefore = (await encryptionCliStatus(lab, 'cp-1', 'k3s')).activekey;
    const since = new Date().toISOString();

    const run = await runRotateKeysWithProgress(t, 'classic', lab);
    const state = await runState(t, run.runId);
    expect(state.plan.flow).toBe('classic');
    const stages = state.plan.blocks
      .flatMap((b) => b.steps)
      .filter((s) => s.step.kind === 'command' && s.step.run.op === 'secrets-encrypt');
    // The lab's data dirs are not /var/lib/rancher/k3s: every subcommand names its node's (src/engine/data-dir-flag.ts).
    const dataDirOf = (node: string) => lab.nodes.find((n) => n.name === node)!.dataDir;
    expect(stages.map((s) => s.command)).toEqual(
      ['prepare', 'rotate', 'reencrypt'].map((a) => `k3s secrets-encrypt ${a} --data-dir ${dataDirOf(stages[0].node)}`),
    );
    expectReencryptionJournalled(state);
    // Every server restarted three times (after prepare, rotate and reencrypt), never two down at once.
    const servers = serverNames(lab);
    expect(run.asked.filter((n) => servers.has(n)).length).toBeGreaterThanOrEqual(3 * servers.size);
    expect(maxServersDown(await lab.record(), servers, since)).toBe(1);

    const states = expectReencryptFinished(lab, ['cp-1', 'cp-2']);
    expect(new Set(states).size).toBe(1);
    await expectEncryptionStatusSettled(t, lab, 2);
    await expectNewActiveKey(lab, 'cp-2', 'k3s', keyBefore);
  }, 300_000);
});

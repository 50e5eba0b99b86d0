// The two flows on the topologies their main tests do not use, so that each flow is proven on split and ha roles:
// the classic flow on k3s ha (every server etcd + control-plane) and rotate-keys on rke2 split (etcd-only servers
// are never asked to run a stage command). Each with 10000 secrets, answered like a person in tmux, ending at
// reencrypt_finished with every hash matching and a new active key; one server down at a time.
import { describe, expect, it } from 'vitest';
import type { RecordEntry } from '../../lab/contract.js';
import { haveBinaries } from '../support/binaries.js';
import { labPerTest, maxServersDown, runState, serverNames } from './run-tmux.js';
import {
  encryptionCliStatus,
  expectEncryptionStatusSettled,
  expectNewActiveKey,
  expectReencryptFinished,
  expectReencryptionJournalled,
  runRotateKeysWithProgress,
} from './support-encryption.js';

const ok = haveBinaries('tmux');

/** Stage commands the lab ran after `since`, as "node: secrets-encrypt <stage>". */
const stagesRun = (record: RecordEntry[], since: string): string[] =>
  record
    .filter((e) => e.t >= since && e.type === 'command' && e.argv[0] === 'secrets-encrypt' && e.argv[1] !== 'status')
    .map((e) => (e.type === 'command' ? `${e.node}: ${e.argv.slice(0, 2).join(' ')}` : ''));

describe.skipIf(!ok)('rotate-encryption-keys on the other topology of each flow (tmux)', () => {
  const { t, start } = labPerTest();

  it('classic flow on k3s v1.29.12 ha: prepare, rotate, reencrypt on one server; every server restarted after each', async () => {
    const lab = await start({
      topology: 'ha',
      distro: 'k3s',
      version: 'v1.29.12+k3s1',
      etcd: 'emulated',
      speed: 400,
      secrets: 10000,
    });
    const keyBefore = (await encryptionCliStatus(lab, 'server-1', 'k3s')).activekey;
    const since = new Date().toISOString();
    const run = await runRotateKeysWithProgress(t, 'classic-ha', lab);
    const state = await runState(t, run.runId);
    expect(state.plan.flow).toBe('classic');
    expectReencryptionJournalled(state);
    const stages = stagesRun(await lab.record(), since);
    expect(stages.map((s) => s.replace(/^\S+: /, ''))).toEqual([
      'secrets-encrypt prepare',
      'secrets-encrypt rotate',
      'secrets-encrypt reencrypt',
    ]);
    expect(new Set(stages.map((s) => s.split(':')[0])).size).toBe(1);
    const servers = serverNames(lab);
    expect(maxServersDown(await lab.record(), servers, since)).toBe(1);
    expectReencryptFinished(lab, ['server-1', 'server-2', 'server-3']);
    await expectEncryptionStatusSettled(t, lab, 3);
    await expectNewActiveKey(lab, 'server-3', 'k3s', keyBefore);
  }, 300_000);

  it('rotate-keys on rke2 v1.32.5 split: one rotate-keys on a control-plane server, never on an etcd-only one', async () => {
    const lab = await start({ topology: 'split', distro: 'rke2', etcd: 'emulated', speed: 400, secrets: 10000 });
    const keyBefore = (await encryptionCliStatus(lab, 'cp-1', 'rke2')).activekey;
    const since = new Date().toISOString();
    const run = await runRotateKeysWithProgress(t, 'rk-split', lab);
    const state = await runState(t, run.runId);
    expect(state.plan.flow).toBe('rotate-keys');
    expectReencryptionJournalled(state);
    const stages = stagesRun(await lab.record(), since);
    expect(stages).toHaveLength(1);
    expect(stages[0]).toMatch(/^cp-\d: secrets-encrypt rotate-keys$/);
    expect(maxServersDown(await lab.record(), serverNames(lab), since)).toBe(1);
    expectReencryptFinished(lab, ['cp-1', 'cp-2']);
    await expectEncryptionStatusSettled(t, lab, 2);
    await expectNewActiveKey(lab, 'cp-2', 'rke2', keyBefore);
  }, 300_000);
});

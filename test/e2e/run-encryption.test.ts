// `keyturn run rotate-encryption-keys` in tmux, answered like a person. rke2 ha with 10000 secrets: a config edited
// by hand on server-2 (the hash-mismatch fault) stops the run before any stage, naming server-2; after the fix the
// rotate-keys flow runs through with its progress widget on screen, ending at reencrypt_finished with every hash
// matching and a new active key. RKE2 v1.32.4 on a split cluster is refused, with the reason, before anything runs.
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RecordEntry } from '../../lab/contract.js';
import { listRuns } from '../../src/journal/index.js';
import { haveBinaries } from '../support/binaries.js';
import { exitedWith, labPerTest, runState, runWatched } from './run-tmux.js';
import {
  encryptionCliStatus,
  expectEncryptionStatusSettled,
  expectNewActiveKey,
  expectReencryptFinished,
  expectReencryptionJournalled,
  runRotateKeysWithProgress,
} from './support-encryption.js';

const ok = haveBinaries('tmux');

/** Stage commands (prepare, rotate, reencrypt, rotate-keys) the lab ran after `since`. */
function stageCommands(record: RecordEntry[], since: string): string[] {
  return record
    .filter((e) => e.t >= since && e.type === 'command' && e.argv[0] === 'secrets-encrypt' && e.argv[1] !== 'status')
    .map((e) => (e.type === 'command' ? `${e.node}: ${e.argv.slice(0, 2).join(' ')}` : ''));
}

describe.skipIf(!ok)('keyturn run rotate-encryption-keys in tmux', () => {
  const { t, start } = labPerTest();

  it('rke2 ha, 10000 secrets: a hash mismatch stops before any stage naming the node; after the fix rotate-keys runs through', async () => {
    const lab = await start({ topology: 'ha', distro: 'rke2', etcd: 'emulated', speed: 400, secrets: 10000 });
    const since = new Date().toISOString();
    await lab.fault('hash-mismatch', [], 'server-2');

    const stopped = await runWatched(
      t,
      'drift',
      lab,
      ['run', 'rotate-encryption-keys', '--settle', '1'],
      () => undefined,
    );
    expect(stopped.screen).toContain('✗ Stopped: check encryption-hashes failed on server-2');
    expect(stopped.code, stopped.end).toBe(1);
    expect(stopped.end).toContain('✗ stopped at server-2: encryption-hashes');
    const failed = (await listRuns(t.stateDir))[0].state;
    expect(failed.outcome.status).toBe('failed');
    if (failed.outcome.status !== 'failed') return;
    expect(failed.outcome.failure).toMatchObject({ check: 'encryption-hashes', node: 'server-2' });
    expect(failed.outcome.failure.message).toContain('server-2');
    expect(failed.outcome.failure.message).not.toMatch(/server-[13]/);
    expect(stageCommands(await lab.record(), since)).toEqual([]);

    // The fix the failure names: put back the config the others hold, restart server-2 so it publishes its hash.
    copyFileSync(
      path.join(lab.nodes[0].dataDir, 'server/cred/encryption-config.json'),
      path.join(lab.nodes.find((n) => n.name === 'server-2')!.dataDir, 'server/cred/encryption-config.json'),
    );
    expect((await lab.run('server-2', 'systemctl restart rke2-server')).code).toBe(0);
    const keyBefore = (await encryptionCliStatus(lab, 'server-1', 'rke2')).activekey;
    const rotateSince = new Date().toISOString();

    const run = await runRotateKeysWithProgress(t, 'rk', lab);
    const state = await runState(t, run.runId);
    expect(state.plan.flow).toBe('rotate-keys');
    expect(stageCommands(await lab.record(), rotateSince)).toEqual(['server-1: secrets-encrypt rotate-keys']);
    expectReencryptionJournalled(state);

    expectReencryptFinished(lab, ['server-1', 'server-2', 'server-3']);
    await expectEncryptionStatusSettled(t, lab, 3);
    await expectNewActiveKey(lab, 'server-2', 'rke2', keyBefore);
  }, 300_000);

  it('RKE2 v1.32.4 on a split cluster: refused with the reason on screen, nothing run', async () => {
    const lab = await start({
      topology: 'split',
      distro: 'rke2',
      version: 'v1.32.4+rke2r1',
      etcd: 'emulated',
      speed: 400,
    });
    const since = new Date().toISOString();
    const runsBefore = (await listRuns(t.stateDir)).length;
    await t.start('refused', lab, ['run', 'rotate-encryption-keys']);
    const screen = await t.waitFor('refused', 'keyturn to refuse', (s) => exitedWith(s) !== null, 90_000);
    expect(exitedWith(screen), screen).toBe(1);
    expect(screen).toContain('cannot plan rotate-encryption-keys');
    expect(screen).toContain('RKE2 v1.32.4+rke2r1 on a split etcd/control-plane cluster');
    expect(screen).toContain('rke2#8236');
    expect(screen).toContain('upgrade to v1.32.5+rke2r1 first');
    expect(screen).not.toContain('Press enter to start');
    const record = await lab.record();
    expect(stageCommands(record, since)).toEqual([]);
    expect(
      record.filter(
        (e) =>
          e.t >= since &&
          e.type === 'command' &&
          e.prog === 'systemctl' &&
          ['stop', 'start', 'restart'].includes(e.argv[0]),
      ),
    ).toEqual([]);
    expect((await listRuns(t.stateDir)).length).toBe(runsBefore);
  }, 120_000);
});

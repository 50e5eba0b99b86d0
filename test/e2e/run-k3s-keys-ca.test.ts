// rotate-encryption-keys (rotate-keys) then rotate-ca through `keyturn run` in tmux on a split K3s lab at a current
// release. Was the last block of run-old-releases.test.ts; a file of its own so a worker runs it beside the
// old-release files rather than after them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusReport } from '../../src/model/status.js';
import { haveBinaries } from '../support/binaries.js';
import { startLab, type LabHandle } from '../support/lab.js';
import { TmuxDriver, expectHealthy, runState, runWatched, statusOf } from './run-tmux.js';

const ok = haveBinaries('tmux', 'openssl');

// The current-release runs live beside each recipe's own test (run-rotate, run-k3s, run-recover, run-encryption,
// run-ca); K3s at a current release had neither key rotation (rotate-keys there) nor rotate-ca driven anywhere.
describe.skipIf(!ok)('rotate-encryption-keys and rotate-ca in tmux on k3s at a current release', () => {
  let lab: LabHandle;
  const t = new TmuxDriver();
  beforeAll(async () => {
    lab = await startLab({ topology: 'split', distro: 'k3s', speed: 200, secrets: 300 });
    await t.setup();
  }, 120_000);
  afterAll(async () => {
    await t.teardown();
    await lab?.stop();
  });

  it('rotate-keys, then rotate-ca: every server at reencrypt_finished, every node on the new CA, every check passing', async () => {
    const keys = await runWatched(t, 'keys', lab, ['run', 'rotate-encryption-keys', '--settle', '1'], () => undefined);
    expect(keys.screen, keys.end).toContain('rotate-encryption-keys succeeded on every node');
    expect((await runState(t, keys.runId)).plan.flow).toBe('rotate-keys');
    const before = await statusOf(t, lab);
    const ca = await runWatched(t, 'ca', lab, ['run', 'rotate-ca', '--settle', '1'], () => undefined, { rows: 120 });
    expect(ca.screen, ca.end).toContain('rotate-ca succeeded on every node');
    const after = await statusOf(t, lab);
    const serverCa = (doc: StatusReport) => doc.nodes.map((n) => n.caFingerprints['server-ca']);
    expect(new Set(serverCa(after)).size).toBe(1);
    expect(serverCa(after)[0]).not.toBe(serverCa(before)[0]);
    expect(
      after.nodes
        .filter((n) => n.roles.includes('control-plane'))
        .every((n) => n.encryption?.stage === 'reencrypt_finished'),
    ).toBe(true);
    expectHealthy(after);
  }, 300_000);
});

// Every recipe through `keyturn run` in tmux, answered like a person, on an RKE2 or K3s release from before
// October 2023 — the other side of the upstream changes keyturn must handle on both sides: etcd served HTTP on its
// client port (k3s PR #8402 moved it to 127.0.0.1:2382), agents could not `certificate rotate` (k3s#9785),
// rotate-keys did not exist (v1.28) so encryption keys rotate with the classic flow. One split lab per release
// (real etcd where Debian's etcd-server is installed), the recipes one after another as an operator would run
// them: rotate-certs, rotate-encryption-keys, rotate-ca, then renew-expired-certs after the lab was down past
// expiry and recover-restart-loop after a parallel restart. Current releases are covered by the other run tests.
// One test file per release (run-old-releases-<distro>.test.ts): each is a chain of ~3 minutes of its own, and as
// separate files vitest's workers run them side by side instead of one after the other.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusReport } from '../../src/model/status.js';
import { haveBinaries } from '../support/binaries.js';
import { startLab, type LabHandle } from '../support/lab.js';
import {
  TmuxDriver,
  expectHealthy,
  expectRecorded,
  expectRecoversRestartLoop,
  expectRenewsExpiredCerts,
  maxServersDown,
  runState,
  runToSuccess,
  runWatched,
  serverNames,
  statusOf,
} from './run-tmux.js';

const ok = haveBinaries('tmux', 'openssl');

export const OLD_RELEASES = {
  rke2: { distro: 'rke2', version: 'v1.27.6+rke2r1', units: ['rke2-agent', 'rke2-server'] },
  k3s: { distro: 'k3s', version: 'v1.27.6+k3s1', units: ['k3s', 'k3s-agent'] },
} as const;

/** The describe block of one release: its lab, then every recipe in order. */
export function everyRecipeOnOldRelease(release: (typeof OLD_RELEASES)[keyof typeof OLD_RELEASES]): void {
  describe.skipIf(!ok).each([release])(
    'every recipe in tmux on $distro $version (before October 2023)',
    ({ distro, version, units }) => {
      let lab: LabHandle;
      const t = new TmuxDriver();

      beforeAll(async () => {
        lab = await startLab({ topology: 'split', distro, version, speed: 200, secrets: 300 });
        await t.setup();
      }, 120_000);

      afterAll(async () => {
        await t.teardown();
        await lab?.stop();
      });

      it('rotate-certs: every node rotated, one server down at a time, every check passing after', async () => {
        const since = new Date().toISOString();
        const { runId } = await runToSuccess(t, 'rotate', lab, 'rotate-certs');
        expect(maxServersDown(await lab.record(), serverNames(lab), since)).toBe(1);
        await expectRecorded(t, runId, true);
        const afterRotate = await statusOf(t, lab);
        expectHealthy(afterRotate);
        // etcd was read on this release's listeners: a leader and every member healthy.
        const etcd = afterRotate.nodes.filter((n) => n.roles.includes('etcd')).map((n) => n.etcd);
        expect(etcd.every((e) => e?.healthy === true)).toBe(true);
        expect(etcd.filter((e) => e?.isLeader).length).toBe(1);
      }, 300_000);

      it('rotate-encryption-keys: the classic flow (no rotate-keys before v1.28), ending at reencrypt_finished', async () => {
        const since = new Date().toISOString();
        const run = await runWatched(
          t,
          'keys',
          lab,
          ['run', 'rotate-encryption-keys', '--settle', '1'],
          () => undefined,
        );
        expect(run.screen, run.end).toContain('rotate-encryption-keys succeeded on every node');
        expect(run.code, run.end).toBe(0);
        expect((await runState(t, run.runId)).plan.flow).toBe('classic');
        expect(maxServersDown(await lab.record(), serverNames(lab), since)).toBe(1);
        const status = await statusOf(t, lab);
        const enc = status.nodes.filter((n) => n.roles.includes('control-plane')).map((n) => n.encryption);
        expect(enc.every((e) => e?.stage === 'reencrypt_finished' && e.hashMatchesConfig)).toBe(true);
        expectHealthy(status);
      }, 300_000);

      it('rotate-ca: every node holds the same new CAs', async () => {
        const before = await statusOf(t, lab);
        const run = await runWatched(t, 'ca', lab, ['run', 'rotate-ca', '--settle', '1'], () => undefined, {
          rows: 120,
        });
        expect(run.screen, run.end).toContain('rotate-ca succeeded on every node');
        expect(run.code, run.end).toBe(0);
        const after = await statusOf(t, lab);
        const serverCa = (doc: StatusReport) => doc.nodes.map((n) => n.caFingerprints['server-ca']);
        expect(new Set(serverCa(after)).size).toBe(1);
        expect(serverCa(after)[0]).not.toBe(serverCa(before)[0]);
        expectHealthy(after);
      }, 300_000);

      it('renew-expired-certs brings the lab back after it was down past expiry', async () => {
        await expectRenewsExpiredCerts(t, lab, [...units].sort(), await statusOf(t, lab));
      }, 300_000);

      it('recover-restart-loop brings back the lab stuck after a parallel restart', async () => {
        await expectRecoversRestartLoop(t, lab, [...units].sort());
        expectHealthy(await statusOf(t, lab));
      }, 300_000);
    },
  );
}

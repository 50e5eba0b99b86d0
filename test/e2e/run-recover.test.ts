// Recovery recipes through `keyturn run` in tmux against one split rke2 lab, answered like a person (y at every
// node): stuck after a parallel restart, it comes back with recover-restart-loop; then down past its certificates'
// expiry, it comes back with renew-expired-certs and no expired leaf left. Both stop every node on purpose, so the
// lab's record must show the bring-up etcd → control-plane → agents without losing a server that is back up.
// (rke2 rotate-certs is run-rotate.test.ts; every k3s recipe is run-k3s.test.ts.)
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { StatusReport } from '../../src/model/status.js';
import { haveBinaries } from '../support/binaries.js';
import { startLab, type LabHandle } from '../support/lab.js';
import {
  TmuxDriver,
  expectHealthy,
  expectRecoversRestartLoop,
  expectRenewsExpiredCerts,
  statusOf,
} from './run-tmux.js';

const ok = haveBinaries('tmux');
const UNITS = ['rke2-agent', 'rke2-server'];

describe.skipIf(!ok)('keyturn run: recovery recipes in tmux on a split rke2 lab', () => {
  let lab: LabHandle;
  const t = new TmuxDriver();
  let afterRecover: StatusReport | undefined;

  beforeAll(async () => {
    lab = await startLab({ topology: 'split', distro: 'rke2', speed: 60 });
    await t.setup();
  }, 120_000);

  afterAll(async () => {
    await t.teardown();
    await lab?.stop();
  });

  it('recover-restart-loop brings back the lab stuck after a parallel restart', async () => {
    await expectRecoversRestartLoop(t, lab, UNITS);
    expectHealthy((afterRecover = await statusOf(t, lab)));
  }, 300_000);

  it('renew-expired-certs brings back the lab that was down past expiry, no expired leaf left', async () => {
    await expectRenewsExpiredCerts(t, lab, UNITS, afterRecover);
  }, 300_000);
});

// End to end against the lab (real systemctl/journalctl/<prog> commands, real etcd when installed, real API),
// through the real transports: the engine has no lab-only code path.
// rotate-certs, renew-expired-certs and recover-restart-loop on split labs run through the real screen in
// test/e2e (run-rotate, run-recover, run-k3s); here the recovery on an ha lab, where every server runs etcd.
import { afterEach, describe, expect, it } from 'vitest';
import { renderReport } from '../../src/engine/report.js';
import { type LabHandle, startLab } from '../support/lab.js';
import { driveLab } from './support/lab-drive.js';

let lab: LabHandle | undefined;
afterEach(async () => {
  await lab?.stop();
  lab = undefined;
});

describe('engine against the lab', () => {
  it('recover-restart-loop on a k3s ha lab', async () => {
    lab = await startLab({ topology: 'ha', distro: 'k3s' });
    const { state } = await driveLab(lab!, 'recover-restart-loop', 'lab-recover');
    expect(state.outcome.status, renderReport(state)).toBe('succeeded');
  }, 240_000);
});

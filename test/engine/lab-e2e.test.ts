// End to end against the lab (real systemctl/journalctl/<prog> commands, real etcd when installed, real API),
// through the real transports: the engine has no lab-only code path.
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
  // rke2 rotate-certs and the parallel-restart recovery run through the real screen in test/e2e; here k3s.
  it('rotate-certs on a split k3s lab: every leaf renewed, one server down at a time', async () => {
    lab = await startLab({ topology: 'split', distro: 'k3s' });
    const { state, fromDisk, logs } = await driveLab(lab!, 'rotate-certs', 'lab-rotate');
    const report = renderReport(fromDisk);
    expect(state.outcome.status, report).toBe('succeeded');
    expect(fromDisk.outcome.status).toBe('succeeded');
    expect(logs.some((l) => l.type === 'line')).toBe(true);
    const servers = new Set(lab.nodes.filter((n) => n.roles.some((r) => r !== 'worker')).map((n) => n.name));
    const down = new Set<string>();
    let max = 0;
    let sawStop = false;
    for (const e of await lab.record()) {
      if (e.type === 'command' && e.prog === 'systemctl' && e.argv[0] === 'stop') sawStop = true;
      if (e.type === 'command' && e.prog === 'systemctl' && e.argv[0] === 'stop') expect(['k3s', 'k3s-agent']).toContain(e.argv[e.argv.length - 1]);
      if (!sawStop || e.type !== 'service' || !servers.has(e.node)) continue;
      if (e.to === 'active') down.delete(e.node);
      else down.add(e.node);
      max = Math.max(max, down.size);
    }
    expect(max).toBe(1);
  }, 240_000);

  it('recover-restart-loop on a k3s ha lab', async () => {
    lab = await startLab({ topology: 'ha', distro: 'k3s' });
    const { state } = await driveLab(lab!, 'recover-restart-loop', 'lab-recover');
    expect(state.outcome.status, renderReport(state)).toBe('succeeded');
  }, 240_000);

  it('renew-expired-certs brings back a lab that was down past expiry', async () => {
    lab = await startLab({ topology: 'split', distro: 'k3s' });
    await lab.fault('expire-certs');
    const { state } = await driveLab(lab!, 'renew-expired-certs', 'lab-renew');
    const report = renderReport(state);
    expect(state.outcome.status, report).toBe('succeeded');
    expect(report).not.toContain('not read |');
  }, 240_000);
});

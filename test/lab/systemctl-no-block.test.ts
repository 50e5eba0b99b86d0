// `systemctl --no-block` queues the job and returns at once, as systemd does; recovery recipes rely on it to
// start etcd servers that cannot be ready until a majority of them runs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LabHandle, startLab, waitFor } from '../support/lab.js';

describe('systemctl --no-block on a lab node', () => {
  let lab: LabHandle;
  beforeAll(async () => {
    lab = await startLab({ topology: 'split', distro: 'rke2', etcd: 'emulated', speed: 4 });
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it('returns before the unit is up, and the start goes on', async () => {
    expect((await lab.run('cp-1', 'systemctl stop rke2-server')).code).toBe(0);
    const queued = await lab.run('cp-1', 'systemctl start --no-block rke2-server; systemctl is-active rke2-server');
    // At speed 4 a server start takes ~0.75 s: a blocking start would have printed "active" here.
    expect(queued.code).not.toBe(0);
    expect(queued.stdout.trim()).toBe('activating');
    await waitFor('cp-1 active', async () => ((await lab.run('cp-1', 'systemctl is-active rke2-server')).code === 0 ? true : undefined));
  });

  it('stop --no-block returns at once too', async () => {
    const r = await lab.run('agent-1', 'systemctl stop --no-block rke2-agent');
    expect(r.code).toBe(0);
    await waitFor('agent-1 inactive', async () => ((await lab.run('agent-1', 'systemctl is-active rke2-agent')).stdout.trim() === 'inactive' ? true : undefined));
  });
});

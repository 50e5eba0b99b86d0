// `systemctl --no-block` queues the job and returns at once, as systemd does; recovery recipes rely on it to
// start etcd servers that cannot be ready until a majority of them runs. Also on this rke2 lab: unit globs as
// rke2's e2e RestartCluster writes them, and rke2's CLI, which has no app flags before the subcommand.
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
    await waitFor('cp-1 active', async () =>
      (await lab.run('cp-1', 'systemctl is-active rke2-server')).code === 0 ? true : undefined,
    );
  });

  it('stop --no-block returns at once too', async () => {
    const r = await lab.run('agent-1', 'systemctl stop --no-block rke2-agent');
    expect(r.code).toBe(0);
    await waitFor('agent-1 inactive', async () =>
      (await lab.run('agent-1', 'systemctl is-active rke2-agent')).stdout.trim() === 'inactive' ? true : undefined,
    );
  });

  it('expands unit globs over the loaded unit: rke2-* restarts rke2-agent, a glob matching nothing is a no-op', async () => {
    const restarted = await lab.run('agent-2', 'systemctl restart rke2-*');
    expect(restarted).toMatchObject({ code: 0, stderr: '' });
    const journal = await lab.run('agent-2', 'journalctl -u rke2-agent --no-pager');
    expect(journal.stdout).toMatch(/Stopping rke2-agent\.service/);
    const none = await lab.run('agent-2', "systemctl stop 'k3s*'; systemctl is-active rke2-agent");
    expect(none).toMatchObject({ code: 0, stdout: 'active\n' });
  });

  it('refuses k3s-only app flags before the subcommand, as rke2 (no app flags) does', async () => {
    const r = await lab.run('etcd-1', 'rke2 --debug certificate check');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('Incorrect Usage: flag provided but not defined: -debug\n');
    expect((await lab.run('etcd-1', 'rke2 --version')).stdout).toMatch(/^rke2 version v/);
  });
});

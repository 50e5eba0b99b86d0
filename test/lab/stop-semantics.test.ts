// What `systemctl stop` stops, per distro (rancher/rke2 bundle/lib/systemd/system/rke2-server.service: KillMode=process,
// ExecStopPost kills only containerd and kubelet): on RKE2 the etcd and kube-apiserver static pods keep running until
// rke2-killall.sh; a later start adopts them, unless force-restart (written by `rke2 certificate rotate`) makes it
// terminate and recreate them. On K3s etcd is embedded in the k3s process and dies with the unit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, waitFor, type LabHandle } from '../support/lab.js';

/** curl's exit code for the member's plain-HTTP health listener on the node's own loopback: 0 up, 7 refused. */
async function probe(lab: LabHandle, node: string): Promise<number> {
  return (await lab.run(node, 'curl -sS --max-time 3 -o /dev/null http://127.0.0.1:2381/health')).code;
}

async function apiReady(lab: LabHandle): Promise<boolean> {
  return (await lab.run('etcd-1', `kubectl --kubeconfig ${lab.kubeconfig} get --raw /readyz`)).code === 0;
}

describe('rke2 (split): stopping the unit leaves the static pods running', () => {
  let lab: LabHandle;
  beforeAll(async () => {
    lab = await startLab({ topology: 'split', distro: 'rke2', etcd: 'emulated' });
  }, 120_000);
  afterAll(async () => {
    await lab?.stop();
  });

  it('systemctl stop keeps the etcd member and the API up; rke2-killall.sh stops them', async () => {
    for (const n of ['etcd-2', 'etcd-3', 'cp-1', 'cp-2'])
      expect((await lab.run(n, 'systemctl stop rke2-server')).code).toBe(0);
    expect((await lab.run('etcd-2', 'systemctl is-active rke2-server')).stdout).toBe('inactive\n');
    // The members still answer, so quorum holds, and the apiserver pods still serve the API.
    expect(await probe(lab, 'etcd-2')).toBe(0);
    expect(await probe(lab, 'etcd-3')).toBe(0);
    expect(await apiReady(lab)).toBe(true);

    const killall = await lab.run('etcd-2', 'rke2-killall.sh');
    expect(killall.code).toBe(0);
    expect(killall.stderr).toContain('+ systemctl stop rke2-server.service');
    expect(await probe(lab, 'etcd-2')).toBe(7);
    expect((await lab.run('etcd-3', 'rke2-killall.sh')).code).toBe(0);
    expect(await probe(lab, 'etcd-3')).toBe(7);
    // Two of three members gone: no quorum, the API answers 503 although cp-1's apiserver pod still runs.
    await waitFor('API down without quorum', async () => ((await apiReady(lab)) ? undefined : true));
    for (const n of ['cp-1', 'cp-2']) expect((await lab.run(n, 'rke2-killall.sh')).code).toBe(0);
    const record = await lab.record();
    expect(record).toContainEqual(
      expect.objectContaining({ type: 'command', node: 'etcd-2', prog: 'rke2-killall.sh', code: 0 }),
    );
    // Bring everything back in upstream's order.
    const starts = ['etcd-2', 'etcd-3'].map((n) => lab.run(n, 'systemctl start rke2-server'));
    expect((await Promise.all(starts)).map((r) => r.code)).toEqual([0, 0]);
    for (const n of ['cp-1', 'cp-2']) expect((await lab.run(n, 'systemctl start rke2-server')).code).toBe(0);
    expect(await apiReady(lab)).toBe(true);
  }, 120_000);

  it('a start after a plain stop adopts the running etcd pod; after `certificate rotate` it recreates it', async () => {
    expect((await lab.run('etcd-1', 'systemctl stop rke2-server')).code).toBe(0);
    expect((await lab.run('etcd-1', 'systemctl start rke2-server')).code).toBe(0);
    let journal = (await lab.run('etcd-1', 'journalctl -u rke2-server -o cat --no-pager')).stdout;
    expect(journal).not.toContain('Static pod cleanup');

    expect((await lab.run('etcd-1', 'systemctl stop rke2-server')).code).toBe(0);
    expect((await lab.run('etcd-1', 'rke2 certificate rotate')).code).toBe(0);
    expect(await probe(lab, 'etcd-1')).toBe(0);
    expect((await lab.run('etcd-1', 'systemctl start rke2-server')).code).toBe(0);
    journal = (await lab.run('etcd-1', 'journalctl -u rke2-server -o cat --no-pager')).stdout;
    expect(journal).toMatch(
      /Static pod cleanup in progress \(etcd\)[\s\S]*Static pod cleanup completed successfully[\s\S]*Starting etcd for existing cluster member/,
    );
    expect(await probe(lab, 'etcd-1')).toBe(0);
  }, 120_000);
});

describe('k3s (ha): etcd dies with the unit', () => {
  let lab: LabHandle;
  beforeAll(async () => {
    lab = await startLab({ topology: 'ha', distro: 'k3s', version: 'v1.32.5+k3s1', etcd: 'emulated' });
  }, 120_000);
  afterAll(async () => {
    await lab?.stop();
  });

  it('systemctl stop k3s stops the embedded etcd member; k3s-killall.sh is there and stops the unit', async () => {
    const server = lab.nodes.find((n) => n.roles.includes('etcd'))!.name;
    expect(await probe(lab, server)).toBe(0);
    expect((await lab.run(server, 'systemctl stop k3s')).code).toBe(0);
    expect(await probe(lab, server)).toBe(7);
    expect((await lab.run(server, 'systemctl start k3s')).code).toBe(0);
    expect(await probe(lab, server)).toBe(0);
    const killall = await lab.run(server, 'k3s-killall.sh');
    expect(killall).toMatchObject({ code: 0 });
    expect(killall.stderr).toContain('+ systemctl stop k3s.service');
    expect((await lab.run(server, 'systemctl is-active k3s')).stdout).toBe('inactive\n');
    expect(await probe(lab, server)).toBe(7);
    expect((await lab.run(server, 'rke2-killall.sh')).code).toBe(127);
  }, 120_000);
});

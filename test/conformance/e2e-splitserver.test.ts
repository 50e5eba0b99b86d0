// Port of k3s tests/e2e/splitserver/splitserver_test.go @6a62db89 ("Verify Create") to the lab: a split cluster
// (etcd-only servers, control-plane-only servers, agents), one cluster for the file.
// Deviations: upstream's defaults are 3 etcd-only, 1 control-plane-only and 1 agent; the lab's `split` topology
// has 3, 2 and 2 (a superset of the same shape).
// Skipped upstream steps (README.md "Skipped steps"): "Starts up with no issues" (VM provisioning); the pod half
// of "Checks Node and Pod Status"; "Verifies ClusterIP Service", "Verifies NodePort Service", "Verifies
// LoadBalancer Service", "Verifies Ingress", "Verifies Daemonset" and "Verifies dns access" (each deploys a
// workload with kubectl apply and curls or execs into its pods; the lab runs no workloads).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type LabHandle } from '../support/lab.js';
import { expectAllNodesReady, parseNodes } from './support.js';

describe('Verify Create (k3s tests/e2e/splitserver)', () => {
  let lab: LabHandle;
  beforeAll(async () => {
    lab = await startLab({ topology: 'split', distro: 'k3s', version: 'v1.32.5+k3s1', etcd: 'emulated', speed: 40 });
  }, 120_000);
  afterAll(async () => lab?.stop());

  it('Checks Node and Pod Status', async () => {
    await expectAllNodesReady(lab);
    // The split shape as upstream's cluster shows it: etcd-only servers carry only the etcd role.
    const roles = new Map((await parseNodes(lab)).map((n) => [n.name, n.roles]));
    expect(roles.get('etcd-1')).toBe('etcd');
    expect(roles.get('cp-1')).toBe('control-plane,master');
    expect(roles.get('agent-1')).toBe('<none>');
  });
});

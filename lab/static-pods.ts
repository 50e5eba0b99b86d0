// RKE2 runs etcd and kube-apiserver as static pods of the kubelet that rke2-server starts. The unit has
// KillMode=process and its ExecStopPost kills only the containerd and kubelet PIDs
// (rancher/rke2 bundle/lib/systemd/system/rke2-server.service), so the pods' containers outlive `systemctl stop`
// (and a crash): the etcd member and the apiserver keep serving until rke2-killall.sh kills the containerd shims
// and removes the pod manifests (bundle/bin/rke2-killall.sh). On the next start rke2 leaves running pods alone
// (the kubelet adopts them: same manifest, same UID) unless <data-dir>/force-restart exists — `rke2 certificate
// rotate` writes it — in which case it deletes their manifests and terminates the containers before the kubelet
// starts them afresh (pkg/rke2/rke2_linux.go disabledItems, pkg/executor/staticpod/cleanup.go RemoveDisabledPods).
// K3s embeds etcd and the apiserver in the k3s process: they die with the unit (its pods live on until
// k3s-killall.sh, but none of them is etcd).
import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { hasEtcd, isControlPlane, isServerNode, type LabNode } from './lab-node.js';
import type { LabRuntime } from './lab-runtime.js';

/** true when the node's etcd member and apiserver are static pods that survive the unit (RKE2 servers). */
export function podsOutliveUnit(node: LabNode): boolean {
  return node.prog === 'rke2' && isServerNode(node);
}

export function forceRestartFile(node: LabNode): string {
  return path.join(node.paths.dataDir, 'force-restart');
}

/** The main process exited (stop, crash, kill): K3s takes its embedded etcd member with it; RKE2's pods stay. */
export async function afterMainProcessExit(lab: LabRuntime, node: LabNode): Promise<void> {
  if (!podsOutliveUnit(node) && hasEtcd(node)) await lab.etcd.member(node.spec.name).stop();
  lab.refreshHealthSoon();
}

/** The killall script's part that matters here: the pods' containers are killed (etcd member and apiserver gone). */
export async function killStaticPods(lab: LabRuntime, node: LabNode): Promise<string[]> {
  const killed: string[] = [];
  if (hasEtcd(node) && lab.etcd.member(node.spec.name).isRunning()) {
    await lab.etcd.member(node.spec.name).stop();
    killed.push('etcd');
  }
  if (node.apiserverPod) killed.push('kube-apiserver');
  node.apiserverPod = false;
  lab.refreshHealthSoon();
  return killed;
}

/**
 * At the start of an RKE2 server attempt: with force-restart present, the file is removed and the running
 * control-plane pods are terminated first (upstream logs the cleanup); without it, running pods are adopted.
 */
export async function cleanupPodsOnStart(lab: LabRuntime, node: LabNode, log: (msg: string) => void): Promise<void> {
  if (!podsOutliveUnit(node)) return;
  const marker = forceRestartFile(node);
  const forced = await stat(marker).then(
    () => true,
    () => false,
  );
  if (!forced) return;
  await rm(marker, { force: true });
  const running = [
    hasEtcd(node) && lab.etcd.member(node.spec.name).isRunning() ? 'etcd' : null,
    node.apiserverPod ? 'kube-apiserver' : null,
  ].filter((p): p is string => p !== null);
  if (running.length === 0) return;
  log(`Static pod cleanup in progress (${running.join(', ')})`);
  await killStaticPods(lab, node);
  log('Static pod cleanup completed successfully');
}

/** The apiserver pod of an RKE2 control-plane server runs once its start got that far (and until killall). */
export function markApiserverStarted(node: LabNode): void {
  if (podsOutliveUnit(node) && isControlPlane(node)) node.apiserverPod = true;
}

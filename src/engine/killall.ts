// Stopping a node so that its etcd member (and apiserver) really stop, per distro. rke2-server.service has
// KillMode=process and its ExecStopPost kills only containerd and kubelet (rancher/rke2
// bundle/lib/systemd/system/rke2-server.service): the etcd and kube-apiserver static pods keep running after
// `systemctl stop`, until rke2-killall.sh kills every container (workloads too) and removes the control-plane pod
// manifests (bundle/bin/rke2-killall.sh). K3s embeds etcd and the apiserver in the k3s process: `systemctl stop k3s`
// stops them (docs.k3s.io/upgrades/killall). Agents run neither, so a plain stop is all a procedure needs there.
import { killallScript } from '../model/cluster.js';
import { shJoin, shq } from '../util/shell-quote.js';
import type { PlannedNode } from './plan-types.js';

/** Where the installers put the script: tarball /usr/local/bin (or /opt/rke2/bin when /usr/local is read-only), RPM /usr/bin. */
const INSTALL_DIRS = ['/usr/local/bin', '/opt/rke2/bin', '/usr/bin'];

/** RKE2 servers: a unit stop leaves etcd and the apiserver running, so a hard stop needs the killall script. */
export function stopLeavesPodsRunning(node: PlannedNode): boolean {
  return node.distro === 'rke2' && node.server;
}

export function renderKillall(node: PlannedNode): string {
  if (!stopLeavesPodsRunning(node)) return shJoin(['systemctl', 'stop', node.unit]);
  const script = killallScript(node.distro);
  const candidates = INSTALL_DIRS.map((d) => shq(`${d}/${script}`)).join(' ');
  return [
    `k=$(command -v ${shq(script)}) || k=`,
    `for f in ${candidates}; do [ -n "$k" ] || { [ -x "$f" ] && k=$f; }; done`,
    `[ -n "$k" ] || { echo ${shq(`${script} not found (PATH, ${INSTALL_DIRS.join(', ')}): etcd keeps running after systemctl stop ${node.unit}`)} >&2; exit 127; }`,
    // The script reads RKE2_DATA_DIR for the containerd shims and pod manifests it removes.
    `RKE2_DATA_DIR=${shq(node.dataDir)} "$k"`,
  ].join('\n');
}

/** What the step really does on this node, for the plan text and the confirmation. */
export function describeKillall(node: PlannedNode): string {
  if (stopLeavesPodsRunning(node)) {
    return `systemctl stop ${node.unit} would leave the etcd and kube-apiserver static pods running (KillMode=process): ${killallScript(node.distro)} stops the unit and kills every container on ${node.name}, workloads included`;
  }
  if (node.server)
    return `systemctl stop ${node.unit} stops the embedded etcd and apiserver with the ${node.distro} process; the node's pods keep running`;
  return `systemctl stop ${node.unit}: no etcd or apiserver here; the node's pods keep running`;
}

/**
 * Why an agent's restart leaves its workloads running, per distro (said in the plan when agents go in waves): both
 * units have KillMode=process, so `systemctl stop` ends the agent process (rke2's ExecStopPost also kills containerd
 * and kubelet) but not the containerd shims that hold the pods' containers; only the killall script kills those.
 * Sources: rancher/rke2 bundle/lib/systemd/system/rke2-agent.service, bundle/bin/rke2-killall.sh (getshims);
 * k3s-io/k3s install.sh create_systemd_service_file; docs.k3s.io/upgrades/killall.
 */
export function agentRestartNote(distro: PlannedNode['distro']): string {
  const unit = distro === 'rke2' ? 'rke2-agent.service' : 'the k3s-agent unit install.sh writes';
  const post = distro === 'rke2' ? ' (its ExecStopPost kills only containerd and kubelet)' : '';
  return `Workloads keep running through an agent restart (no drain): ${unit} has KillMode=process${post}, so the pods' containers live on in their containerd shims; only ${killallScript(distro)} stops them. The node is NotReady meanwhile: pods are evicted only if it stays so past their tolerations (300 s by default).`;
}

// bin/rke2-killall.sh and bin/k3s-killall.sh: upstream's scripts stop the units (rke2: rke2-server and
// rke2-agent; k3s: every k3s*.service), kill every containerd shim and the containers under it, unmount pod
// volumes, delete CNI interfaces and (rke2) remove the control-plane pod manifests. They trace with `set -x` on
// stderr. The lab does what keyturn can observe: the unit stops, and the static pods (etcd member, apiserver)
// that survived the unit on RKE2 are gone.
import { killallScript } from '../../src/model/cluster.js';
import { killStaticPods } from '../static-pods.js';
import type { CommandContext } from './io.js';

export async function runKillall({ lab, node, io }: CommandContext): Promise<number> {
  const trace = (line: string) => io.stderr(`+ ${line}\n`);
  const units = node.prog === 'rke2' ? ['rke2-server.service', 'rke2-agent.service'] : [`${node.unit}.service`];
  for (const unit of units) {
    trace(`systemctl stop ${unit}`);
    if (unit === `${node.unit}.service`) await node.service.stop();
    else io.stderr(`Failed to stop ${unit}: Unit ${unit} not loaded.\n`);
  }
  const killed = await killStaticPods(lab, node);
  trace(`killtree${killed.length > 0 ? ` (containerd-shim of ${killed.join(', ')})` : ''}`);
  trace("do_unmount_and_remove '/run/k3s'");
  trace("do_unmount_and_remove '/var/lib/kubelet/pods'");
  if (node.prog === 'rke2') {
    const manifests = `${node.paths.dataDir}/agent/pod-manifests`;
    trace(
      `rm -f ${['etcd', 'kube-apiserver', 'kube-controller-manager', 'cloud-controller-manager', 'kube-scheduler', 'kube-proxy'].map((p) => `${manifests}/${p}.yaml`).join(' ')}`,
    );
  }
  return 0;
}

export function isKillallCommand(prog: string, context: CommandContext): boolean {
  return prog === killallScript(context.node.prog);
}

// A lab node as a V1 Node, shaped like what RKE2/K3s register (see field-notes "Nodes, roles, units" and the
// captured Node in test/fixtures/upstream/rke2-node-json-server-annotations.json.txt).
import type { LabNodeView } from '../contract.js';
import { isServer } from '../../src/model/cluster.js';
import { stableUid, type KubeObject } from './objects.js';

/** Label and annotation patches a client made, layered over what the node itself reports. */
export interface MetadataOverlay {
  labels: Record<string, string | null>;
  annotations: Record<string, string | null>;
}

const RUNTIME_VERSION = 'containerd://1.7.27-k3s1';
const OS_IMAGE = 'Ubuntu 24.04.2 LTS';
const KERNEL_VERSION = '6.8.0-60-generic';

export function nodeUid(view: Pick<LabNodeView, 'name' | 'createdAt'>): string {
  return stableUid('Node', view.name, view.createdAt);
}

export function nodeLabels(view: LabNodeView): Record<string, string> {
  const prog = view.distro;
  const labels: Record<string, string> = {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/instance-type': prog,
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': view.name,
    'kubernetes.io/os': 'linux',
    'node.kubernetes.io/instance-type': prog,
  };
  // etcd-only servers carry no control-plane/master labels; agents carry no role label at all.
  if (view.roles.includes('control-plane')) {
    labels['node-role.kubernetes.io/control-plane'] = 'true';
    labels['node-role.kubernetes.io/master'] = 'true';
  }
  if (view.roles.includes('etcd')) labels['node-role.kubernetes.io/etcd'] = 'true';
  return labels;
}

export function nodeAnnotations(view: LabNodeView): Record<string, string> {
  const prog = view.distro;
  const annotations: Record<string, string> = {
    'alpha.kubernetes.io/provided-node-ip': view.address,
    'node.alpha.kubernetes.io/ttl': '0',
    [`${prog}.io/hostname`]: view.name,
    [`${prog}.io/internal-ip`]: view.address,
    [`${prog}.io/node-args`]: JSON.stringify([isServer(view.roles) ? 'server' : 'agent']),
    [`${prog}.io/node-env`]: '{}',
    'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
  };
  if (view.roles.includes('etcd')) {
    annotations[`etcd.${prog}.cattle.io/node-address`] = view.address;
    annotations[`etcd.${prog}.cattle.io/node-name`] = `${view.name}-${nodeUid(view).slice(0, 8)}`;
  }
  // etcd-only servers (and agents) have no encryption config, hence no hash annotation.
  if (view.encryptionHash !== null) annotations[`${prog}.io/encryption-config-hash`] = view.encryptionHash;
  return annotations;
}

/** A V1 Node JSON object for a lab node. */
export function nodeObject(view: LabNodeView, resourceVersion: string): object {
  return buildNodeObject(view, resourceVersion, undefined);
}

export function buildNodeObject(
  view: LabNodeView,
  resourceVersion: string,
  overlay: MetadataOverlay | undefined,
): KubeObject {
  const capacity = {
    cpu: '4',
    'ephemeral-storage': '61202244Ki',
    'hugepages-2Mi': '0',
    memory: '16374888Ki',
    pods: '110',
  };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: view.name,
      uid: nodeUid(view),
      resourceVersion,
      creationTimestamp: view.createdAt,
      labels: applyOverlay(nodeLabels(view), overlay?.labels),
      annotations: applyOverlay(nodeAnnotations(view), overlay?.annotations),
      finalizers: isServer(view.roles)
        ? ['wrangler.cattle.io/node', 'wrangler.cattle.io/managed-etcd-controller']
        : ['wrangler.cattle.io/node'],
    },
    spec: {
      podCIDR: podCidr(view.address),
      podCIDRs: [podCidr(view.address)],
      providerID: `${view.distro}://${view.name}`,
    },
    status: {
      addresses: [
        { type: 'InternalIP', address: view.address },
        { type: 'Hostname', address: view.name },
      ],
      allocatable: capacity,
      capacity,
      conditions: nodeConditions(view),
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        architecture: 'amd64',
        bootID: stableUid('boot', view.name, view.createdAt),
        containerRuntimeVersion: RUNTIME_VERSION,
        kernelVersion: KERNEL_VERSION,
        kubeProxyVersion: view.version,
        kubeletVersion: view.version,
        machineID: stableUid('machine', view.name).replaceAll('-', ''),
        operatingSystem: 'linux',
        osImage: OS_IMAGE,
        systemUUID: stableUid('system', view.name),
      },
    },
  };
}

function nodeConditions(view: LabNodeView): Record<string, string>[] {
  const since = view.createdAt;
  const condition = (type: string, status: string, reason: string, message: string) => ({
    type,
    status,
    reason,
    message,
    lastHeartbeatTime: since,
    lastTransitionTime: since,
  });
  // When the kubelet stops posting status, the node lifecycle controller turns every kubelet condition Unknown.
  const stale = (type: string) =>
    condition(type, 'Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.');
  const conditions: Record<string, string>[] = [];
  if (view.etcdVoter !== null) {
    conditions.push(
      view.etcdVoter
        ? condition('EtcdIsVoter', 'True', 'MemberNotLearner', 'Node is a voting member of the etcd cluster')
        : condition('EtcdIsVoter', 'False', 'Unhealthy', 'Node is unhealthy'),
    );
  }
  if (view.ready) {
    conditions.push(
      condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
      condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
      condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
      condition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
    );
  } else {
    conditions.push(stale('MemoryPressure'), stale('DiskPressure'), stale('PIDPressure'), stale('Ready'));
  }
  return conditions;
}

/** 10.42.N.0/24 from the last octet of the node's address, like the per-node CIDRs flannel hands out. */
function podCidr(address: string): string {
  const lastOctet = Number(address.split('.').at(-1)) || 0;
  return `10.42.${lastOctet % 256}.0/24`;
}

function applyOverlay(
  base: Record<string, string>,
  overlay: Record<string, string | null> | undefined,
): Record<string, string> {
  if (!overlay) return base;
  const merged = { ...base };
  for (const [key, value] of Object.entries(overlay)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

/** ROLES as kubectl prints it: every node-role label, sorted and joined ("control-plane,etcd,master"). */
export function nodeRolesColumn(labels: Record<string, string> | undefined): string {
  const roles = Object.keys(labels ?? {})
    .filter((key) => key.startsWith('node-role.kubernetes.io/'))
    .map((key) => key.slice('node-role.kubernetes.io/'.length))
    .filter((role) => role !== '');
  if (labels?.['kubernetes.io/role']) roles.push(labels['kubernetes.io/role']);
  return roles.length === 0 ? '<none>' : [...new Set(roles)].sort().join(',');
}

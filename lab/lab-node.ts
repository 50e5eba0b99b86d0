// One lab node: its spec, files, journal, systemd unit and the small bits of process state upstream keeps in memory.
import { isServer, serviceUnit, type Distro } from '../src/model/cluster.js';
import type { LabNodeSpec } from './contract.js';
import { labNodePaths } from './contract.js';
import type { NodeJournal } from './journal.js';
import type { ClusterCAs, NodeCertContext } from './pki/index.js';
import type { NodeService } from './service.js';

export interface LabNode {
  spec: LabNodeSpec;
  prog: Distro;
  unit: string;
  description: string;
  paths: ReturnType<typeof labNodePaths>;
  certs: NodeCertContext;
  journal: NodeJournal;
  service: NodeService;
  /**
   * A control-plane server whose start failed while etcd had no quorum keeps failing its automatic restarts even
   * once etcd is back, until an explicit start/restart while etcd is healthy (the split-role incident, rke2#7629).
   */
  stuck: boolean;
  /** An agent process retrying its first connection to a server (agent-connect.ts): its kubelet is not Ready. */
  awaitingServer?: boolean;
  /**
   * The Node object's encryption-config-hash annotation (control-plane servers): `<stage>-<hash>` as the server
   * last published it, or whatever a client patched in since (any text; null when removed).
   */
  encryptionHash: string | null;
  /** The node this one registers with (`server:` in its config.yaml); null for the init server. */
  joinTarget: string | null;
  /** Datastore revisions this server's disk was last reconciled with (see LabDatastore). */
  syncedCaRevision: number;
  syncedEncryptionRevision: number;
  /** RKE2 control-plane servers: the kube-apiserver static pod runs, whatever the unit's state (static-pods.ts). */
  apiserverPod: boolean;
}

export function unitDescription(distro: Distro, server: boolean): string {
  return distro === 'rke2' ? `Rancher Kubernetes Engine v2 (${server ? 'server' : 'agent'})` : 'Lightweight Kubernetes';
}

export function nodeIdentity(root: string, spec: LabNodeSpec, cas: ClusterCAs, version: string) {
  const paths = labNodePaths(root, spec.name);
  const server = isServer(spec.roles);
  const certs: NodeCertContext = {
    dataDir: paths.dataDir,
    distro: spec.distro,
    roles: spec.roles,
    nodeName: spec.name,
    address: spec.address,
    cas,
    version,
  };
  return {
    paths,
    certs,
    unit: serviceUnit(spec.distro, spec.roles),
    description: unitDescription(spec.distro, server),
  };
}

export const isControlPlane = (node: LabNode) => node.spec.roles.includes('control-plane');
export const hasEtcd = (node: LabNode) => node.spec.roles.includes('etcd');
export const isServerNode = (node: LabNode) => isServer(node.spec.roles);

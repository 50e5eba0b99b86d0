import { describe, expect, it } from 'vitest';
import { nodeObject } from '../../../lab/api/index.js';
import { nodeRolesColumn } from '../../../lab/api/node-object.js';
import { labNode } from './support/fake-backend.js';

type Node = {
  metadata: {
    name: string;
    uid: string;
    resourceVersion: string;
    creationTimestamp: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
  };
  spec: { providerID: string };
  status: {
    addresses: { type: string; address: string }[];
    conditions: { type: string; status: string; reason: string; message: string }[];
    nodeInfo: Record<string, string>;
  };
};

const asNode = (o: object) => o as Node;
const condition = (node: Node, type: string) => node.status.conditions.find((c) => c.type === type);

describe('nodeObject', () => {
  it('labels an etcd-only server with the etcd role only, and gives it no encryption hash', () => {
    const node = asNode(nodeObject(labNode('etcd-1', 1, ['etcd']), '42'));
    expect(node.metadata.labels['node-role.kubernetes.io/etcd']).toBe('true');
    expect(node.metadata.labels['node-role.kubernetes.io/control-plane']).toBeUndefined();
    expect(node.metadata.labels['node-role.kubernetes.io/master']).toBeUndefined();
    expect(node.metadata.annotations['rke2.io/encryption-config-hash']).toBeUndefined();
    expect(node.metadata.annotations['rke2.io/node-args']).toBe('["server"]');
    expect(nodeRolesColumn(node.metadata.labels)).toBe('etcd');
    expect(condition(node, 'EtcdIsVoter')).toMatchObject({ status: 'True', reason: 'MemberNotLearner' });
  });

  it('labels a control-plane server control-plane and master, with its encryption hash annotation', () => {
    const view = labNode('cp-1', 4, ['control-plane'], { encryptionHash: 'prepare-1234' });
    const node = asNode(nodeObject(view, '7'));
    expect(node.metadata.labels).toMatchObject({
      'node-role.kubernetes.io/control-plane': 'true',
      'node-role.kubernetes.io/master': 'true',
      'kubernetes.io/hostname': 'cp-1',
      'kubernetes.io/os': 'linux',
      'beta.kubernetes.io/arch': 'amd64',
      'beta.kubernetes.io/instance-type': 'rke2',
      'node.kubernetes.io/instance-type': 'rke2',
    });
    expect(node.metadata.annotations).toMatchObject({
      'rke2.io/encryption-config-hash': 'prepare-1234',
      'rke2.io/hostname': 'cp-1',
      'rke2.io/internal-ip': '127.0.10.4',
    });
    expect(condition(node, 'EtcdIsVoter')).toBeUndefined();
    expect(nodeRolesColumn(node.metadata.labels)).toBe('control-plane,master');
  });

  it('gives an all-in-one server every role, sorted as kubectl prints them', () => {
    const node = asNode(nodeObject(labNode('s1', 1, ['etcd', 'control-plane']), '1'));
    expect(nodeRolesColumn(node.metadata.labels)).toBe('control-plane,etcd,master');
  });

  it('describes a k3s agent with k3s prefixes and no role label', () => {
    const view = labNode('agent-1', 9, ['worker'], { distro: 'k3s', version: 'v1.29.12+k3s1' });
    const node = asNode(nodeObject(view, '3'));
    expect(Object.keys(node.metadata.labels).some((k) => k.startsWith('node-role.kubernetes.io/'))).toBe(false);
    expect(node.metadata.annotations['k3s.io/node-args']).toBe('["agent"]');
    expect(node.spec.providerID).toBe('k3s://agent-1');
    expect(node.status.nodeInfo).toMatchObject({
      kubeletVersion: 'v1.29.12+k3s1',
      containerRuntimeVersion: 'containerd://1.7.27-k3s1',
    });
    expect(node.status.addresses).toContainEqual({ type: 'InternalIP', address: '127.0.10.9' });
    expect(node.status.addresses).toContainEqual({ type: 'Hostname', address: 'agent-1' });
    expect(nodeRolesColumn(node.metadata.labels)).toBe('<none>');
  });

  it('reports a stopped kubelet as Unknown and an unhealthy etcd member as not a voter', () => {
    const node = asNode(nodeObject(labNode('etcd-2', 2, ['etcd'], { ready: false, etcdVoter: false }), '5'));
    expect(condition(node, 'Ready')).toMatchObject({
      status: 'Unknown',
      reason: 'NodeStatusUnknown',
      message: 'Kubelet stopped posting node status.',
    });
    expect(condition(node, 'EtcdIsVoter')).toMatchObject({ status: 'False', reason: 'Unhealthy' });
  });

  it('keeps uid stable per node and carries the given resourceVersion and creation time', () => {
    const view = labNode('cp-2', 5, ['control-plane']);
    const a = asNode(nodeObject(view, '10'));
    const b = asNode(nodeObject({ ...view, ready: false }, '11'));
    const other = asNode(nodeObject(labNode('cp-3', 6, ['control-plane']), '10'));
    expect(a.metadata.uid).toBe(b.metadata.uid);
    expect(a.metadata.uid).not.toBe(other.metadata.uid);
    expect(a.metadata.uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect([a.metadata.resourceVersion, b.metadata.resourceVersion]).toEqual(['10', '11']);
    expect(a.metadata.creationTimestamp).toBe(view.createdAt);
    expect(condition(a, 'Ready')).toMatchObject({ status: 'True', reason: 'KubeletReady' });
  });
});

import { describe, expect, it } from 'vitest';
import { describeCluster, sameCluster, type ClusterIdentity } from '../../src/model/cluster-identity.js';

const a: ClusterIdentity = {
  server: 'https://10.0.0.10:6443',
  caFingerprints: ['aa11'],
  nodes: ['etcd-1@10.0.0.1', 'etcd-2@10.0.0.2'],
};

describe('sameCluster', () => {
  it('the same CA is the same cluster, whatever the URL (a new load balancer)', () => {
    expect(sameCluster(a, { ...a, server: 'https://lb.example:6443' })).toBe(true);
  });
  it('nodes with the same names but another CA are another cluster', () => {
    expect(
      sameCluster(a, {
        server: 'https://10.1.0.10:6443',
        caFingerprints: ['bb22'],
        nodes: ['etcd-1@10.1.0.1', 'etcd-2@10.1.0.2'],
      }),
    ).toBe(false);
  });
  it('mid rotate-ca: one CA still shared is the same cluster', () => {
    expect(sameCluster(a, { ...a, caFingerprints: ['aa11', 'cc33'] })).toBe(true);
  });
  it('no CA read: the node addresses decide, then the URL', () => {
    expect(sameCluster({ ...a, caFingerprints: [] }, { server: null, nodes: ['etcd-1@10.0.0.1'] })).toBe(true);
    expect(sameCluster({ ...a, caFingerprints: [] }, { server: null, nodes: ['etcd-1@10.9.0.1'] })).toBe(false);
    expect(sameCluster({ server: 'https://x:6443' }, { server: 'https://x:6443' })).toBe(true);
    expect(sameCluster({ server: null }, { server: null })).toBe(false);
  });
  it('names a cluster by its URL or its nodes, and the start of its CA', () => {
    expect(describeCluster(a)).toBe('https://10.0.0.10:6443 (server CA aa11)');
    expect(describeCluster({ server: null, nodes: ['a@1', 'b@2', 'c@3', 'd@4'] })).toBe('nodes a@1, b@2, c@3, …');
  });
});

// The release cut of k3s#8402 ("Embedded etcd no longer serves http requests on the client port, only grpc"):
// merged 2023-09-22, backported to release-1.27 (#8427) and release-1.26 (#8428, shipped in #8616), first in the
// October 2023 releases. RKE2 pins k3s: v1.28.2+rke2r1 pins k3s of 2023-08-30 (before the merge), v1.28.3+rke2r1
// k3s of 2023-10-27 (rancher/rke2 go.mod at those tags).
import { describe, expect, it } from 'vitest';
import { etcdListenerLayout } from '../../../lab/upstream-versions.js';

describe('etcdListenerLayout', () => {
  it.each([
    ['v1.28.3+k3s1', 'grpc-only-client-port'],
    ['v1.28.3+rke2r1', 'grpc-only-client-port'],
    ['v1.27.7+rke2r1', 'grpc-only-client-port'],
    ['v1.26.10+k3s1', 'grpc-only-client-port'],
    ['v1.29.0+k3s1', 'grpc-only-client-port'],
    ['v1.32.5+rke2r1', 'grpc-only-client-port'],
    ['v1.28.2+rke2r1', 'http-on-client-port'],
    ['v1.27.6+k3s1', 'http-on-client-port'],
    ['v1.26.9+rke2r1', 'http-on-client-port'],
    ['v1.25.16+k3s4', 'http-on-client-port'],
  ])('%s → %s', (version, layout) => {
    expect(etcdListenerLayout(version)).toBe(layout);
  });
});

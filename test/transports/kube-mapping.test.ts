// API objects are untrusted: anyone with write access sets an annotation, a Lease holder or an event message.
// Every string keyturn maps from them is neutralised where it enters (issue #15), and the failures quote the
// server's words neutralised too.
import { describe, expect, it } from 'vitest';
import { failureFromError, failureFromStatus } from '../../src/transports/kube-failure.js';
import { toKubeEvent, toKubeLease, toKubeNode } from '../../src/transports/kube-mapping.js';
import { REMOVED_MARK as X } from '../../src/util/untrusted-text.js';

const OSC_TITLE = '\u001b]0;pwned\u0007';
const OSC_CLIPBOARD = '\u001b]52;c;cm0gLXJmIH4=\u0007';
const SGR = '\u001b[31;1m';

describe('API objects as keyturn reads them', () => {
  it('a node: annotations, labels, conditions and its name are neutralised, keys included', () => {
    const node = toKubeNode({
      metadata: {
        name: `n1${SGR}`,
        labels: { 'node-role.kubernetes.io/etcd': 'true', [`x${SGR}`]: 'y' },
        annotations: { 'rke2.io/encryption-config-hash': `start-${OSC_TITLE}abc${OSC_CLIPBOARD}` },
      },
      status: {
        conditions: [{ type: 'Ready', status: 'False', message: `kubelet ${SGR}down\u001b[2K` }],
        nodeInfo: { kubeletVersion: 'v1.30.1' } as never,
      },
    });
    expect(node.name).toBe(`n1${X}`);
    expect(node.labels).toEqual({ 'node-role.kubernetes.io/etcd': 'true', [`x${X}`]: 'y' });
    expect(node.annotations['rke2.io/encryption-config-hash']).toBe(`start-${X}abc${X}`);
    expect(node.conditions[0].message).toBe(`kubelet ${X}down${X}`);
    expect(node.kubeletVersion).toBe('v1.30.1');
  });

  it('a Lease holder with OSC 0 cannot retitle the window', () => {
    const lease = toKubeLease({
      metadata: { name: 'keyturn', namespace: 'kube-system', resourceVersion: '7' },
      spec: { holderIdentity: `mallory@box${OSC_TITLE}`, leaseDurationSeconds: 60 },
    });
    expect(lease).toMatchObject({ holderIdentity: `mallory@box${X}`, leaseDurationSeconds: 60, resourceVersion: '7' });
  });

  it('an event message and reason', () => {
    const event = toKubeEvent({
      metadata: { namespace: 'default' },
      involvedObject: { kind: 'Node', name: 'n1' },
      reason: `R${SGR}`,
      message: `m${OSC_CLIPBOARD}\nnext`,
    });
    expect(event).toMatchObject({ reason: `R${X}`, message: `m${X}\nnext`, count: 1 });
  });

  it('failures quote the server neutralised: a Status message, a readyz line, a network error', () => {
    expect(failureFromStatus(503, `[-]etcd failed: ${OSC_TITLE}`)).toEqual({
      kind: 'unavailable',
      status: 503,
      detail: `[-]etcd failed: ${X}`,
    });
    expect(
      failureFromError({ code: 403, body: JSON.stringify({ message: `forbidden ${OSC_CLIPBOARD}` }) }, 1000),
    ).toMatchObject({ detail: `forbidden ${X}` });
    expect(
      failureFromError(Object.assign(new Error(`connect ECONNREFUSED ${SGR}`), { code: 'ECONNREFUSED' }), 1000),
    ).toMatchObject({ kind: 'unreachable', detail: `ECONNREFUSED: connect ECONNREFUSED ${X}` });
  });
});

// Pure parts of the lab: option parsing, topologies and addresses, journalctl --since.
import { describe, expect, it } from 'vitest';
import { parseSince } from '../../lab/commands/journalctl.js';
import { parseLabOptions } from '../../lab/options.js';
import { planNodes } from '../../lab/topology.js';

describe('lab options', () => {
  it('defaults the version per distro and refuses non-loopback nets', () => {
    expect(parseLabOptions({ dir: '/tmp/x', distro: 'k3s' })).toMatchObject({
      version: 'v1.32.5+k3s1',
      net: '127.0.10',
      speed: 1,
      etcd: 'auto',
    });
    expect(parseLabOptions({ dir: '/tmp/x' }).version).toBe('v1.32.5+rke2r1');
    expect(() => parseLabOptions({ dir: '/tmp/x', net: '10.0.0' })).toThrow(/--net: "10.0.0" is not a loopback prefix/);
    expect(() => parseLabOptions({ dir: '/tmp/x', topology: 'mesh' })).toThrow(/unknown topology/);
    expect(() => parseLabOptions({ dir: '/tmp/x', version: 'v1.32.5+k3s1' })).toThrow(/not a rke2 version/);
  });

  it('plans every topology with addresses net.i', () => {
    const names = (topology: string) =>
      planNodes(parseLabOptions({ dir: '/x', topology, net: '127.0.9' })).map(
        (n) => `${n.name}@${n.address}:${n.roles.join('+')}`,
      );
    expect(names('split')).toEqual([
      'etcd-1@127.0.9.1:etcd',
      'etcd-2@127.0.9.2:etcd',
      'etcd-3@127.0.9.3:etcd',
      'cp-1@127.0.9.4:control-plane',
      'cp-2@127.0.9.5:control-plane',
      'agent-1@127.0.9.6:worker',
      'agent-2@127.0.9.7:worker',
    ]);
    expect(names('ha')).toHaveLength(5);
    expect(names('ha')[0]).toBe('server-1@127.0.9.1:etcd+control-plane');
    expect(names('single')).toEqual(['server-1@127.0.9.1:etcd+control-plane', 'agent-1@127.0.9.2:worker']);
    const large = names('large:200');
    expect(large).toHaveLength(200);
    expect(large.filter((n) => n.endsWith('etcd+control-plane'))).toHaveLength(3);
    expect(large[199]).toBe('agent-197@127.0.9.200:worker');
  });
});

describe('journalctl --since', () => {
  const now = new Date('2026-11-22T02:10:03Z');
  it('reads absolute, relative and epoch times', () => {
    expect(parseSince('2026-11-22 02:00:00', now)?.toISOString()).toBe('2026-11-22T02:00:00.000Z');
    expect(parseSince('-5min', now)?.toISOString()).toBe('2026-11-22T02:05:03.000Z');
    expect(parseSince('10 s ago', now)?.toISOString()).toBe('2026-11-22T02:09:53.000Z');
    expect(parseSince('@0', now)?.getTime()).toBe(0);
    expect(parseSince('yesterday-ish', now)).toBeUndefined();
  });
});

import { describe, expect, it, vi } from 'vitest';
vi.hoisted(() => {
  process.env.FORCE_COLOR = '1';
});
import React from 'react';
import { render } from 'ink-testing-library';
import { NodeTable } from '../../components/NodeTable.js';
import { isColoured, lineWith, stripAnsi } from './frames.js';
import { node, splitReport } from './sample-report.js';

function table(selected: string | null = null) {
  const frame = render(<NodeTable nodes={splitReport().nodes} selected={selected} />).lastFrame() ?? '';
  return { raw: frame, plain: stripAnsi(frame) };
}

describe('NodeTable', () => {
  it('orders a split-role cluster etcd servers, then control plane, then agents, under group titles', () => {
    const { plain } = table();
    const order = [
      'etcd servers',
      'etcd-1',
      'etcd-2',
      'etcd-3',
      'control-plane servers',
      'cp-1',
      'cp-2',
      'agents',
      'agent-1',
      'agent-2',
    ];
    const positions = order.map((s) => plain.indexOf(s));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it('shows roles, version, and the service state with its restart count in red when activating', () => {
    const { raw } = table();
    const cp1 = lineWith(raw, 'cp-1');
    expect(stripAnsi(cp1)).toMatch(/cp-1\s+cp\s+v1\.32\.5\+rke2r1\s+activating ↻12/);
    expect(isColoured(cp1, 'activating ↻12', 'red')).toBe(true);
    expect(stripAnsi(lineWith(raw, 'agent-1'))).toMatch(/agent-1\s+worker/);
    const both = render(<NodeTable nodes={[node('srv-1', ['etcd', 'control-plane'])]} />).lastFrame() ?? '';
    expect(stripAnsi(both)).toMatch(/srv-1\s+etcd,cp/);
    expect(stripAnsi(both)).toContain('etcd servers');
  });

  it('shows a Type=notify server in activating/start with no restarts as starting, in yellow, not as a red loop', () => {
    const starting = node('cp-9', ['control-plane'], {
      service: { unit: 'rke2-server', state: 'activating', subState: 'start', restarts: 0 },
    });
    const looping = node('cp-8', ['control-plane'], {
      service: { unit: 'rke2-server', state: 'activating', subState: 'auto-restart', restarts: 0 },
    });
    const raw = render(<NodeTable nodes={[starting, looping]} />).lastFrame() ?? '';
    expect(stripAnsi(lineWith(raw, 'cp-9'))).toMatch(/cp-9\s+cp\s+\S+\s+starting/);
    expect(isColoured(lineWith(raw, 'cp-9'), 'starting', 'yellow')).toBe(true);
    expect(isColoured(lineWith(raw, 'cp-8'), 'activating', 'red')).toBe(true);
  });

  it('colours the earliest leaf expiry: red expired, yellow inside the renew window, green ok', () => {
    const { raw } = table();
    expect(isColoured(lineWith(raw, 'agent-2'), '-3d', 'red')).toBe(true);
    expect(isColoured(lineWith(raw, 'agent-1'), '60d', 'yellow')).toBe(true);
    // 280d is the earliest leaf on etcd-1 (the CA's 3600d does not count).
    expect(isColoured(lineWith(raw, 'etcd-1'), '280d', 'green')).toBe(true);
  });

  it('marks the node whose CA differs from the majority, and the encryption hash that does not match', () => {
    const { raw } = table();
    expect(isColoured(lineWith(raw, 'etcd-2'), '✗', 'red')).toBe(true);
    expect(isColoured(lineWith(raw, 'etcd-1'), '✓', 'green')).toBe(true);
    expect(stripAnsi(lineWith(raw, 'cp-1'))).toContain('start c0ffee12 ✓');
    const cp2 = lineWith(raw, 'cp-2');
    expect(stripAnsi(cp2)).toContain('prepare 0badcafe ✗');
    expect(isColoured(cp2, 'prepare 0badcafe ✗', 'red')).toBe(true);
  });

  it('shows etcd health: leader star, healthy, unhealthy, and a dash for nodes without etcd', () => {
    const { plain } = table();
    expect(lineWith(plain, 'etcd-1')).toContain('leader ★');
    expect(lineWith(plain, 'etcd-2')).toContain('healthy');
    expect(lineWith(plain, 'etcd-3')).toContain('unhealthy');
    expect(lineWith(plain, 'agent-1').trimEnd()).toMatch(/—$/);
  });

  it('highlights the selected row with a pointer and only that row', () => {
    const { plain } = table('cp-2');
    expect(lineWith(plain, 'cp-2')).toMatch(/^› cp-2/);
    expect(plain.split('\n').filter((l) => l.startsWith('›'))).toHaveLength(1);
  });

  it('scrolls a large cluster so the selected node stays visible', () => {
    const nodes = Array.from({ length: 30 }, (_, i) => node(`w-${i + 1}`, ['worker']));
    const plain = stripAnsi(render(<NodeTable nodes={nodes} selected="w-25" maxRows={8} />).lastFrame() ?? '');
    expect(plain).toContain('› w-25');
    expect(plain).not.toContain('w-1 ');
    expect(plain).toMatch(/↑ \d+ more/);
  });
});

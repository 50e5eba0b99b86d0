import { describe, expect, it, vi } from 'vitest';
vi.hoisted(() => {
  process.env.FORCE_COLOR = '1';
});
import React from 'react';
import { render } from 'ink-testing-library';
import { ExpiryTimeline, columnFor } from '../../components/ExpiryTimeline.js';
import { isColoured, lineWith, stripAnsi } from './frames.js';
import { cert, node, splitReport } from './sample-report.js';

describe('ExpiryTimeline', () => {
  it('draws one bar per node in rotation order, longer for more days left', () => {
    const frame = stripAnsi(render(<ExpiryTimeline nodes={splitReport().nodes} />).lastFrame() ?? '');
    const names = ['etcd-1', 'etcd-2', 'etcd-3', 'cp-1', 'cp-2', 'agent-1', 'agent-2'];
    const lines = names.map((n) => lineWith(frame, n));
    expect(names.map((n) => frame.indexOf(n))).toEqual(names.map((n) => frame.indexOf(n)).sort((a, b) => a - b));
    const filled = (line: string) => (line.match(/█/g) ?? []).length;
    expect(filled(lines[0])).toBeGreaterThan(filled(lines[5])); // 280d vs 60d
    expect(filled(lines[6])).toBe(0); // expired
    expect(lines[6]).toContain('expired 3d ago');
  });

  it('puts the renew-window marker at the same column on every bar and labels it', () => {
    const nodes = [
      node('a', ['worker'], { certificates: [cert('x', 10)] }),
      node('b', ['worker'], { certificates: [cert('x', 390)] }),
    ];
    const frame = stripAnsi(
      render(<ExpiryTimeline nodes={nodes} renewWindowDays={120} barWidth={40} />).lastFrame() ?? '',
    );
    const marks = ['a ', 'b '].map((n) => lineWith(frame, n).indexOf('┃'));
    expect(marks[0]).toBeGreaterThan(0);
    expect(marks[0]).toBe(marks[1]);
    expect(marks[0]).toBe(5 + columnFor(120, 400, 40)); // after the 4-wide name column and a space
    expect(frame).toContain('120d renew');
    expect(frame).toContain('400d');
  });

  it('colours bars by the worst leaf status', () => {
    const raw = render(<ExpiryTimeline nodes={splitReport().nodes} />).lastFrame() ?? '';
    expect(isColoured(lineWith(raw, 'agent-1'), '█', 'yellow')).toBe(true);
    expect(isColoured(lineWith(raw, 'etcd-1'), '█', 'green')).toBe(true);
    expect(isColoured(lineWith(raw, 'agent-2'), ' expired 3d ago', 'red')).toBe(true);
  });
});

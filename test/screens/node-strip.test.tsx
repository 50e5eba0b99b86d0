// The run screen's node strip: each node's state read from the run's state, and a line that fits 80 columns
// however many nodes the run has.
import { describe, expect, it } from 'vitest';
import React from 'react';
import { render } from 'ink-testing-library';
import { nodeProgress } from '../../src/engine/node-progress.js';
import { NodeStrip, stripWindow, type StripNode } from '../../components/NodeStrip.js';
import type { RunState } from '../../src/engine/reducer.js';
import { stripAnsi } from '../components/frames.js';
import { demoPlan, demoState } from './run-fixture.js';

function withNodes(names: string[]): RunState {
  const base = demoPlan();
  const template = base.blocks[0];
  const plan = {
    ...base,
    nodes: names.map((name) => ({ ...base.nodes[0], name })),
    blocks: names.map((name) => ({
      ...template,
      key: `demo/${name}/servers`,
      node: name,
      steps: template.steps.map((s) => ({
        ...s,
        key: `demo/${name}/servers.${s.stepId}`,
        blockKey: `demo/${name}/servers`,
        node: name,
      })),
    })),
  };
  const state = demoState();
  return {
    ...state,
    plan,
    blocks: Object.fromEntries(plan.blocks.map((b) => [b.key, { confirmed: false, skipped: null }])),
    steps: Object.fromEntries(
      plan.blocks.flatMap((b) => b.steps.map((s) => [s.key, { ...state.steps[template.steps[0].key] }])),
    ),
  };
}

/** Marks every step of `node` with `status`; its block confirmed (or skipped). */
function mark(state: RunState, node: string, status: 'done' | 'failed' | 'running' | 'skipped'): void {
  const block = state.plan.blocks.find((b) => b.node === node)!;
  state.blocks[block.key] = { confirmed: true, skipped: status === 'skipped' ? 'operator' : null };
  for (const s of block.steps)
    state.steps[s.key] = { ...state.steps[s.key], status: status === 'skipped' ? 'pending' : status, attempts: 1 };
}

describe('nodeProgress', () => {
  it('reads done, skipped, now, next and pending from the run state, in the plan order', () => {
    const state = withNodes(['etcd-1', 'etcd-2', 'etcd-3', 'cp-1', 'agent-1']);
    expect(nodeProgress(state).map((n) => n.progress)).toEqual(['now', 'next', 'pending', 'pending', 'pending']);
    mark(state, 'etcd-1', 'done');
    mark(state, 'etcd-2', 'skipped');
    mark(state, 'etcd-3', 'running');
    expect(nodeProgress(state)).toEqual([
      { name: 'etcd-1', progress: 'done' },
      { name: 'etcd-2', progress: 'skipped' },
      { name: 'etcd-3', progress: 'now' },
      { name: 'cp-1', progress: 'next' },
      { name: 'agent-1', progress: 'pending' },
    ]);
  });

  it('a failed run: the failed node, nothing "now"', () => {
    const state = withNodes(['etcd-1', 'etcd-2', 'etcd-3']);
    mark(state, 'etcd-1', 'done');
    mark(state, 'etcd-2', 'failed');
    state.outcome = { status: 'failed', at: 'x', failure: {} as never };
    expect(nodeProgress(state).map((n) => n.progress)).toEqual(['done', 'failed', 'pending']);
  });
});

describe('NodeStrip', () => {
  it('shows every node when they fit', () => {
    const nodes: StripNode[] = [
      { name: 'etcd-1', progress: 'done' },
      { name: 'etcd-2', progress: 'now' },
      { name: 'cp-1', progress: 'next' },
      { name: 'agent-1', progress: 'pending' },
    ];
    expect(stripAnsi(render(<NodeStrip nodes={nodes} width={80} />).lastFrame() ?? '')).toBe(
      '✓ etcd-1  ▶ etcd-2  → cp-1  · agent-1',
    );
  });

  it('a 60-node run fits 80 columns: counts, then a window around the node the run is on', () => {
    const names = Array.from({ length: 60 }, (_, i) => `node-${String(i + 1).padStart(2, '0')}`);
    const nodes: StripNode[] = names.map((name, i) => ({
      name,
      progress: i < 30 ? 'done' : i === 30 ? 'now' : i === 31 ? 'next' : 'pending',
    }));
    nodes[3] = { ...nodes[3], progress: 'skipped' };
    const line = stripAnsi(render(<NodeStrip nodes={nodes} width={80} />).lastFrame() ?? '');
    expect(line.length).toBeLessThanOrEqual(80);
    expect(line.startsWith('29 done · 1 skipped · 30 to go │ … ')).toBe(true);
    expect(line).toContain('✓ node-30  ▶ node-31  → node-32');
    expect(line.endsWith(' …')).toBe(true);
    const { start, end } = stripWindow(nodes, 80);
    expect(start).toBeLessThan(30);
    expect(end).toBeGreaterThan(31);
  });
});

describe('nodeProgress, a node visited twice', () => {
  it('is done between its visits and next again when the run comes back to it', () => {
    const state = withNodes(['etcd-1', 'etcd-2', 'etcd-3']);
    // A second phase on every node (as rotate-certs' final verify): etcd-1..3, then etcd-1..3 again.
    const again = state.plan.blocks.map((b) => ({
      ...b,
      key: `${b.key}-verify`,
      steps: b.steps.map((s) => ({ ...s, key: `${s.key}-verify`, blockKey: `${b.key}-verify` })),
    }));
    state.plan = { ...state.plan, blocks: [...state.plan.blocks, ...again] };
    for (const b of again) {
      state.blocks[b.key] = { confirmed: false, skipped: null };
      for (const s of b.steps)
        state.steps[s.key] = { ...state.steps[state.plan.blocks[0].steps[0].key], status: 'pending', attempts: 0 };
    }
    mark(state, 'etcd-1', 'done');
    expect(nodeProgress(state).map((n) => n.progress)).toEqual(['done', 'now', 'next']);
    mark(state, 'etcd-2', 'done');
    mark(state, 'etcd-3', 'done');
    expect(nodeProgress(state).map((n) => n.progress)).toEqual(['now', 'next', 'done']);
  });
});

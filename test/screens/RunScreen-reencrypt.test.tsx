// The run screen while a rotation waits for re-encryption: the progress widget appears with the wait, follows the
// readings the bridge carries, warns of a stall, and goes away when the wait ends.
import { describe, expect, it } from 'vitest';
import React from 'react';
import { render } from 'ink-testing-library';
import { findRecipe } from '../../recipes/index.js';
import type { ReencryptProgress, RunEvent } from '../../src/engine/events.js';
import { planRun } from '../../src/engine/plan.js';
import { applyEvent, initialState, type RunState } from '../../src/engine/reducer.js';
import { RunBridge } from '../../src/hooks/run-bridge.js';
import { RunScreen } from '../../src/screens/RunScreen.js';
import { cluster } from '../engine/support/clusters.js';
import { stripAnsi, waitForFrame } from '../components/frames.js';

function classicState(): RunState {
  const c = cluster('ha', 'k3s');
  for (const n of c.nodes) n.version = 'v1.29.12+k3s1';
  c.cluster.version = 'v1.29.12+k3s1';
  const r = planRun(findRecipe('rotate-encryption-keys')!, c, { runId: 'RUN-ENC' });
  if (!r.ok) throw new Error(r.refusal.reason);
  return initialState({
    type: 'run-created',
    at: '2026-01-01T00:00:00.000Z',
    runId: 'RUN-ENC',
    plan: r.plan,
    operator: { user: 'op', host: 'ws' },
    cluster: { server: null },
  });
}

const reading = (over: Partial<ReencryptProgress>): ReencryptProgress => ({
  done: 0,
  total: 10000,
  ratePerSecond: null,
  secondsLeft: null,
  stalledSeconds: 0,
  finished: false,
  source: 'api',
  ...over,
});

describe('RunScreen re-encryption progress', () => {
  it('shows the widget only while the wait runs, with the latest reading and a stall warning', async () => {
    const bridge = new RunBridge({
      recipe: 'rotate-encryption-keys',
      runId: 'RUN-ENC',
      cluster: 'https://api:6443',
      resumed: false,
    });
    let state = classicState();
    const block = state.plan.blocks.find((b) => b.phase === 'reencrypt')!;
    const [command, wait] = block.steps;
    expect(wait.step.kind).toBe('wait');
    bridge.startRunning(state);
    const app = render(<RunScreen bridge={bridge} onExit={() => undefined} />);
    const frame = () => stripAnsi(app.lastFrame() ?? '');
    const feed = (e: RunEvent) => {
      state = applyEvent(state, e);
      bridge.onEvent(e, state);
    };
    feed({ type: 'block-confirmed', at: '2026-01-01T00:00:01.000Z', block: block.key });
    feed({
      type: 'step-started',
      at: '2026-01-01T00:00:02.000Z',
      key: command.key,
      attempt: 1,
      command: command.command,
    });
    await waitForFrame(frame, (f) => f.includes('secrets-encrypt reencrypt'));
    expect(frame()).not.toContain('Re-encrypting secrets');

    feed({
      type: 'step-finished',
      at: '2026-01-01T00:00:03.000Z',
      key: command.key,
      result: { status: 'done', summary: 'reencrypt started', execs: [] },
    });
    feed({ type: 'step-started', at: '2026-01-01T00:00:04.000Z', key: wait.key, attempt: 1, command: null });
    const waiting = await waitForFrame(frame, (f) => f.includes(`Re-encrypting secrets on ${wait.node}`));
    expect(waiting).toContain('waiting for the first reading');

    bridge.emit({
      type: 'progress',
      node: wait.node,
      progress: reading({ done: 2500, ratePerSecond: 5, secondsLeft: 1500 }),
      stallAfterSeconds: 120,
    });
    const moving = await waitForFrame(frame, (f) => f.includes('2500 of 10000 secrets'));
    expect(moving).toContain('5 secrets/s');
    expect(moving).toContain('~25m 00s left');
    expect(moving).not.toContain('No progress');

    bridge.emit({
      type: 'progress',
      node: wait.node,
      progress: reading({ done: 2500, ratePerSecond: 5, secondsLeft: 1500, stalledSeconds: 125 }),
      stallAfterSeconds: 120,
    });
    const stuck = await waitForFrame(frame, (f) => f.includes('No progress for 2m 05s'));
    expect(stuck).toContain('journalctl -u k3s');

    feed({
      type: 'step-finished',
      at: '2026-01-01T00:10:00.000Z',
      key: wait.key,
      result: { status: 'done', summary: 'done', execs: [] },
    });
    await waitForFrame(frame, (f) => !f.includes('Re-encrypting secrets'));
    app.unmount();
    bridge.dispose();
  });
});

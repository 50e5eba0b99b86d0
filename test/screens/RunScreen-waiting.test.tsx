// The run screen while a settle or gate waits: the running step's line says where the wait stands (elapsed of
// total, what it waits on) as the engine reports it, and goes back to the step's text when the step ends.
import { describe, it } from 'vitest';
import React from 'react';
import { render } from 'ink-testing-library';
import type { RunEvent } from '../../src/engine/events.js';
import { findRecipe } from '../../recipes/index.js';
import { planRun } from '../../src/engine/plan.js';
import { applyEvent, initialState, type RunState } from '../../src/engine/reducer.js';
import { RunBridge } from '../../src/hooks/run-bridge.js';
import { RunScreen } from '../../src/screens/RunScreen.js';
import { stripAnsi, waitForFrame } from '../components/frames.js';
import { cluster } from '../engine/support/clusters.js';

function rotateCertsState(): RunState {
  const r = planRun(findRecipe('rotate-certs')!, cluster('split'), { runId: 'RUN-W' });
  if (!r.ok) throw new Error(r.refusal.reason);
  return initialState({
    type: 'run-created',
    at: '2026-01-01T00:00:00.000Z',
    runId: 'RUN-W',
    plan: r.plan,
    operator: { user: 'op', host: 'ws' },
    cluster: { server: null },
  });
}

describe('RunScreen: a wait says where it stands', () => {
  it("shows the settle's seconds and restarts on its line, then the next reading, then leaves it", async () => {
    let state = rotateCertsState();
    const block = state.plan.blocks.find((b) => b.steps.some((s) => s.kind === 'settle'))!;
    const settle = block.steps.find((s) => s.kind === 'settle')!;
    const bridge = new RunBridge({
      recipe: state.plan.recipe,
      runId: state.plan.runId,
      cluster: 'https://api:6443',
      resumed: false,
    });
    bridge.startRunning(state);
    const app = render(<RunScreen bridge={bridge} onExit={() => undefined} />);
    const frame = () => stripAnsi(app.lastFrame() ?? '');
    const feed = (e: RunEvent) => {
      state = applyEvent(state, e);
      bridge.onEvent(e, state);
    };
    feed({ type: 'block-confirmed', at: '2026-01-01T00:00:01.000Z', block: block.key });
    for (const s of block.steps.slice(0, block.steps.indexOf(settle))) {
      feed({ type: 'step-started', at: '2026-01-01T00:00:02.000Z', key: s.key, attempt: 1, command: s.command });
      feed({
        type: 'step-finished',
        at: '2026-01-01T00:00:03.000Z',
        key: s.key,
        result: { status: 'done', summary: '', execs: [] },
      });
    }
    feed({ type: 'step-started', at: '2026-01-01T00:00:04.000Z', key: settle.key, attempt: 1, command: null });
    bridge.emit({
      type: 'waiting',
      node: settle.node,
      key: settle.key,
      wait: { elapsedSeconds: 93, totalSeconds: 150, about: '0 restarts · active/running' },
    });
    await waitForFrame(frame, (f) => f.includes('93 s of 150 s · 0 restarts · active/running'));
    bridge.emit({
      type: 'waiting',
      node: settle.node,
      key: settle.key,
      wait: { elapsedSeconds: 98, totalSeconds: 150, about: '0 restarts · active/running' },
    });
    await waitForFrame(frame, (f) => f.includes('98 s of 150 s') && !f.includes('93 s of 150 s'));
    feed({
      type: 'step-finished',
      at: '2026-01-01T00:02:34.000Z',
      key: settle.key,
      result: { status: 'done', summary: 'settled', execs: [] },
    });
    await waitForFrame(frame, (f) => !f.includes('98 s of 150 s'));
    app.unmount();
    bridge.dispose();
  });
});

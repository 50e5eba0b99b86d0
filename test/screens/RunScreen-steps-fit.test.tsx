// The steps of the node being changed fit the terminal (issue #14 leftover): at 80×24 a node with many steps is cut
// to a window around the step in flight, with "earlier" and "+N more" lines, as the question's command list is —
// the run's header, the node strip and the help bar stay on screen.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import React from 'react';
import { render } from 'ink';
import { render as renderTest } from 'ink-testing-library';
import { RunBridge } from '../../src/hooks/run-bridge.js';
import { initialState } from '../../src/engine/reducer.js';
import { RunScreen } from '../../src/screens/RunScreen.js';
import { BlockSteps, stepWindow, type BlockStepView } from '../../components/BlockSteps.js';
import { stripAnsi, waitForFrame } from '../components/frames.js';
import { demoPlan } from './run-fixture.js';

class Terminal extends EventEmitter {
  isTTY = true;
  frames: string[] = [];
  constructor(
    public columns: number,
    public rows: number,
  ) {
    super();
  }
  write = (data: string) => {
    this.frames.push(data);
    return true;
  };
  last = () => stripAnsi(this.frames.at(-1) ?? '');
}

class Keyboard extends EventEmitter {
  isTTY = true;
  setRawMode() {}
  setEncoding() {}
  ref() {}
  unref() {}
  read() {
    return null;
  }
}

const STEPS = 30;

/** A run on its first node, whose block has STEPS steps: the first `done` done, the next one running. */
function manyStepsState(done: number) {
  const plan = demoPlan();
  const [first] = plan.blocks;
  const template = first.steps[0];
  first.steps = Array.from({ length: STEPS }, (_, i) => ({
    ...template,
    key: `${first.key}.s${i + 1}`,
    stepId: `s${i + 1}`,
    title: `Step number ${i + 1}`,
    command: `echo step ${i + 1}`,
  }));
  const state = initialState({
    type: 'run-created',
    at: '2026-01-01T00:00:00.000Z',
    runId: plan.runId,
    plan,
    operator: { user: 'op', host: 'ws' },
    cluster: { server: null },
  });
  first.steps.forEach((s, i) => {
    state.steps[s.key] = { ...state.steps[s.key], status: i < done ? 'done' : i === done ? 'running' : 'pending' };
  });
  return state;
}

describe('the steps in flight', () => {
  const view = (n: number, running: number): BlockStepView[] =>
    Array.from({ length: n }, (_, i) => ({
      title: `s${i + 1}`,
      status: i < running ? 'done' : i === running ? 'running' : 'pending',
      detail: '',
    }));

  it('are all drawn when they fit, else a window that keeps the running step, with the cut counted', () => {
    expect(stepWindow(view(5, 2), 5)).toEqual({ start: 0, end: 5 });
    expect(stepWindow(view(5, 2))).toEqual({ start: 0, end: 5 });
    for (const running of [0, 7, 15, 29]) {
      const { start, end } = stepWindow(view(30, running), 8);
      expect(start <= running && running < end).toBe(true);
      expect((start > 0 ? 1 : 0) + (end - start) + (end < 30 ? 1 : 0)).toBeLessThanOrEqual(8);
    }
    const app = renderTest(<BlockSteps node="etcd-1" title="Rotate" steps={view(30, 15)} tick={0} maxRows={8} />);
    const f = stripAnsi(app.lastFrame() ?? '');
    expect(f.split('\n')).toHaveLength(1 + 8);
    expect(f).toContain('s16');
    expect(f).toMatch(/… \d+ earlier steps/);
    expect(f).toMatch(/… \+\d+ more steps: the plan preview and `keyturn plan` show every step/);
    app.unmount();
  });

  it('at 80×24 a node with 30 steps keeps the header, the strip, the running step and the help bar', async () => {
    const stdout = new Terminal(80, 24);
    const bridge = new RunBridge({ recipe: 'demo', runId: 'RUN-1', cluster: 'https://api:6443', resumed: false });
    const app = render(<RunScreen bridge={bridge} onExit={() => {}} />, {
      stdout: stdout as unknown as NodeJS.WriteStream,
      stdin: new Keyboard() as unknown as NodeJS.ReadStream,
      exitOnCtrlC: false,
      patchConsole: false,
      debug: true,
    });
    try {
      bridge.startRunning(manyStepsState(14));
      const frame = await waitForFrame(stdout.last, (f) => f.includes('Step number 15'));
      const lines = frame.replace(/\n$/, '').split('\n');
      expect(lines.length, frame).toBeLessThanOrEqual(23);
      expect(lines[0]).toMatch(/^keyturn run · demo · run RUN-1/);
      expect(frame).toMatch(/[▶→] etcd-1/);
      expect(frame).toMatch(/… \+\d+ more steps/);
      expect(frame).toMatch(/ctrl-c stop now/);
    } finally {
      app.unmount();
    }
  });
});

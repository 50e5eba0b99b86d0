import { describe, expect, it } from 'vitest';
import type { ReencryptProgress } from '../../src/engine/events.js';
import type { LogEvent } from '../../src/engine/ports.js';
import { applyEvent } from '../../src/engine/reducer.js';
import { notesOf, RunBridge } from '../../src/hooks/run-bridge.js';
import { demoPlan, demoState } from '../screens/run-fixture.js';

const reading = (done: number): ReencryptProgress => ({
  done,
  total: 10000,
  ratePerSecond: 5,
  secondsLeft: (10000 - done) / 5,
  stalledSeconds: 0,
  finished: false,
  source: 'api',
});

/** Resolves at the bridge's next notification. */
const notified = (bridge: RunBridge) =>
  new Promise<void>((resolve) => {
    const off = bridge.subscribe(() => {
      off();
      resolve();
    });
  });

describe('RunBridge', () => {
  it('batches a burst of log lines into at most one notification per 100 ms', async () => {
    const bridge = new RunBridge({ recipe: 'demo', runId: 'RUN-1', cluster: 'x', resumed: false });
    bridge.startRunning(demoState());
    bridge.emit({ type: 'tail-started', node: 'etcd-1', unit: 'rke2-server', command: 'journalctl' });
    await new Promise((r) => setTimeout(r, 120));
    let notified = 0;
    bridge.subscribe(() => (notified += 1));
    const started = Date.now();
    while (Date.now() - started < 500) {
      for (let i = 0; i < 50; i++) bridge.emit({ type: 'line', node: 'etcd-1', line: `l${i}`, stream: 'stdout' });
      await new Promise((r) => setTimeout(r, 5));
    }
    await new Promise((r) => setTimeout(r, 150));
    const seconds = (Date.now() - started) / 1000;
    expect(notified).toBeGreaterThan(0);
    expect(notified).toBeLessThanOrEqual(Math.ceil(seconds * 10) + 1);
    bridge.dispose();
  });

  it('q while a step runs answers the next question with quit; a second q aborts now', async () => {
    const bridge = new RunBridge({ recipe: 'demo', runId: 'RUN-1', cluster: 'x', resumed: false });
    const state = demoState();
    bridge.startRunning(state);
    bridge.requestQuit();
    expect(bridge.signal.aborted).toBe(false);
    const b = state.plan.blocks[0];
    const answer = await bridge.confirmNode(
      {
        runId: 'RUN-1',
        block: b,
        node: b.node,
        unit: 'rke2-server',
        steps: [],
        requireTypedName: false,
        resumed: false,
      },
      new AbortController().signal,
    );
    expect(answer).toEqual({ answer: 'quit' });
    bridge.requestQuit();
    expect(bridge.signal.aborted).toBe(true);
    bridge.dispose();
  });

  it('carries the latest re-encryption reading to the view, batched like log lines', async () => {
    // A clock that stands still: every reading after the first render falls in the same 100 ms window.
    const bridge = new RunBridge({ recipe: 'demo', runId: 'RUN-1', cluster: 'x', resumed: false }, () => 0);
    bridge.startRunning(demoState());
    expect(bridge.getSnapshot().reencrypt).toBeNull();
    let count = 0;
    bridge.subscribe(() => (count += 1));
    const next = notified(bridge);
    for (let done = 0; done <= 5000; done += 50)
      bridge.emit({ type: 'progress', node: 'cp-1', progress: reading(done), stallAfterSeconds: 120 });
    await next;
    expect(bridge.getSnapshot().reencrypt).toEqual({ node: 'cp-1', progress: reading(5000), stallAfterSeconds: 120 });
    expect(count).toBe(1);
    bridge.dispose();
  });

  it('a step starting drops the previous reading; other run events keep it', async () => {
    const bridge = new RunBridge({ recipe: 'demo', runId: 'RUN-1', cluster: 'x', resumed: false });
    let state = demoState();
    bridge.startRunning(state);
    bridge.emit({ type: 'progress', node: 'etcd-1', progress: reading(100), stallAfterSeconds: 120 });
    const key = state.plan.blocks[0].steps[0].key;
    const confirmed = {
      type: 'block-confirmed' as const,
      at: '2026-01-01T00:00:01.000Z',
      block: state.plan.blocks[0].key,
    };
    state = applyEvent(state, confirmed);
    bridge.onEvent(confirmed, state);
    expect(bridge.getSnapshot().reencrypt?.progress.done).toBe(100);
    const started = { type: 'step-started' as const, at: '2026-01-01T00:00:02.000Z', key, attempt: 1, command: null };
    state = applyEvent(state, started);
    bridge.onEvent(started, state);
    expect(bridge.getSnapshot().reencrypt).toBeNull();
    bridge.dispose();
  });

  it('takes every kind of log event without disturbing the others', () => {
    const bridge = new RunBridge({ recipe: 'demo', runId: 'RUN-1', cluster: 'x', resumed: false }, Date.now, 0);
    bridge.startRunning(demoState());
    const events: LogEvent[] = [
      { type: 'tail-started', node: 'cp-1', unit: 'rke2-server', command: 'journalctl -u rke2-server -f' },
      { type: 'line', node: 'cp-1', line: 'started', stream: 'stdout' },
      { type: 'progress', node: 'cp-1', progress: reading(50), stallAfterSeconds: 60 },
      { type: 'tail-stopped', node: 'cp-1' },
    ];
    for (const e of events) bridge.emit(e);
    bridge.dispose();
    const view = bridge.getSnapshot();
    expect(view.logs).toMatchObject({ node: 'cp-1', unit: 'rke2-server', lines: ['started'] });
    expect(view.reencrypt).toEqual({ node: 'cp-1', progress: reading(50), stallAfterSeconds: 60 });
  });

  it('a finished line keeps what the operator needs later: the new join-token CA hash, the secrets re-encrypted', () => {
    const bridge = new RunBridge({ recipe: 'demo', runId: 'RUN-1', cluster: 'x', resumed: false }, Date.now, 0);
    let state = demoState();
    bridge.startRunning(state);
    const [first, second] = state.plan.blocks[0].steps;
    const hash = `K10${'ab'.repeat(32)}`;
    const events = [
      { type: 'block-confirmed' as const, at: '2026-01-01T00:00:01.000Z', block: state.plan.blocks[0].key },
      { type: 'step-started' as const, at: '2026-01-01T00:00:02.000Z', key: first.key, attempt: 1, command: null },
      {
        type: 'step-finished' as const,
        at: '2026-01-01T00:00:03.000Z',
        key: first.key,
        result: {
          status: 'done' as const,
          summary: '',
          execs: [],
          data: { ca: { serverCa: 'ab'.repeat(32), tokenHash: hash } },
        },
      },
      { type: 'step-started' as const, at: '2026-01-01T00:00:04.000Z', key: second.key, attempt: 1, command: null },
      {
        type: 'step-finished' as const,
        at: '2026-01-01T00:00:09.000Z',
        key: second.key,
        result: {
          status: 'done' as const,
          summary: '',
          execs: [],
          data: { reencrypt: { ...reading(10000), finished: true } },
        },
      },
    ];
    for (const e of events) {
      state = applyEvent(state, e);
      bridge.onEvent(e, state);
    }
    bridge.dispose();
    const [a, b] = bridge.getSnapshot().finished;
    expect(a.detail).toBe(`1.0s · new join-token CA hash ${hash}`);
    expect(b.detail).toBe('5.0s · 10000 of 10000 secrets re-encrypted');
  });
});

describe('notesOf (the finished line of a step)', () => {
  it('names every gate check that could not be made, with why; passing checks add nothing', () => {
    const notes = notesOf({
      gate: [
        { check: 'unit-active', status: 'pass', detail: 'rke2-server active' },
        {
          check: 'node-ready',
          status: 'skipped',
          detail: 'API unreachable (unavailable 503: etcd cluster is unavailable): Ready not checked',
        },
        { check: 'etcd-quorum', status: 'pass', detail: '3 members healthy' },
      ],
    });
    expect(notes).toEqual([
      'node-ready not checked: API unreachable (unavailable 503: etcd cluster is unavailable): Ready not checked',
    ]);
    expect(notesOf({ gate: [{ check: 'node-ready', status: 'skipped', detail: 'x'.repeat(500) }] })[0]).toHaveLength(
      'node-ready not checked: '.length + 120,
    );
    expect(notesOf(undefined)).toEqual([]);
  });

  it('the preview offers the settle window: s re-plans with the next choice, the start runs the plan last shown', async () => {
    const bridge = new RunBridge({ recipe: 'demo', runId: 'RUN-1', cluster: 'x', resumed: false });
    const plan = demoPlan();
    const asked: number[] = [];
    bridge.offerSettle(
      { seconds: 150, choices: [150, 300, 60], timeScale: 4 },
      (s) => (asked.push(s), { ...plan, settleSeconds: Math.ceil(s / 4) }),
    );
    bridge.cycleSettle(); // not on the preview yet: nothing changes
    expect(asked).toEqual([]);
    const started = bridge.waitForStart(plan);
    bridge.cycleSettle();
    expect(bridge.getSnapshot().settle).toMatchObject({ seconds: 300 });
    expect(bridge.plan?.settleSeconds).toBe(75);
    bridge.cycleSettle();
    bridge.cycleSettle();
    expect(asked).toEqual([300, 60, 150]);
    expect(bridge.getSnapshot().settle?.seconds).toBe(150);
    bridge.answerStart(true);
    expect(await started).toBe(true);
    expect(bridge.plan?.settleSeconds).toBe(38);
    bridge.dispose();
  });
});

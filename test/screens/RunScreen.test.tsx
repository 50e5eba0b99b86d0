import { describe, expect, it, vi } from 'vitest';
import React from 'react';
import { render } from 'ink-testing-library';
import { RunBridge, LOG_KEEP_LINES } from '../../src/hooks/run-bridge.js';
import { applyEvent } from '../../src/engine/reducer.js';
import type { RunEvent } from '../../src/engine/events.js';
import { RunScreen } from '../../src/screens/RunScreen.js';
import { press, settle, stripAnsi, waitForFrame } from '../components/frames.js';
import { demoPlan, demoState, requestFor } from './run-fixture.js';

function start() {
  const bridge = new RunBridge({ recipe: 'demo', runId: 'RUN-1', cluster: 'https://api:6443', resumed: false });
  const onExit = vi.fn();
  const app = render(<RunScreen bridge={bridge} onExit={onExit} />);
  const frame = () => stripAnsi(app.lastFrame() ?? '');
  return { bridge, onExit, app, frame, driven: { lastFrame: frame, stdin: app.stdin } };
}

async function type(driven: { lastFrame: () => string; stdin: { write: (s: string) => void } }, text: string) {
  for (const ch of text) {
    await settle();
    const before = driven.lastFrame();
    driven.stdin.write(ch);
    await waitForFrame(driven.lastFrame, (f) => f !== before);
  }
  await settle();
}

describe('RunScreen', () => {
  it('shows the plan first; enter starts, and the header names recipe, run and cluster', async () => {
    const { bridge, frame, driven } = start();
    const started = bridge.waitForStart(demoPlan());
    const f = await waitForFrame(frame, (x) => x.includes('Press enter to start'));
    expect(f).toContain('keyturn run · demo · run RUN-1 · cluster https://api:6443');
    expect(f).toContain('$ systemctl stop rke2-server');
    await press(driven, '\r', (x) => !x.includes('Press enter to start'));
    await expect(started).resolves.toBe(true);
  });

  it('asks before a node with every exact command; y answers run, and only then', async () => {
    const { bridge, frame, driven } = start();
    bridge.startRunning(demoState());
    const answer = bridge.confirmNode(requestFor(demoPlan(), 0), new AbortController().signal);
    const f = await waitForFrame(frame, (x) => x.includes('These steps will run on etcd-1'));
    expect(f).toContain('Rotate each server: etcd-1 (etcd · rke2-server)');
    expect(f).toContain('$ systemctl stop rke2-server');
    expect(f).toContain('$ rke2 certificate rotate');
    expect(f).toContain('gate: etcd quorum');
    expect(f).toMatch(/⚠ y run this node/);
    await press(driven, 'x', (x) => x.includes('These steps will run on etcd-1'));
    await press(driven, 'y', (x) => !x.includes('These steps will run on etcd-1'));
    await expect(answer).resolves.toEqual({ answer: 'run' });
  });

  it('s skips and q quits at the question', async () => {
    const { bridge, frame, driven } = start();
    bridge.startRunning(demoState());
    const skip = bridge.confirmNode(requestFor(demoPlan(), 0), new AbortController().signal);
    await waitForFrame(frame, (x) => x.includes('These steps will run on etcd-1'));
    await press(driven, 's', (x) => !x.includes('These steps will run on'));
    await expect(skip).resolves.toEqual({ answer: 'skip' });
    const quit = bridge.confirmNode(requestFor(demoPlan(), 0), new AbortController().signal);
    await waitForFrame(frame, (x) => x.includes('These steps will run on etcd-1'));
    await press(driven, 'q', (x) => !x.includes('These steps will run on'));
    await expect(quit).resolves.toEqual({ answer: 'quit' });
  });

  it('a destructive node takes the typed node name: y and s are just letters, a wrong name is refused', async () => {
    const { bridge, frame, driven } = start();
    bridge.startRunning(demoState());
    const plan = demoPlan();
    const first = bridge.confirmNode(requestFor(plan, 1), new AbortController().signal);
    await waitForFrame(frame, (x) => x.includes('Type the node name cp-1'));
    await type(driven, 'ys');
    expect(frame()).toContain('> ys');
    await press(driven, '\u007f', (x) => x.includes('> y') && !x.includes('> ys'));
    await press(driven, '\u007f', (x) => !x.includes('> y'));
    await type(driven, 'cp-2');
    driven.stdin.write('\r');
    // The screen passes what was typed; the driver compares it with the node name and asks again.
    await expect(first).resolves.toEqual({ answer: 'run', typedName: 'cp-2' });
    const second = bridge.confirmNode(
      requestFor(plan, 1, 'typed "cp-2", not the node name cp-1'),
      new AbortController().signal,
    );
    const again = await waitForFrame(frame, (x) => x.includes('not the node name cp-1'));
    expect(again).toContain('✗ typed "cp-2", not the node name cp-1; nothing was run');
    expect(again).not.toContain('> cp-2');
    await type(driven, 'cp-1');
    driven.stdin.write('\r');
    await expect(second).resolves.toEqual({ answer: 'run', typedName: 'cp-1' });
  });

  it('after a failure on a node the run left stopped: the panel says STOPPED, y starts it, n leaves the next one', async () => {
    const { bridge, frame, driven } = start();
    let state = demoState();
    bridge.startRunning(state);
    const key = state.plan.blocks[0].steps[2].key;
    const failure = {
      node: 'etcd-1',
      key,
      check: 'command',
      message: '`rke2 certificate rotate` exited 1 on etcd-1',
      command: 'rke2 certificate rotate',
      exitCode: 1,
      evidence: [],
      fix: 'read the journal, then keyturn resume',
    };
    for (const e of [
      { type: 'step-finished', at: '2026-01-01T00:00:03.500Z', key, result: { status: 'failed', failure, execs: [] } },
      { type: 'run-failed', at: '2026-01-01T00:00:03.600Z', failure },
    ] as RunEvent[]) {
      state = applyEvent(state, e);
      bridge.onEvent(e, state);
    }
    bridge.showStopped([
      'etcd-1 is STOPPED: this run stopped rke2-server and failed before starting it again — start it with `systemctl start rke2-server` on etcd-1',
    ]);
    const first = bridge.askStartStopped({
      node: 'etcd-1',
      unit: 'rke2-server',
      command: 'systemctl start rke2-server',
    });
    const f = await waitForFrame(frame, (x) => x.includes('y starts it'));
    expect(f).toContain('⚠ etcd-1 is STOPPED: this run stopped rke2-server');
    expect(f).toMatch(/Start rke2-server on etcd-1 now \(`systemctl start rke2-server`\)\?/);
    expect(f).toMatch(/⚠ y start the stopped node/);
    await press(driven, 'x', (x) => x.includes('y starts it'));
    await press(driven, 'y', (x) => !x.includes('y starts it'));
    await expect(first).resolves.toBe(true);
    const second = bridge.askStartStopped({
      node: 'etcd-2',
      unit: 'rke2-server',
      command: 'systemctl start rke2-server',
    });
    await waitForFrame(frame, (x) => x.includes('Start rke2-server on etcd-2'));
    await press(driven, 'n', (x) => !x.includes('y starts it'));
    await expect(second).resolves.toBe(false);
  });

  it('on failure shows the check, the node, the evidence, the command with its exit code and the fix, then waits for q', async () => {
    const { bridge, frame, driven, onExit } = start();
    let state = demoState();
    bridge.startRunning(state);
    const key = state.plan.blocks[0].steps[2].key;
    const failure = {
      node: 'etcd-1',
      key,
      check: 'etcd-quorum',
      message: 'etcd-quorum failed on etcd-1: 1 of 3 etcd members unhealthy',
      command: 'etcdctl endpoint health',
      exitCode: 1,
      evidence: ['member etcd-2 unhealthy: connection refused'],
      fix: 'bring etcd-2 back, then keyturn resume',
    };
    const events: RunEvent[] = [
      { type: 'block-confirmed', at: '2026-01-01T00:00:01.000Z', block: state.plan.blocks[0].key },
      { type: 'step-started', at: '2026-01-01T00:00:02.000Z', key, attempt: 1, command: null },
      { type: 'step-finished', at: '2026-01-01T00:00:03.500Z', key, result: { status: 'failed', failure, execs: [] } },
      { type: 'run-failed', at: '2026-01-01T00:00:03.600Z', failure },
    ];
    for (const e of events) {
      state = applyEvent(state, e);
      bridge.onEvent(e, state);
    }
    bridge.finish('✗ stopped at etcd-1: etcd-quorum — bring etcd-2 back, then keyturn resume', true);
    const f = await waitForFrame(frame, (x) => x.includes('press q to exit'));
    expect(f).toContain('✗ Stopped: check etcd-quorum failed on etcd-1');
    expect(f).toContain('member etcd-2 unhealthy: connection refused');
    expect(f).toContain('command: etcdctl endpoint health → exit 1');
    expect(f).toContain('What to do: bring etcd-2 back, then keyturn resume');
    expect(f).toContain('✗ etcd-1 · Healthy before the next server · failed: etcd-quorum');
    expect(onExit).not.toHaveBeenCalled();
    await settle();
    driven.stdin.write('q');
    await vi.waitFor(() => expect(onExit).toHaveBeenCalledTimes(1));
  });

  it('keeps only the last lines of the node being changed, and says how many were dropped', async () => {
    const { bridge, frame } = start();
    bridge.startRunning(demoState());
    bridge.emit({
      type: 'tail-started',
      node: 'etcd-1',
      unit: 'rke2-server',
      command: 'journalctl -u rke2-server -f -n 0',
    });
    for (let i = 1; i <= 2000; i++) bridge.emit({ type: 'line', node: 'etcd-1', line: `line ${i}`, stream: 'stdout' });
    bridge.emit({ type: 'line', node: 'cp-1', line: 'not this node', stream: 'stdout' });
    const f = await waitForFrame(frame, (x) => x.includes('line 2000'));
    const logs = bridge.getSnapshot().logs;
    expect(logs.lines).toHaveLength(LOG_KEEP_LINES);
    expect(logs.dropped).toBe(2000 - LOG_KEEP_LINES);
    expect(f).toMatch(/… \d+ earlier lines/);
    expect(f).not.toContain('not this node');
    expect(f.split('\n').length).toBeLessThan(40);
  });
});

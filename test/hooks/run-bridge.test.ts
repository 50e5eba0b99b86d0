import { describe, expect, it } from 'vitest';
import { RunBridge } from '../../src/hooks/run-bridge.js';
import { demoState } from '../screens/run-fixture.js';

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
    const answer = await bridge.confirmNode({ runId: 'RUN-1', block: b, node: b.node, unit: 'rke2-server', steps: [], requireTypedName: false, resumed: false }, new AbortController().signal);
    expect(answer).toEqual({ answer: 'quit' });
    bridge.requestQuit();
    expect(bridge.signal.aborted).toBe(true);
    bridge.dispose();
  });
});

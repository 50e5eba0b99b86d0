// The run screen's side of an agent wave: after one "y" for the wave, every node's tail goes into the one bounded
// pane, each line prefixed by its node; the next node outside the wave gets its own pane again.
import { describe, expect, it } from 'vitest';
import { LOG_KEEP_LINES, RunBridge } from '../../src/hooks/run-bridge.js';
import { demoState } from '../screens/run-fixture.js';

describe('RunBridge: agent waves', () => {
  it('merges the wave nodes tails into one bounded pane, prefixed by node', async () => {
    const bridge = new RunBridge({ recipe: 'demo', runId: 'RUN-1', cluster: 'x', resumed: false }, Date.now, 0);
    const state = demoState();
    bridge.startRunning(state);
    const b = state.plan.blocks[0];
    const asked = bridge.confirmNode(
      {
        runId: 'RUN-1',
        block: b,
        node: 'agent-1',
        unit: 'rke2-agent',
        steps: [],
        requireTypedName: false,
        resumed: false,
        wave: { key: 'demo/agents/wave-1', index: 1, of: 2, phase: 'agents', nodes: ['agent-1', 'agent-2'] },
      },
      new AbortController().signal,
    );
    expect(bridge.getSnapshot().pendingConfirm?.wave?.nodes).toEqual(['agent-1', 'agent-2']);
    bridge.answerConfirm({ answer: 'run' });
    await asked;
    bridge.emit({ type: 'tail-started', node: 'agent-1', unit: 'rke2-agent', command: 'journalctl' });
    bridge.emit({ type: 'tail-started', node: 'agent-2', unit: 'rke2-agent', command: 'journalctl' });
    bridge.emit({ type: 'line', node: 'agent-1', line: 'one', stream: 'stdout' });
    bridge.emit({ type: 'line', node: 'agent-2', line: 'two', stream: 'stdout' });
    bridge.emit({ type: 'line', node: 'agent-9', line: 'not in the wave', stream: 'stdout' });
    for (let i = 0; i < LOG_KEEP_LINES + 10; i++)
      bridge.emit({ type: 'line', node: 'agent-2', line: `n${i}`, stream: 'stdout' });
    bridge.dispose();
    const logs = bridge.getSnapshot().logs;
    expect(logs.node).toBe('wave 1 of 2 (2 nodes)');
    expect(logs.wave).toBe(true);
    expect(logs.lines.length).toBe(LOG_KEEP_LINES);
    expect(logs.dropped).toBe(12);
    expect(logs.lines.at(-1)).toBe(`agent-2 │ n${LOG_KEEP_LINES + 9}`);
    expect(logs.lines.some((l) => l.includes('not in the wave'))).toBe(false);
    // The next node outside the wave: its own pane, lines as they are.
    bridge.emit({ type: 'tail-started', node: 'agent-3', unit: 'rke2-agent', command: 'journalctl' });
    bridge.emit({ type: 'line', node: 'agent-3', line: 'three', stream: 'stdout' });
    bridge.dispose();
    expect(bridge.getSnapshot().logs).toMatchObject({ node: 'agent-3', wave: false, lines: ['three'] });
  });
});

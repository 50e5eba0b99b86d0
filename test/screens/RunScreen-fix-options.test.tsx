// The run screen's failure panel: the fix's `keyturn …` commands carry the options the operator started keyturn
// with (the bridge's header says how), as the CLI's exit lines do.
import { describe, expect, it } from 'vitest';
import React from 'react';
import { render } from 'ink-testing-library';
import { findRecipe } from '../../recipes/index.js';
import { withSessionOptions } from '../../src/commands/keyturn-command.js';
import { planRun } from '../../src/engine/plan.js';
import { applyEvent, initialState } from '../../src/engine/reducer.js';
import { RunBridge } from '../../src/hooks/run-bridge.js';
import { RunScreen } from '../../src/screens/RunScreen.js';
import { stripAnsi, waitForFrame } from '../components/frames.js';
import { cluster } from '../engine/support/clusters.js';

describe('RunScreen: the fix of a failure', () => {
  it("names keyturn commands with the session's --kubeconfig and --inventory", async () => {
    const r = planRun(findRecipe('rotate-certs')!, cluster('split'), { runId: 'RUN-F' });
    if (!r.ok) throw new Error(r.refusal.reason);
    const created = initialState({
      type: 'run-created',
      at: '2026-01-01T00:00:00.000Z',
      runId: 'RUN-F',
      plan: r.plan,
      operator: { user: 'op', host: 'ws' },
      cluster: { server: null },
    });
    const step = r.plan.blocks[0].steps[0];
    const failure = {
      node: step.node,
      key: step.key,
      check: 'backup',
      message: 'backup failed',
      command: null,
      exitCode: 1,
      evidence: [],
      fix: 'free space on the node, then `keyturn resume`',
    };
    const state = applyEvent(created, { type: 'run-failed', at: '2026-01-01T00:00:05.000Z', failure });
    const options = { kubeconfig: '/k/prod.yaml', inventory: 'my inv.yaml' };
    const bridge = new RunBridge({
      recipe: 'rotate-certs',
      runId: 'RUN-F',
      cluster: 'https://api:6443',
      resumed: false,
      withOptions: (t) => withSessionOptions(t, options),
    });
    bridge.startRunning(state);
    const app = render(<RunScreen bridge={bridge} onExit={() => undefined} />);
    // The panel wraps inside its border: read it as one line of words.
    const frame = () =>
      stripAnsi(app.lastFrame() ?? '')
        .replace(/[║│]/g, ' ')
        .replace(/\s+/g, ' ');
    const shown = await waitForFrame(frame, (f) => f.includes('free space on the node'));
    const resume = "`keyturn resume --kubeconfig /k/prod.yaml --inventory 'my inv.yaml'`";
    expect(shown).toContain(`then ${resume}`);
    expect(shown).toContain(`Fix the cause, then ${resume} checks this step`);
    app.unmount();
    bridge.dispose();
  });
});

// The read-only wizard (`keyturn --read-only`): the keymap's `dangerous` flag is the one thing that decides which
// keys go. Here: the filter over the whole table, then the real App drawn by Ink — the header, the help bar and the
// help overlay without a dangerous key, those keys doing nothing, and a picked recipe showing its plan, not a run.
import { describe, expect, it, vi } from 'vitest';
import React from 'react';
import type { Key } from 'ink';
import { render } from 'ink-testing-library';
import { App } from '../../src/screens/App.js';
import {
  KEYMAP,
  actionFor,
  boundOn,
  hintsFor,
  readOnlyKeymap,
  type KeyMatch,
  type ScreenName,
} from '../../src/screens/keymap.js';
import { press, stripAnsi, waitForFrame } from '../components/frames.js';
import { splitReport } from '../components/sample-report.js';
import { NO_KEY as noKey } from '../../src/hooks/useKeys.js';

const ALL_SCREENS: ScreenName[] = [...new Set(KEYMAP.flatMap((b) => b.screens as readonly ScreenName[])), 'running'];

/** The (input, key) pair Ink reports for a keymap match. */
function press1(m: KeyMatch): [string, Key] {
  if ('char' in m) return [m.char, noKey];
  if ('ctrl' in m) return [m.ctrl, { ...noKey, ctrl: true }];
  const flag = {
    up: 'upArrow',
    down: 'downArrow',
    enter: 'return',
    escape: 'escape',
    pageUp: 'pageUp',
    pageDown: 'pageDown',
  }[m.named];
  return ['', { ...noKey, [flag]: true }];
}

describe('the read-only keymap', () => {
  it('flags as dangerous exactly what starts, continues or closes a run, runs or starts a node, or takes a lock', () => {
    expect([...new Set(KEYMAP.filter((b) => b.dangerous).map((b) => b.action))].sort()).toEqual(
      [
        'abandon-run',
        'abort-run',
        'resume-run',
        'run-node',
        'start-run',
        'start-stopped-node',
        'take-over',
        'type-node-name',
      ].sort(),
    );
  });

  it('drops every dangerous binding and keeps every other one', () => {
    const table = readOnlyKeymap();
    expect(table.length).toBeGreaterThan(0);
    expect(table.every((b) => !b.dangerous)).toBe(true);
    expect(table).toEqual(KEYMAP.filter((b) => !b.dangerous));
  });

  it('no screen offers a dangerous key, and none of their keys does anything', () => {
    const table = readOnlyKeymap();
    const context = { interruptedRun: true };
    for (const screen of ALL_SCREENS) {
      expect(hintsFor(screen, table, context).filter((h) => h.dangerous)).toEqual([]);
      for (const b of KEYMAP.filter((b) => b.dangerous && boundOn(b, screen))) {
        for (const m of b.match) {
          const [input, key] = press1(m);
          // The key was the dangerous action in the full keymap; read-only, it means nothing or something safe.
          expect(actionFor(screen, input, key, KEYMAP, context)).toBe(b.action);
          const now = actionFor(screen, input, key, table, context);
          expect(now === undefined || !KEYMAP.some((d) => d.dangerous && d.action === now)).toBe(true);
        }
      }
    }
    // The plan preview's enter and the dashboard's c and x: gone.
    expect(actionFor('run-preview', '', { ...noKey, return: true }, table)).toBeUndefined();
    expect(actionFor('dashboard', 'c', noKey, table, context)).toBeUndefined();
    expect(actionFor('dashboard', 'x', noKey, table, context)).toBeUndefined();
    expect(hintsFor('dashboard', table, context).map((h) => h.key)).not.toContain('c');
    // Safe keys stay: the picker and the plan screen work as before.
    expect(actionFor('pick-recipe', '', { ...noKey, return: true }, table)).toBe('list-pick');
    expect(actionFor('plan', 'j', noKey, table)).toBe('scroll-down');
  });
});

describe('App with readOnly', () => {
  const interrupted = {
    runId: 'RUN-5',
    recipe: 'rotate-certs',
    summary: 'stopped (quit) · 3 of 34 steps done',
    reportCommand: 'keyturn report RUN-5',
  };

  function start() {
    const startRun = vi.fn();
    const resumeRun = vi.fn();
    const abandonRun = vi.fn(async () => {});
    const findInterrupted = vi.fn(async () => interrupted);
    const planText = vi.fn(
      (recipe: string) =>
        `Plan: ${recipe}\n${Array.from({ length: 60 }, (_, i) => `  step line ${i + 1}`).join('\n')}\n\nNothing was changed. Run it with: keyturn run ${recipe} --context prod\n`,
    );
    // Every way into a run is passed: read-only must reach none of them.
    const app = render(
      <App
        discover={async () => splitReport()}
        onExit={() => {}}
        readOnly
        planText={planText}
        startRun={startRun}
        resumeRun={resumeRun}
        abandonRun={abandonRun}
        findInterrupted={findInterrupted}
      />,
    );
    const frame = () => stripAnsi(app.lastFrame() ?? '');
    return { app, frame, driven: { lastFrame: frame, stdin: app.stdin }, startRun, resumeRun, abandonRun, planText };
  }

  it('says READ-ONLY above the dashboard, shows the unfinished run without offering it, and c and x do nothing', async () => {
    const { app, frame, driven, resumeRun, abandonRun } = start();
    const dash = await waitForFrame(frame, (f) => f.includes('etcd servers') && f.includes('RUN-5'));
    expect(dash).toContain('An earlier rotate-certs run did not finish: RUN-5');
    expect(dash.replace(/\s+/g, ' ')).toContain(
      'Read-only here: continue or abandon it without --read-only; see keyturn report RUN-5.',
    );
    expect(dash).not.toContain('Press c');
    expect(dash.split('\n')[0]).toBe('READ-ONLY · keys that change the cluster or its runs are off');
    // The help bar (the last line): no dangerous key, so no ⚠.
    expect(dash.trimEnd().split('\n').at(-1)).toMatch(/q quit$/);
    expect(dash.trimEnd().split('\n').at(-1)).not.toContain('⚠');
    expect(dash).not.toMatch(/continue the interrupted run|abandon the interrupted run/);
    for (const k of ['c', 'x']) {
      app.stdin.write(k);
      // The next key's frame proves the one before was handled (keys are handled in order).
      await press(driven, '?', (f) => f.includes('Keys on this screen'));
      await press(driven, '?', (f) => !f.includes('Keys on this screen'));
    }
    expect(resumeRun).not.toHaveBeenCalled();
    expect(abandonRun).not.toHaveBeenCalled();
    app.unmount();
  });

  it('a picked recipe shows its plan with the line that runs it; enter there starts nothing; esc goes back', async () => {
    const { app, frame, driven, startRun, planText } = start();
    await waitForFrame(frame, (f) => f.includes('etcd servers'));
    await press(driven, 'p', (f) => f.includes('Pick a recipe'));
    const plan = await press(driven, '\r', (f) => f.includes('Plan: recover-restart-loop'));
    expect(plan.split('\n')[0]).toContain('READ-ONLY');
    expect(planText).toHaveBeenCalledWith(
      'recover-restart-loop',
      expect.objectContaining({ nodes: expect.any(Array) }),
    );
    expect(plan).toMatch(/↓ \d+ more lines/);
    expect(plan).toContain('↓/j scroll down');
    // Scrolled to the end, the last line says how to run it (keyturn plan's text: the one command home).
    let end = plan;
    for (let i = 0; i < 4 && !end.includes('Run it with'); i++)
      end = await press(driven, '\u001b[6~', (f) => f !== end);
    expect(end).toContain('Nothing was changed. Run it with: keyturn run recover-restart-loop --context prod');
    expect(end).toContain('↑ ');
    app.stdin.write('\r');
    const help = await press(driven, '?', (f) => f.includes('Keys on this screen'));
    expect(help).not.toMatch(/start|changes the cluster/);
    expect(startRun).not.toHaveBeenCalled();
    await press(driven, '?', (f) => !f.includes('Keys on this screen'));
    await press(driven, '\u001b', (f) => f.includes('Pick a recipe'));
    app.unmount();
  });
});

// The keymap's bindings are tied to handlers by their types: a key on a run screen takes a run action (RunScreen
// handles every one in an exhaustive switch), a key on a wizard screen (the App's, the cluster picker) only an
// action that screen handles (keymap.ts WizardActions; App.tsx and cluster-picker.tsx switch over each). `npm run typecheck` checks this
// file: should the types loosen, the @ts-expect-error lines below stop being errors and the typecheck fails.
import { describe, expect, it } from 'vitest';
import { KEYMAP, type AppAction, type Binding, type RunAction } from '../../src/screens/keymap.js';

describe('keymap binding types', () => {
  it('refuses a run-screen key whose action the run screen does not handle, and the reverse', () => {
    const wrong: Binding[] = [
      // @ts-expect-error 'pick-recipe' is an App action: the run screen has no handler for it
      { key: 'p', label: 'pick', action: 'pick-recipe', match: [], screens: ['run-confirm'] },
      // @ts-expect-error 'run-node' is a run action: the App has no handler for it
      { key: 'y', label: 'run', action: 'run-node', match: [], screens: ['dashboard'] },
    ];
    expect(wrong).toHaveLength(2);
  });

  it('refuses a wizard key on a screen that has no handler for its action', () => {
    const wrong: Binding[] = [
      // @ts-expect-error the dashboard has no list (list-pick is the recipe picker's)
      { key: 'enter', label: 'pick', action: 'list-pick', match: [], screens: ['dashboard'] },
      // @ts-expect-error the plan screen starts nothing: it has no pick-recipe case
      { key: 'p', label: 'pick', action: 'pick-recipe', match: [], screens: ['dashboard', 'plan'] },
      // @ts-expect-error the cluster picker has no help overlay
      { key: '?', label: 'help', action: 'help', match: [], screens: ['pick-cluster'] },
      // @ts-expect-error while a run is on screen the App has no keys at all
      { key: 'q', label: 'quit', action: 'quit', match: [], screens: ['running'] },
    ];
    const right: Binding[] = [
      { key: 'q', label: 'quit', action: 'quit', match: [], screens: ['dashboard', 'pick-cluster', 'plan'] },
    ];
    expect([...wrong, ...right]).toHaveLength(5);
  });

  it('every run action and every App-only action in the table is bound on its own side only', () => {
    const runActions: RunAction[] = KEYMAP.filter((b) => b.screens.some((s) => s.startsWith('run-'))).map(
      (b) => b.action as RunAction,
    );
    const appActions: AppAction[] = KEYMAP.filter((b) => b.screens.some((s) => !s.startsWith('run-'))).map(
      (b) => b.action as AppAction,
    );
    expect(runActions).toContain('run-node');
    expect(appActions).toContain('pick-recipe');
    expect(
      KEYMAP.every(
        (b) => b.screens.every((s) => s.startsWith('run-')) || b.screens.every((s) => !s.startsWith('run-')),
      ),
    ).toBe(true);
  });
});

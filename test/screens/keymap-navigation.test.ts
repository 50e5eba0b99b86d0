import { describe, expect, it } from 'vitest';
import { KEYMAP, actionFor, boundOn, hintsFor, type ScreenName } from '../../src/screens/keymap.js';
import { deriveView, initialNav, navigate, type NavState } from '../../src/screens/navigation.js';
import { cert, node, splitReport } from '../components/sample-report.js';
import { NO_KEY as noKey } from '../../src/hooks/useKeys.js';

describe('keymap', () => {
  it('maps the same key to what it means on each screen', () => {
    expect(actionFor('dashboard', 'j', noKey)).toBe('move-down');
    expect(actionFor('dashboard', '', { ...noKey, upArrow: true })).toBe('move-up');
    expect(actionFor('node-detail', 'j', noKey)).toBe('scroll-down');
    expect(actionFor('dashboard', '', { ...noKey, return: true })).toBe('open-detail');
    expect(actionFor('node-detail', '', { ...noKey, escape: true })).toBe('back');
    // The App moves the recipe list itself (ink-select-input dropped keys of a fast chunk).
    expect(actionFor('pick-recipe', 'j', noKey)).toBe('move-down');
    expect(actionFor('pick-recipe', '', { ...noKey, return: true })).toBe('list-pick');
    // The plan preview: ctrl-c quits as on the other screens (nothing has changed yet).
    expect(actionFor('run-preview', 'c', { ...noKey, ctrl: true })).toBe('quit');
    expect(actionFor('dashboard', 'x', noKey)).toBeUndefined();
    expect(actionFor('dashboard', 'q', { ...noKey, ctrl: true })).toBeUndefined();
  });

  it('every screen can quit and get help, and the help bar lists exactly the bindings of the screen', () => {
    const screens: ScreenName[] = ['discovering', 'dashboard', 'node-detail', 'pick-recipe', 'plan', 'error'];
    for (const s of screens) {
      const hints = hintsFor(s);
      expect(hints.map((h) => h.label)).toEqual(expect.arrayContaining(['quit', 'help']));
      // (A pair the bar shows as one hint, pgdn/pgup, leaves its second half to the help overlay.)
      expect(hints).toHaveLength(KEYMAP.filter((b) => boundOn(b, s) && !b.requires && b.inBar !== false).length);
      expect(hintsFor(s, KEYMAP, { interruptedRun: true })).toHaveLength(
        KEYMAP.filter((b) => boundOn(b, s) && b.inBar !== false).length,
      );
    }
    // A binding that needs a fact is neither offered nor taken without it.
    expect(hintsFor('dashboard').map((h) => h.key)).not.toContain('c');
    expect(actionFor('dashboard', 'c', noKey)).toBeUndefined();
    expect(hintsFor('dashboard', KEYMAP, { interruptedRun: true }).find((h) => h.key === 'c')?.label).toBe(
      'continue the interrupted run',
    );
    expect(actionFor('dashboard', 'c', noKey, KEYMAP, { interruptedRun: true })).toBe('resume-run');
    // While a run is on screen the App hands every key to the run screen.
    expect(hintsFor('running')).toEqual([]);
  });

  it('run screen: y and ctrl-c are dangerous, typing the name is left to the text field, q means what the moment needs', () => {
    expect(actionFor('run-confirm', 'y', noKey)).toBe('run-node');
    expect(hintsFor('run-confirm').find((h) => h.key === 'y')?.dangerous).toBe(true);
    expect(actionFor('run-confirm', 's', noKey)).toBe('skip-node');
    expect(actionFor('run-confirm', 'q', noKey)).toBe('quit-run');
    expect(actionFor('run-type-name', 'y', noKey)).toBeUndefined();
    expect(actionFor('run-type-name', 's', noKey)).toBeUndefined();
    expect(actionFor('run-type-name', 'q', noKey)).toBeUndefined();
    expect(actionFor('run-type-name', '', { ...noKey, escape: true })).toBe('quit-run');
    expect(actionFor('run-working', 'q', noKey)).toBe('quit-run');
    expect(actionFor('run-working', 'c', { ...noKey, ctrl: true })).toBe('abort-run');
    expect(hintsFor('run-working').find((h) => h.key === 'ctrl-c')?.dangerous).toBe(true);
    expect(actionFor('run-preview', '', { ...noKey, return: true })).toBe('start-run');
    expect(actionFor('run-done', 'q', noKey)).toBe('exit-run');
  });
});

describe('navigate', () => {
  const ready = (report = splitReport()) => ({ status: 'ready' as const, report, at: new Date() });

  function step(nav: NavState, action: Parameters<typeof navigate>[1], discovery = ready()): NavState {
    return navigate(nav, action, deriveView(discovery, nav));
  }

  it('scrolls the certificates of the open node and clamps at both ends', () => {
    const report = splitReport();
    report.nodes.push(node('etcd-0', ['etcd'], { certificates: [cert('a', 10), cert('b', 20), cert('c', 30)] }));
    const d = ready(report);
    let nav = step(initialNav, { type: 'action', action: 'open-detail' }, d);
    expect(nav.page).toEqual({ kind: 'node-detail', node: 'etcd-0', certOffset: 0 });
    nav = step(nav, { type: 'action', action: 'scroll-up' }, d);
    expect(nav.page).toMatchObject({ certOffset: 0 });
    for (let i = 0; i < 5; i++) nav = step(nav, { type: 'action', action: 'scroll-down' }, d);
    expect(nav.page).toMatchObject({ certOffset: 2 });
  });

  it('keeps the selection by name across a refresh and falls back to the dashboard when the node vanishes', () => {
    let nav = step(initialNav, { type: 'action', action: 'move-down' });
    nav = step(nav, { type: 'action', action: 'open-detail' });
    expect(nav.page).toMatchObject({ kind: 'node-detail', node: 'etcd-2' });
    const shrunk = splitReport();
    shrunk.nodes = shrunk.nodes.filter((n) => n.name !== 'etcd-2');
    const view = deriveView(ready(shrunk), nav);
    expect(view.kind).toBe('dashboard');
    expect(view.kind === 'dashboard' && view.selected).toBe('etcd-1');
  });

  it('shows the spinner before the first report and the error only when there is nothing to show', () => {
    expect(deriveView({ status: 'loading', last: null, preview: null }, initialNav).kind).toBe('discovering');
    expect(deriveView({ status: 'error', message: 'x', last: null }, initialNav).kind).toBe('error');
    expect(deriveView({ status: 'error', message: 'x', last: splitReport() }, initialNav).kind).toBe('dashboard');
  });
});

describe('keysOf', () => {
  it('splits a chunk of keys into one keypress each, and leaves single keys and escape sequences whole', async () => {
    const { keysOf } = await import('../../src/hooks/useKeys.js');
    const keys = keysOf('jj\r', noKey);
    expect(keys.map(([i]) => i)).toEqual(['j', 'j', '']);
    expect(keys[2][1].return).toBe(true);
    expect(keysOf('j\x03', noKey)[1]).toEqual(['c', expect.objectContaining({ ctrl: true })]);
    expect(keysOf('j', noKey)).toEqual([['j', noKey]]);
    expect(keysOf('', { ...noKey, downArrow: true })).toEqual([['', { ...noKey, downArrow: true }]]);
  });
});

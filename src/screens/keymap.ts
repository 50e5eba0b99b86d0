// THE keymap: one table drives input handling (actionFor), the help bar (hintsFor) and which actions are
// dangerous. Adding a key anywhere else is a bug: the help bar would lie.
import type { Key } from 'ink';
import type { KeyHint } from '../../components/KeyHints.js';

/** The App's screens (src/screens/App.tsx, navigation.ts); on 'running' it hands the keys over to the run screen. */
export type AppScreenName = 'discovering' | 'dashboard' | 'node-detail' | 'pick-recipe' | 'plan' | 'running' | 'error';

/** The wizard's first question when several clusters are on offer (src/commands/cluster-picker.tsx). */
export type PickerScreenName = 'pick-cluster';

/** The screens whose keys take the actions of WizardActions: the App's and the cluster picker. */
export type WizardScreenName = AppScreenName | PickerScreenName;

export type ScreenName = WizardScreenName | RunScreenName;

/** The run screen's own moments (src/screens/RunScreen.tsx). */
export type RunScreenName =
  | 'run-preview'
  | 'run-starting'
  | 'run-takeover'
  | 'run-confirm'
  | 'run-type-name'
  | 'run-pause'
  | 'run-working'
  /** After a failure: the start of a node the run left stopped is offered. */
  | 'run-start-stopped'
  | 'run-done';

/**
 * What the keys of each wizard screen do. A binding takes only actions that every screen it is on has here, and each
 * screen handles its own in an exhaustive switch (App.tsx, cluster-picker.tsx): a key without a handler does not
 * compile, and neither does an action added here without one.
 */
export interface WizardActions {
  discovering: 'help' | 'quit';
  dashboard:
    | 'move-up'
    | 'move-down'
    | 'scroll-up'
    | 'scroll-down'
    | 'open-detail'
    | 'refresh'
    | 'pick-recipe'
    | 'resume-run'
    | 'abandon-run'
    | 'help'
    | 'quit';
  'node-detail': 'scroll-up' | 'scroll-down' | 'refresh' | 'pick-recipe' | 'back' | 'help' | 'quit';
  // The App moves the recipe list itself (every key of a fast chunk counts); list-pick opens the highlighted one.
  'pick-recipe': 'move-up' | 'move-down' | 'list-pick' | 'back' | 'help' | 'quit';
  /** The plan preview the App shows itself: in a read-only wizard (no run can start from it). */
  plan: 'scroll-up' | 'scroll-down' | 'back' | 'help' | 'quit';
  /** The run screen owns every key. */
  running: never;
  error: 'refresh' | 'help' | 'quit';
  'pick-cluster': 'move-up' | 'move-down' | 'open-cluster' | 'quit';
}

/** What the App's keys do (navigation.ts and App.tsx). */
export type AppAction = WizardActions[AppScreenName];

export type WizardAction = WizardActions[WizardScreenName];

/**
 * What the run screen's keys do. RunScreen handles them in an exhaustive switch, and a binding on a run screen
 * takes only these: a run-screen key without a handler does not compile.
 */
export type RunAction =
  | 'scroll-up'
  | 'scroll-down'
  | 'quit'
  | 'start-run'
  | 'cancel-run'
  | 'cycle-settle'
  | 'cycle-agent-wave'
  | 'take-over'
  | 'decline-takeover'
  | 'run-node'
  | 'type-node-name'
  | 'skip-node'
  | 'quit-run'
  | 'continue-run'
  | 'abort-run'
  | 'exit-run'
  | 'start-stopped-node'
  | 'leave-stopped-node';

export type Action = WizardAction | RunAction;

/** A printable character, or one of the named keys Ink reports as flags. */
export type KeyMatch =
  { char: string } | { ctrl: string } | { named: 'up' | 'down' | 'enter' | 'escape' | 'pageUp' | 'pageDown' };

/** The wizard screens that have a handler for action A. */
type ScreensTaking<A extends WizardAction> = {
  [S in WizardScreenName]: A extends WizardActions[S] ? S : never;
}[WizardScreenName];

/** A wizard key is bound only on screens that handle its action (WizardActions). */
type WizardBinding = { [A in WizardAction]: { action: A; screens: readonly ScreensTaking<A>[] } }[WizardAction];

/** A key on wizard screens takes one of their actions, a key on run screens a run action: each has a handler. */
export type Binding = BindingBase & (WizardBinding | { action: RunAction; screens: readonly RunScreenName[] });

interface BindingBase {
  /** How the key is shown in the help bar. */
  key: string;
  label: string;
  match: readonly KeyMatch[];
  /**
   * Changes the cluster or its runs (starts, continues or closes a run, runs or starts a node, takes a lock over,
   * stops a step mid-way): drawn in red in the help bar, and the one thing the read-only wizard reads — it drops
   * every such binding (readOnlyKeymap).
   */
  dangerous?: boolean;
  /** Another component consumes these keys; the table only documents them. */
  delegated?: boolean;
  /** false: the help overlay lists it, the help bar leaves it out (a pair the bar shows as one hint). */
  inBar?: boolean;
  /** Only bound while this holds (see KeyContext): the help bar never offers what is not there. */
  requires?: keyof KeyContext;
}

/** Facts about the screen that some bindings depend on. */
export interface KeyContext {
  /** An earlier run stopped before the end and can be continued. */
  interruptedRun?: boolean;
}

const up: KeyMatch = { named: 'up' };
const down: KeyMatch = { named: 'down' };
const enter: KeyMatch = { named: 'enter' };
const escape: KeyMatch = { named: 'escape' };
const ch = (c: string): KeyMatch => ({ char: c });
const ctrl = (c: string): KeyMatch => ({ ctrl: c });
const pageUp: KeyMatch = { named: 'pageUp' };
const pageDown: KeyMatch = { named: 'pageDown' };

const BROWSING = ['dashboard', 'node-detail'] as const;
// The App's screens; on 'running' the run screen owns every key (its own screens below).
const EVERYWHERE = ['discovering', 'dashboard', 'node-detail', 'pick-recipe', 'plan', 'error'] as const;
const RUN_ACTIVE: readonly RunScreenName[] = [
  'run-starting',
  'run-takeover',
  'run-confirm',
  'run-type-name',
  'run-pause',
  'run-working',
];

export const KEYMAP: readonly Binding[] = [
  { key: '↑/k', label: 'up', action: 'move-up', match: [up, ch('k')], screens: ['dashboard'] },
  { key: '↓/j', label: 'down', action: 'move-down', match: [down, ch('j')], screens: ['dashboard'] },
  { key: '↑/k', label: 'scroll up', action: 'scroll-up', match: [up, ch('k')], screens: ['node-detail'] },
  { key: '↓/j', label: 'scroll down', action: 'scroll-down', match: [down, ch('j')], screens: ['node-detail'] },
  { key: '↑/k', label: 'up', action: 'move-up', match: [up, ch('k')], screens: ['pick-recipe'] },
  { key: '↓/j', label: 'down', action: 'move-down', match: [down, ch('j')], screens: ['pick-recipe'] },
  { key: 'enter', label: 'pick', action: 'list-pick', match: [enter], screens: ['pick-recipe'] },
  {
    key: 'pgdn/pgup',
    label: 'scroll timeline and checks',
    action: 'scroll-down',
    match: [pageDown],
    screens: ['dashboard'],
  },
  { key: 'pgup', label: 'scroll back up', action: 'scroll-up', match: [pageUp], screens: ['dashboard'], inBar: false },
  { key: 'enter/d', label: 'node detail', action: 'open-detail', match: [enter, ch('d')], screens: ['dashboard'] },
  { key: 'r', label: 'refresh', action: 'refresh', match: [ch('r')], screens: ['dashboard', 'node-detail', 'error'] },
  { key: 'p', label: 'pick recipe', action: 'pick-recipe', match: [ch('p')], screens: BROWSING },
  {
    key: 'c',
    label: 'continue the interrupted run',
    action: 'resume-run',
    match: [ch('c')],
    screens: ['dashboard'],
    requires: 'interruptedRun',
    dangerous: true,
  },
  {
    key: 'x',
    label: 'abandon the interrupted run',
    action: 'abandon-run',
    match: [ch('x')],
    screens: ['dashboard'],
    requires: 'interruptedRun',
    dangerous: true,
  },
  {
    key: 'esc/b',
    label: 'back',
    action: 'back',
    match: [escape, ch('b')],
    screens: ['node-detail', 'pick-recipe', 'plan'],
  },
  // The plan preview the App draws (read-only wizard): it scrolls; nothing on it starts a run.
  { key: '↓/j', label: 'scroll down', action: 'scroll-down', match: [down, ch('j'), pageDown], screens: ['plan'] },
  { key: '↑/k', label: 'scroll up', action: 'scroll-up', match: [up, ch('k'), pageUp], screens: ['plan'] },
  { key: '?', label: 'help', action: 'help', match: [ch('?')], screens: EVERYWHERE },
  { key: 'q', label: 'quit', action: 'quit', match: [ch('q'), ctrl('c')], screens: EVERYWHERE },
  // The cluster picker: one hint for the pair of moves, as pgdn/pgup.
  { key: '↑↓/jk', label: 'move', action: 'move-up', match: [up, ch('k')], screens: ['pick-cluster'] },
  { key: '↓/j', label: 'down', action: 'move-down', match: [down, ch('j')], screens: ['pick-cluster'], inBar: false },
  { key: 'enter', label: 'open its dashboard', action: 'open-cluster', match: [enter], screens: ['pick-cluster'] },
  { key: 'q', label: 'quit', action: 'quit', match: [ch('q'), ctrl('c')], screens: ['pick-cluster'] },
  // The run screen. Keys that change the cluster are dangerous (red in the help bar).
  {
    key: '↓/j',
    label: 'scroll down',
    action: 'scroll-down',
    match: [down, ch('j'), pageDown],
    screens: ['run-preview'],
  },
  { key: '↑/k', label: 'scroll up', action: 'scroll-up', match: [up, ch('k'), pageUp], screens: ['run-preview'] },
  {
    key: 'enter',
    label: 'start (each node is confirmed)',
    action: 'start-run',
    match: [enter],
    screens: ['run-preview'],
    // Nothing changes on a node before its own y, but the run takes its locks (a Lease, lock files on servers).
    dangerous: true,
  },
  {
    key: 'q/esc',
    label: 'cancel, change nothing',
    action: 'cancel-run',
    match: [ch('q'), escape],
    screens: ['run-preview'],
  },
  // Nothing has changed yet: ctrl-c cancels and quits, as it quits from the wizard's other screens.
  { key: 'ctrl-c', label: 'quit', action: 'quit', match: [ctrl('c')], screens: ['run-preview'] },
  { key: 's', label: 'settle window', action: 'cycle-settle', match: [ch('s')], screens: ['run-preview'] },
  { key: 'w', label: 'agent waves', action: 'cycle-agent-wave', match: [ch('w')], screens: ['run-preview'] },
  {
    key: 'y',
    label: 'take over the expired lock',
    action: 'take-over',
    match: [ch('y')],
    screens: ['run-takeover'],
    dangerous: true,
  },
  {
    key: 'n/q',
    label: 'leave it',
    action: 'decline-takeover',
    match: [ch('n'), ch('q'), escape],
    screens: ['run-takeover'],
  },
  { key: 'y', label: 'run this node', action: 'run-node', match: [ch('y')], screens: ['run-confirm'], dangerous: true },
  {
    key: 'name+enter',
    label: 'run this node',
    action: 'type-node-name',
    match: [],
    screens: ['run-type-name'],
    dangerous: true,
    delegated: true,
  },
  { key: 's', label: 'skip this node', action: 'skip-node', match: [ch('s')], screens: ['run-confirm'] },
  { key: 'enter/c', label: 'continue', action: 'continue-run', match: [enter, ch('c')], screens: ['run-pause'] },
  {
    key: 'q',
    label: 'quit (resume later)',
    action: 'quit-run',
    match: [ch('q')],
    screens: ['run-confirm', 'run-pause'],
  },
  { key: 'esc', label: 'quit (resume later)', action: 'quit-run', match: [escape], screens: ['run-type-name'] },
  { key: 'q', label: 'stop before the next node', action: 'quit-run', match: [ch('q')], screens: ['run-working'] },
  { key: 'ctrl-c', label: 'stop now', action: 'abort-run', match: [ctrl('c')], screens: RUN_ACTIVE, dangerous: true },
  {
    key: 'y',
    label: 'start the stopped node',
    action: 'start-stopped-node',
    match: [ch('y')],
    screens: ['run-start-stopped'],
    dangerous: true,
  },
  {
    key: 'n/q',
    label: 'leave it stopped',
    action: 'leave-stopped-node',
    match: [ch('n'), ch('q'), escape],
    screens: ['run-start-stopped'],
  },
  {
    key: 'q/enter',
    label: 'exit',
    action: 'exit-run',
    match: [ch('q'), enter, escape, ctrl('c')],
    screens: ['run-done'],
  },
];

function matches(m: KeyMatch, input: string, key: Key): boolean {
  if ('char' in m) return input === m.char && !key.ctrl && !key.meta;
  if ('ctrl' in m) return key.ctrl && input === m.ctrl;
  switch (m.named) {
    case 'pageUp':
      return key.pageUp;
    case 'pageDown':
      return key.pageDown;
    case 'up':
      return key.upArrow;
    case 'down':
      return key.downArrow;
    case 'enter':
      return key.return;
    case 'escape':
      return key.escape;
  }
}

export function bindingsFor(
  screen: ScreenName,
  table: readonly Binding[] = KEYMAP,
  context: KeyContext = {},
): Binding[] {
  return table.filter((b) => boundOn(b, screen) && (!b.requires || context[b.requires] === true));
}

/** Whether the binding lists this screen (either side's: a binding's screens are one side's only). */
export function boundOn(b: Binding, screen: ScreenName): boolean {
  return (b.screens as readonly ScreenName[]).includes(screen);
}

/** The action a keypress means on this screen, or undefined (delegated keys are left to their component). */
export function actionFor<S extends WizardScreenName>(
  screen: S,
  input: string,
  key: Key,
  table?: readonly Binding[],
  context?: KeyContext,
): WizardActions[S] | undefined;
export function actionFor(
  screen: RunScreenName,
  input: string,
  key: Key,
  table?: readonly Binding[],
  context?: KeyContext,
): RunAction | undefined;
export function actionFor(
  screen: ScreenName,
  input: string,
  key: Key,
  table?: readonly Binding[],
  context?: KeyContext,
): Action | undefined;
// The overloads hold because Binding pairs each screen only with actions that screen handles.
export function actionFor(
  screen: ScreenName,
  input: string,
  key: Key,
  table: readonly Binding[] = KEYMAP,
  context: KeyContext = {},
): Action | undefined {
  return bindingsFor(screen, table, context).find((b) => !b.delegated && b.match.some((m) => matches(m, input, key)))
    ?.action;
}

export function hintsFor(screen: ScreenName, table: readonly Binding[] = KEYMAP, context: KeyContext = {}): KeyHint[] {
  return bindingsFor(screen, table, context)
    .filter((b) => b.inBar !== false)
    .map((b) => ({ key: b.key, label: b.label, dangerous: b.dangerous }));
}

/**
 * The keymap of a read-only wizard (`keyturn --read-only`): every binding flagged dangerous is gone, so it is
 * neither in the help bar nor the help overlay, and its key does nothing. The flag is the one thing this reads.
 */
export function readOnlyKeymap(table: readonly Binding[] = KEYMAP): readonly Binding[] {
  return table.filter((b) => !b.dangerous);
}

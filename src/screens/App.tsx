// The wizard: discovering → dashboard → node detail → recipe picker → plan. Discovery is injected, so the same
// App runs against a real cluster, the lab, or a fake in tests.
import React, { useEffect, useMemo, useRef, useState } from 'react';
import { Box, Text, useApp } from 'ink';
import type { NodePreview, StatusReport } from '../model/status.js';
import { assertNever } from '../model/cluster.js';
import { useDiscovery, type Discover } from '../hooks/useDiscovery.js';
import { useTicker } from '../hooks/useTicker.js';
import { useKeys } from '../hooks/useKeys.js';
import { useTerminalSize } from '../hooks/useTerminalSize.js';
import { InterruptedRunBanner, type InterruptedRun } from '../../components/InterruptedRunBanner.js';
import { KeyHints, keyHintRows } from '../../components/KeyHints.js';
import { NodeDetail } from '../../components/NodeDetail.js';
import { NodePreviewTable } from '../../components/NodePreviewTable.js';
import { RecipeList, type RecipeChoice } from '../../components/RecipeList.js';
import { Spinner } from '../../components/Spinner.js';
import { PlanPreview, maxPlanOffset } from '../../components/PlanPreview.js';
import { previewMaxRows } from '../../components/node-facts.js';
import {
  KEYMAP,
  actionFor,
  bindingsFor,
  hintsFor,
  readOnlyKeymap,
  type AppAction,
  type WizardActions,
} from './keymap.js';
import { READ_ONLY_LABEL, READ_ONLY_NOTE, READ_ONLY_ROWS } from './read-only.js';
import { deriveView, initialNav, navigate, screenOf, type NavState, type View } from './navigation.js';
import { DEFAULT_RECIPES } from './recipes.js';
import { Dashboard } from './Dashboard.js';
import { StatusLine } from './StatusLine.js';
import { HelpOverlay } from './HelpOverlay.js';
import { RunScreen } from './RunScreen.js';
import type { RunBridgeView } from '../hooks/run-bridge.js';

export interface AppProps {
  discover: Discover;
  /** The node list already known when the wizard starts (the inventory): the very first frame shows it. */
  initialPreview?: NodePreview | null;
  /** Called when a recipe is picked; without startRun the plan screen then shows planText's output. */
  onPickRecipe?: (recipe: string, report: StatusReport) => void;
  /** The plan (or the planner's refusal) as text, for the App's own plan screen; without it, a placeholder. */
  planText?: (recipe: string, report: StatusReport) => string;
  /**
   * `keyturn --read-only`: the header says READ-ONLY, every key flagged dangerous in the keymap is gone (not
   * offered, does nothing), and no run starts, continues or is abandoned from here: a picked recipe shows its plan.
   */
  readOnly?: boolean;
  recipes?: readonly Omit<RecipeChoice, 'suggested'>[];
  /** Starts a run of the picked recipe in-process (plan preview first, then each node confirmed). */
  startRun?: (recipe: string, report: StatusReport) => RunBridgeView;
  /** The newest run that did not finish, if any: offered on the dashboard (asked again after each run). */
  findInterrupted?: () => Promise<InterruptedRun | null>;
  /** Continues that run in-process, on the last scan. */
  resumeRun?: (run: InterruptedRun, report: StatusReport) => RunBridgeView;
  /** Closes that run in its journal (who and why): it is not offered again. */
  abandonRun?: (run: InterruptedRun) => Promise<void>;
  /** The operator quit: with q, or with ctrl-c ('interrupt': the wizard then exits 130, as interrupted programs do). */
  onExit: (how: 'quit' | 'interrupt') => void;
}

function PlanPlaceholder({ recipe }: { recipe: string }): React.JSX.Element {
  return (
    <Text>
      <Text bold>{recipe}</Text>: plan preview coming — nothing has been changed. esc goes back.
    </Text>
  );
}

function ReadOnlyHeader(): React.JSX.Element {
  return (
    <Text wrap="truncate-end">
      <Text bold color="yellow">
        {READ_ONLY_LABEL}
      </Text>
      <Text dimColor> · {READ_ONLY_NOTE}</Text>
    </Text>
  );
}

function ErrorScreen({ message }: { message: string }): React.JSX.Element {
  return (
    <Box flexDirection="column">
      <Text color="red" bold>
        ✗ could not read the cluster: {message}
      </Text>
      <Text>
        Check --kubeconfig / --context (or KUBECONFIG), or pass --inventory FILE to reach the nodes directly; then press
        r to retry.
      </Text>
    </Box>
  );
}

export function App({
  discover,
  initialPreview = null,
  onPickRecipe,
  planText,
  recipes,
  readOnly = false,
  onExit,
  ...runs
}: AppProps): React.JSX.Element {
  // Read-only: not one way into a run, whatever the caller passed (an unfinished run is still shown).
  const { findInterrupted } = runs;
  const { startRun, resumeRun, abandonRun } = readOnly ? {} : runs;
  const showInterrupted = readOnly || resumeRun !== undefined;
  const table = readOnly ? readOnlyKeymap() : KEYMAP;
  const { exit } = useApp();
  const size = useTerminalSize();
  const { state: discovery, refresh } = useDiscovery(discover, initialPreview);
  const [nav, setNavState] = useState<NavState>(initialNav);
  // The keys of one chunk ("jjj" then enter) are handled in one go, before React renders: each must see where the
  // one before it left the selection, so the handler reads and writes this ref, not the rendered state.
  const navRef = useRef<NavState>(initialNav);
  const setNav = (update: (prev: NavState) => NavState) => {
    navRef.current = update(navRef.current);
    setNavState(navRef.current);
  };
  const choices = recipes ?? DEFAULT_RECIPES;
  const [run, setRun] = useState<RunBridgeView | null>(null);
  const [interrupted, setInterrupted] = useState<InterruptedRun | null>(null);
  const [runsEnded, setRunsEnded] = useState(0);
  useEffect(() => {
    let live = true;
    findInterrupted?.().then(
      (found) => live && setInterrupted(found),
      () => live && setInterrupted(null), // an unreadable state dir must not take the dashboard down
    );
    return () => {
      live = false;
    };
  }, [findInterrupted, runsEnded]);
  const keys = { interruptedRun: interrupted !== null && !interrupted.runningElsewhere && resumeRun !== undefined };
  const view = deriveView(discovery, nav, choices);
  const screen = screenOf(view);
  const tick = useTicker(discovery.status === 'loading');
  const width = size.columns;
  // The read-only header takes its row above every screen: the screens lay out in what is left.
  const height = size.rows - (readOnly ? READ_ONLY_ROWS : 0);
  // The plan screen's text, made once per recipe and scan; its scroll position lives here, from the top each time.
  const planOf = view.kind === 'plan' ? view : null;
  const plan = useMemo(
    () => (planOf && planText ? planText(planOf.recipe, planOf.report) : null),
    [planOf?.recipe, planOf?.report, planText],
  );
  const [planOffset, setPlanOffset] = useState(0);
  useEffect(() => setPlanOffset(0), [planOf?.recipe]);

  useKeys((input, key) => {
    const current = deriveView(discovery, navRef.current, choices);
    const how = key.ctrl && input === 'c' ? 'interrupt' : 'quit';
    const go = (action: AppAction) =>
      setNav((prev) => navigate(prev, { type: 'action', action }, deriveView(discovery, prev, choices)));
    const keyOn = <S extends keyof WizardActions>(s: S) => actionFor(s, input, key, table, keys);
    // Each screen handles exactly its own actions (keymap.ts WizardActions): a key bound on a screen whose switch
    // has no case for it does not compile.
    switch (current.kind) {
      case 'discovering': {
        const action = keyOn('discovering');
        switch (action) {
          case 'help':
            return go(action);
          case 'quit':
            return quit(how);
          case undefined:
            return;
          default:
            return assertNever(action);
        }
      }
      case 'error': {
        const action = keyOn('error');
        switch (action) {
          case 'help':
            return go(action);
          case 'refresh':
            return refresh();
          case 'quit':
            return quit(how);
          case undefined:
            return;
          default:
            return assertNever(action);
        }
      }
      case 'dashboard': {
        const action = keyOn('dashboard');
        switch (action) {
          case 'move-up':
          case 'move-down':
          case 'scroll-up':
          case 'scroll-down':
          case 'open-detail':
          case 'pick-recipe':
          case 'help':
            return go(action);
          case 'refresh':
            return refresh();
          case 'resume-run':
            if (interrupted && resumeRun) {
              setRun(resumeRun(interrupted, current.report));
              setNav((prev) => navigate(prev, { type: 'run-started', recipe: interrupted.recipe }, current));
            }
            return;
          case 'abandon-run':
            // Asked again afterwards: the banner goes, or shows the next unfinished run.
            if (interrupted && abandonRun) void abandonRun(interrupted).finally(() => setRunsEnded((n) => n + 1));
            return;
          case 'quit':
            return quit(how);
          case undefined:
            return;
          default:
            return assertNever(action);
        }
      }
      case 'node-detail': {
        const action = keyOn('node-detail');
        switch (action) {
          case 'scroll-up':
          case 'scroll-down':
          case 'pick-recipe':
          case 'back':
          case 'help':
            return go(action);
          case 'refresh':
            return refresh();
          case 'quit':
            return quit(how);
          case undefined:
            return;
          default:
            return assertNever(action);
        }
      }
      case 'pick-recipe': {
        const action = keyOn('pick-recipe');
        switch (action) {
          case 'move-up':
          case 'move-down':
          case 'back':
          case 'help':
            return go(action);
          case 'list-pick':
            if (current.selected) pickRecipe(current.selected, current.report);
            return;
          case 'quit':
            return quit(how);
          case undefined:
            return;
          default:
            return assertNever(action);
        }
      }
      case 'plan': {
        const action = keyOn('plan');
        switch (action) {
          case 'scroll-up':
          case 'scroll-down': {
            const step = key.pageUp || key.pageDown ? planHeight : 1;
            const max = plan === null ? 0 : maxPlanOffset(plan, planHeight);
            return setPlanOffset((o) => Math.max(0, Math.min(max, o + (action === 'scroll-up' ? -step : step))));
          }
          case 'back':
          case 'help':
            return go(action);
          case 'quit':
            return quit(how);
          case undefined:
            return;
          default:
            return assertNever(action);
        }
      }
      case 'running':
        // The run screen owns every key (keymap.ts: 'running' has no actions).
        return;
      default:
        return assertNever(current);
    }
  });

  const pickRecipe = (recipe: string, report: StatusReport) => {
    onPickRecipe?.(recipe, report);
    if (startRun) {
      setRun(startRun(recipe, report));
      setNav((prev) => navigate(prev, { type: 'run-started', recipe }, view));
      return;
    }
    setNav((prev) => navigate(prev, { type: 'recipe-picked', recipe }, view));
  };
  const endRun = () => {
    setRun(null);
    setRunsEnded((n) => n + 1);
    setNav((prev) => navigate(prev, { type: 'run-ended' }, view));
    refresh();
  };

  // The dashboard's rows: the terminal less the spare row, the interrupted-run banner (its border and three lines,
  // the long one wrapping below 100 columns), the help overlay when open (its border, title, keys and last line)
  // and the footer (a margin, the status line, the help bar).
  const bannerRows = interrupted && showInterrupted ? (width < 100 ? 6 : 5) : 0;
  const helpRows = nav.help ? bindingsFor(screen, table).length + 4 : 0;
  const hints = hintsFor(screen, table, keys);
  const dashboardRows = height - 1 - bannerRows - helpRows - 2 - keyHintRows(hints, width);
  // The plan screen: the same spare row and footer, the preview's border and its two "more lines" lines.
  const planHeight = Math.max(3, height - 1 - helpRows - 2 - keyHintRows(hints, width) - 4);
  const quit = (how: 'quit' | 'interrupt') => {
    onExit(how);
    exit();
  };
  if (view.kind === 'running' && run) return <RunScreen bridge={run} onExit={endRun} onQuit={quit} />;

  return (
    // The dashboard is laid out inside the terminal (one row spare, so Ink redraws in place rather than clearing the
    // screen): its priority rows stay, the rest is clipped; the other screens are as tall as they are.
    <Box
      flexDirection="column"
      width={width}
      height={view.kind === 'dashboard' ? Math.max(8, height - 1) + (readOnly ? READ_ONLY_ROWS : 0) : undefined}
    >
      {readOnly ? (
        <Box flexShrink={0}>
          <ReadOnlyHeader />
        </Box>
      ) : null}
      {view.kind === 'dashboard' && interrupted && showInterrupted ? (
        <Box flexShrink={0}>
          <InterruptedRunBanner run={interrupted} readOnly={readOnly} />
        </Box>
      ) : null}
      {renderView(view, { width, height, tick, plan, planOffset, planHeight, dashboardRows })}
      {nav.help ? (
        <Box flexShrink={0}>
          <HelpOverlay screen={screen} table={table} />
        </Box>
      ) : null}
      <Box marginTop={1} flexDirection="column" flexShrink={0}>
        {view.kind === 'discovering' || view.kind === 'error' ? null : <StatusLine discovery={discovery} tick={tick} />}
        <KeyHints hints={hints} />
      </Box>
    </Box>
  );
}

interface RenderContext {
  width: number;
  height: number;
  tick: number;
  /** The plan screen's text (null: no planText given), its scroll position and the lines it may show. */
  plan: string | null;
  planOffset: number;
  planHeight: number;
  dashboardRows: number;
}

function renderView(view: View, ctx: RenderContext): React.ReactNode {
  switch (view.kind) {
    case 'discovering':
      return view.preview ? (
        <NodePreviewTable preview={view.preview} tick={ctx.tick} maxRows={previewMaxRows(ctx.height)} />
      ) : (
        <Spinner tick={ctx.tick} label="discovering the cluster: nodes, certificates, CAs, encryption, etcd…" />
      );
    case 'error':
      return <ErrorScreen message={view.message} />;
    case 'dashboard':
      return (
        <Dashboard
          report={view.report}
          selected={view.selected}
          height={ctx.dashboardRows}
          scroll={view.scroll}
          width={ctx.width}
        />
      );
    case 'node-detail':
      return (
        <NodeDetail
          node={view.node}
          certOffset={view.certOffset}
          certRows={Math.max(5, ctx.height - 20 - view.node.diagnoses.length * 3)}
          width={ctx.width}
        />
      );
    case 'pick-recipe':
      return <RecipeList recipes={view.choices} selected={view.selected} width={ctx.width} />;
    case 'plan':
      return ctx.plan !== null ? (
        <PlanPreview text={ctx.plan} offset={ctx.planOffset} height={ctx.planHeight} />
      ) : (
        <PlanPlaceholder recipe={view.recipe} />
      );
    case 'running':
      return <Text>running {view.recipe}…</Text>;
    default:
      return assertNever(view);
  }
}

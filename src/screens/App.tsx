// The wizard: discovering → dashboard → node detail → recipe picker → plan. Discovery is injected, so the same
// App runs against a real cluster, the lab, or a fake in tests.
import React, { useEffect, useRef, useState } from 'react';
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
import { previewMaxRows } from '../../components/node-facts.js';
import { actionFor, bindingsFor, hintsFor } from './keymap.js';
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
  /** Called when a recipe is picked; the plan screen then shows renderPlan's output. */
  onPickRecipe?: (recipe: string, report: StatusReport) => void;
  /** The plan preview; until the engine lands the App shows a placeholder. */
  renderPlan?: (recipe: string, report: StatusReport) => React.ReactNode;
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
  renderPlan,
  recipes,
  startRun,
  findInterrupted,
  resumeRun,
  abandonRun,
  onExit,
}: AppProps): React.JSX.Element {
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
  const height = size.rows;

  useKeys((input, key) => {
    const current = deriveView(discovery, navRef.current, choices);
    const action = actionFor(screenOf(current), input, key, undefined, keys);
    if (!action) return;
    if (action === 'list-pick') {
      if (current.kind === 'pick-recipe' && current.selected) pickRecipe(current.selected, current.report);
      return;
    }
    if (action === 'resume-run') {
      if (interrupted && resumeRun && current.kind === 'dashboard') {
        setRun(resumeRun(interrupted, current.report));
        setNav((prev) => navigate(prev, { type: 'run-started', recipe: interrupted.recipe }, current));
      }
      return;
    }
    if (action === 'abandon-run') {
      if (interrupted && abandonRun) {
        // Asked again afterwards: the banner goes, or shows the next unfinished run.
        void abandonRun(interrupted).finally(() => setRunsEnded((n) => n + 1));
      }
      return;
    }
    if (action === 'quit') {
      quit(key.ctrl && input === 'c' ? 'interrupt' : 'quit');
      return;
    }
    if (action === 'refresh') {
      refresh();
      return;
    }
    setNav((prev) => navigate(prev, { type: 'action', action }, deriveView(discovery, prev, choices)));
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
  const bannerRows = interrupted && resumeRun ? (width < 100 ? 6 : 5) : 0;
  const helpRows = nav.help ? bindingsFor(screen).length + 4 : 0;
  const dashboardRows = height - 1 - bannerRows - helpRows - 2 - keyHintRows(hintsFor(screen, undefined, keys), width);
  const quit = (how: 'quit' | 'interrupt') => {
    onExit(how);
    exit();
  };
  if (view.kind === 'running' && run) return <RunScreen bridge={run} onExit={endRun} onQuit={quit} />;

  return (
    // The dashboard is laid out inside the terminal (one row spare, so Ink redraws in place rather than clearing the
    // screen): its priority rows stay, the rest is clipped; the other screens are as tall as they are.
    <Box flexDirection="column" width={width} height={view.kind === 'dashboard' ? Math.max(8, height - 1) : undefined}>
      {view.kind === 'dashboard' && interrupted && resumeRun ? (
        <Box flexShrink={0}>
          <InterruptedRunBanner run={interrupted} />
        </Box>
      ) : null}
      {renderView(view, { width, height, tick, renderPlan, dashboardRows })}
      {nav.help ? (
        <Box flexShrink={0}>
          <HelpOverlay screen={screen} />
        </Box>
      ) : null}
      <Box marginTop={1} flexDirection="column" flexShrink={0}>
        {view.kind === 'discovering' || view.kind === 'error' ? null : <StatusLine discovery={discovery} tick={tick} />}
        <KeyHints hints={hintsFor(screen, undefined, keys)} />
      </Box>
    </Box>
  );
}

interface RenderContext {
  width: number;
  height: number;
  tick: number;
  renderPlan?: AppProps['renderPlan'];
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
      return ctx.renderPlan ? ctx.renderPlan(view.recipe, view.report) : <PlanPlaceholder recipe={view.recipe} />;
    case 'running':
      return <Text>running {view.recipe}…</Text>;
    default:
      return assertNever(view);
  }
}

// `keyturn` with no subcommand: the interactive wizard. It needs a terminal on both ends; scripts get a pointer
// to `keyturn status` instead of a hung prompt.
import React from 'react';
import { INTERRUPTED_EXIT_CODE, type ClusterOptions } from './options.js';
import { keyturnCommand } from './keyturn-command.js';
import type { ScreenRun } from './run-screen.js';
import type { Prepared, RunDeps } from '../run/index.js';
import type { NodePreview, StatusReport } from '../model/status.js';
import { sameCluster } from '../model/cluster-identity.js';
import type { Discover } from '../hooks/useDiscovery.js';
import type { InterruptedRun } from '../../components/InterruptedRunBanner.js';
import type { RunState } from '../engine/index.js';
import type { Painted } from './first-paint-terminal.js';
import { redact } from '../util/redact.js';

import type { WizardIo } from './terminal-io.js';
export type { WizardIo } from './terminal-io.js';

/** How long the wizard started without an inventory waits for the API's node list before loading Ink. */
const API_PREVIEW_WAIT_MS = 250;

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const NOT_A_TERMINAL = 'keyturn: the wizard needs a terminal; use `keyturn status` for a non-interactive report\n';

/** False (after saying so on stderr) when stdin or stdout is not a terminal. */
export function ensureTerminal(io: WizardIo = process, message = NOT_A_TERMINAL): boolean {
  if (io.stdin.isTTY && io.stdout.isTTY) return true;
  io.stderr.write(message);
  return false;
}

/** Where an unfinished run stands, in one line. */
export function describeInterrupted(state: RunState): string {
  const steps = Object.values(state.steps);
  const done = steps.filter((s) => s.status === 'done' || s.status === 'skipped').length;
  const how =
    state.outcome.status === 'failed'
      ? `stopped by a failed check on ${state.outcome.failure.node}: ${state.outcome.failure.check}`
      : state.outcome.status === 'stopped'
        ? `stopped (${state.outcome.reason})`
        : 'did not end (keyturn was killed or lost the terminal)';
  return `${how} · ${done} of ${steps.length} steps done · started ${state.createdAt}`;
}

export interface WizardOptions extends ClusterOptions {
  /** Only `keyturn demo`: the lab's --speed, by which runs divide their settle, gate and wait times. */
  timeScale?: number;
  /** `keyturn --read-only`: look, never change — no run starts, continues or is abandoned; plans are shown. */
  readOnly?: boolean;
}

export async function runWizard(given: WizardOptions, io: WizardIo = process): Promise<number> {
  if (!ensureTerminal(io)) return 2;
  // Several contexts and none chosen: which cluster, first (cluster-picker.tsx); then the wizard as on one cluster.
  const offered = await import('./cluster-choice.js').then(({ contextsToOffer }) => contextsToOffer(given));
  const picked = offered
    ? await import('./cluster-picker.js').then(({ pickCluster }) => pickCluster(offered, given, io))
    : null;
  if (picked?.kind === 'quit') return picked.how === 'interrupt' ? INTERRUPTED_EXIT_CODE : 0;
  const opts: WizardOptions = picked?.kind === 'picked' ? { ...given, context: picked.context } : given;
  // The node list is drawn as soon as it is known (the inventory at once, then the API's), while the Kubernetes
  // client loads and the nodes are scanned: the operator's first screen does not wait for the slowest node. The
  // inventory's list arrives before the session is open and is the screen's initial state; it is painted as plain
  // text at once (first-paint-terminal.ts), before Ink has even loaded, and Ink's first frame replaces it.
  const { paintFirstFrame, eraseBeforeNextWrite } = await import('./first-paint-terminal.js');
  let preview: NodePreview | null = null;
  let painted: Painted | null = null;
  let inkStarted = false;
  let previewKnown!: () => void;
  const previewArrived = new Promise<void>((resolve) => (previewKnown = resolve));
  const onPreview = (p: NodePreview) => {
    preview = p;
    previewKnown();
    if (!inkStarted && !painted) painted = paintFirstFrame(io, p, { readOnly: opts.readOnly });
  };
  let drawn!: () => void;
  const firstFrameDrawn = new Promise<void>((resolve) => (drawn = resolve));
  // Without an inventory the node list comes from the API: nothing to draw before the client has loaded.
  if (!opts.inventory) drawn();
  const opening = import('./cluster-session.js').then(({ openClusterSession }) =>
    openClusterSession(opts, { onPreview, loadClientAfter: firstFrameDrawn }),
  );
  opening.catch(() => {}); // awaited below
  // Bad input that can be told before drawing (no cluster, a broken inventory) ends here with its one-line error.
  // With an inventory, Ink starts loading only once its list is painted: loading Ink keeps the thread busy.
  if (opts.inventory) await Promise.race([opening, previewArrived]);
  // Without one, the first frame is the API's node list: Ink waits a moment for it (a healthy API answers in tens
  // of milliseconds; one that is down must not hold the screen back).
  else
    await Promise.race([previewArrived, opening.then(() => new Promise<void>(() => {})), delay(API_PREVIEW_WAIT_MS)]);
  const [{ render }, { App }] = await Promise.all([import('ink'), import('../screens/App.js')]);
  type Instance = ReturnType<typeof render>;
  await Promise.race([opening, previewArrived]);
  const loaded = Promise.all([
    opening,
    import('./run-screen.js'),
    import('../run/index.js'),
    import('../../recipes/index.js'),
    import('../journal/index.js'),
    import('./plan.js'),
  ]);
  loaded.catch(() => {});

  let scanned!: () => void;
  const firstScan = new Promise<void>((resolve) => (scanned = resolve));
  const discover: Discover = async (_signal, onScreenPreview) => {
    const [session] = await loaded;
    try {
      return await session.discover({ onPreview: onScreenPreview });
    } finally {
      scanned();
    }
  };

  let running: Promise<unknown> = Promise.resolve();
  /** The run on screen, if any: SIGINT stops it (locks released, journal written) before the wizard exits. */
  let activeRun: ScreenRun | null = null;
  /** ctrl-c on the dashboard, or SIGINT: exit 130. */
  let interrupted = false;
  // The same pieces as `keyturn run`, on the session the wizard already scanned with (a report exists, so the
  // modules have loaded): plan and lock checks happen on screen, then the run layer conducts the run.
  const onScreen = (
    recipe: string,
    [session, runScreen, run]: Awaited<typeof loaded>,
    prepare: (deps: RunDeps, bridge: ScreenRun) => Promise<Prepared>,
  ) => {
    const deps = runScreen.runDeps(session, opts);
    const bridge = runScreen.newPendingBridge(recipe, deps);
    activeRun = bridge;
    running = (async () => {
      const prepared = await prepare(deps, bridge);
      if (!prepared.ok) return bridge.finish(prepared.outcome.lines.join(' '), true);
      await run.conductRun(deps, bridge, prepared.input, { everyEnding: true });
    })().catch((err: unknown) =>
      bridge.finish(`keyturn: ${redact(err instanceof Error ? err.message : String(err))}`, true),
    );
    return bridge;
  };
  const startRun = (name: string, report: StatusReport, modules: Awaited<typeof loaded>) =>
    onScreen(name, modules, async (deps, bridge) => {
      const [, , run, { findRecipe }] = modules;
      const recipe = findRecipe(name);
      if (!recipe) return { ok: false, outcome: run.refused(`keyturn: no recipe ${name}`) };
      const timing = opts.timeScale ? { timeScale: opts.timeScale } : {};
      const prepared = await run.prepareNewRun(deps, recipe, report, timing);
      if (prepared.ok && prepared.input.kind === 'new') {
        run.offerSettle(deps, bridge, recipe, report, prepared.input.plan, timing);
        bridge.setHeader({ runId: prepared.input.plan.runId });
      }
      return prepared;
    });
  // An earlier run that did not finish is offered on the dashboard; continuing it is `keyturn resume` in-process.
  const findInterrupted = async (): Promise<InterruptedRun | null> => {
    const [session, , , , { findResumableRun, resolveStateDir, runningHere }] = await loaded;
    // Only a run of the cluster on screen: which one that is, the first scan tells.
    await firstScan;
    const here = session.identity();
    const stateDir = resolveStateDir(opts.stateDir);
    const found = here ? await findResumableRun(stateDir, (state) => sameCluster(state.cluster, here)) : null;
    if (!found) return null;
    // Alive in another terminal is not "killed": say who runs it, and do not offer it.
    const live = await runningHere(stateDir, found.runId);
    return {
      runId: found.runId,
      recipe: found.recipe,
      summary: describeInterrupted(found.state),
      reportCommand: keyturnCommand(['report', found.runId], opts),
      ...(live ? { runningElsewhere: `${live.holder}, pid ${live.pid}` } : {}),
    };
  };
  const resumeRun = ({ runId, recipe }: InterruptedRun, modules: Awaited<typeof loaded>) =>
    onScreen(recipe, modules, async (deps, bridge) => {
      const prepared = await modules[2].prepareResume(deps, runId, {
        verb: 'continue',
        reachFix: 'check that the node is up, then refresh',
      });
      if (prepared.ok) bridge.setHeader({ runId, resumed: true });
      return prepared;
    });
  let modules: Awaited<typeof loaded> | null = null;
  let failure: unknown = null;
  let instance: Instance | null = null;
  // A session that fails after the first frame (a kubeconfig only the Kubernetes client can judge): the screen goes,
  // and the error is the usual one line with exit 2.
  loaded.then(
    (m) => (modules = m),
    (err: unknown) => {
      failure = err;
      instance?.clear();
      instance?.unmount();
    },
  );
  // Read-only: the plan of a picked recipe as `keyturn plan` prints it, ending with the command that runs it.
  const planText = (name: string, report: StatusReport) => {
    const [session, , , { findRecipe }, , { planOrRefusal }] = modules!;
    const recipe = findRecipe(name);
    return recipe ? planOrRefusal(recipe, report, session.targets(), opts).text : `keyturn: no recipe ${name}\n`;
  };
  // Child processes run with piped stdio (transports/process-runner), so nothing but Ink writes to the terminal.
  const app = opts.readOnly ? (
    // Not one way into a run: the App is given none, and drops every dangerous key (keymap.ts readOnlyKeymap).
    <App
      discover={discover}
      initialPreview={preview}
      readOnly
      planText={planText}
      findInterrupted={findInterrupted}
      onExit={(how) => {
        if (how === 'interrupt') interrupted = true;
      }}
    />
  ) : (
    <App
      discover={discover}
      initialPreview={preview}
      startRun={(name, report) => startRun(name, report, modules!)}
      findInterrupted={findInterrupted}
      resumeRun={(run) => resumeRun(run, modules!)}
      abandonRun={async (run) => {
        const { abandonRun: close, DEFAULT_ABANDON_REASON } = await import('./abandon.js');
        await close(run.runId, { stateDir: opts.stateDir, reason: `${DEFAULT_ABANDON_REASON} (x on the dashboard)` });
      }}
      onExit={(how) => {
        if (how === 'interrupt') interrupted = true;
      }}
    />
  );
  // SIGINT (kill -INT, or ctrl-c while the terminal is not in raw mode): the run on screen stops as with ctrl-c,
  // its locks are released and its journal written, then the wizard closes and exits 130. A second SIGINT does
  // not wait for that.
  const onSigint = () => {
    if (interrupted) {
      io.stderr.write('keyturn: interrupted again: exiting without waiting for the clean stop\n');
      process.exit(INTERRUPTED_EXIT_CODE);
    }
    interrupted = true;
    activeRun?.interrupt();
    void running.finally(() => instance?.unmount());
  };
  process.on('SIGINT', onSigint);
  inkStarted = true;
  if (painted) eraseBeforeNextWrite(io.stdout, painted);
  instance = render(app, {
    stdin: io.stdin,
    stdout: io.stdout,
    stderr: io.stderr,
    // ctrl-c is a key of the keymap: on the run screen it stops the run safely instead of killing the process.
    exitOnCtrlC: false,
    patchConsole: true,
  });
  drawn(); // Ink wrote the first frame during render()
  try {
    await instance.waitUntilExit();
    await running;
  } finally {
    process.off('SIGINT', onSigint);
    // Ink leaves raw mode when it unmounts; this covers a painted frame Ink never took over.
    if (painted && io.stdin.isTTY) io.stdin.setRawMode?.(false);
    const session = await opening.catch(() => null);
    await session?.dispose();
  }
  if (failure) throw failure;
  return interrupted ? INTERRUPTED_EXIT_CODE : 0;
}

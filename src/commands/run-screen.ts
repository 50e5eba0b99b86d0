// The terminal side of a run, for `keyturn run`, `keyturn resume` and the wizard: the run layer's dependencies
// built from the command's options, the run screen's bridge (hooks/run-bridge.ts, the UI port src/run conducts
// through), and the CLI's own run screen (render, conduct, print the outcome after Ink unmounts).
import { createElement } from 'react';
import { resolveStateDir } from '../journal/index.js';
import { RunBridge } from '../hooks/run-bridge.js';
import { realClock, type RunDeps } from '../run/deps.js';
import { conductRun } from '../run/conduct.js';
import type { RunInput } from '../run/prepare.js';
import type { RunOutcome } from '../run/outcome.js';
import type { ClusterSession } from './cluster-session.js';
import { currentOperator } from './operator.js';
import { INTERRUPTED_EXIT_CODE, type ClusterOptions } from './options.js';
import { commandText } from './keyturn-command.js';

/** The run screen's side of a run the wizard holds (ctrl-c and SIGINT reach it). */
export type ScreenRun = RunBridge;

/** What a run needs, from the session the command scanned with and the operator's options. */
export function runDeps(
  session: ClusterSession,
  opts: ClusterOptions,
  stateDir = resolveStateDir(opts.stateDir),
): RunDeps {
  return { session, stateDir, operator: currentOperator(), clock: realClock, say: commandText(opts) };
}

export interface ScreenIo {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

function newBridge(deps: RunDeps, input: RunInput): RunBridge {
  const plan = input.kind === 'new' ? input.plan : input.state.plan;
  return new RunBridge({
    recipe: plan.recipe,
    runId: plan.runId,
    cluster: deps.session.gateway?.server ?? 'inventory',
    resumed: input.kind === 'resume',
    withOptions: deps.say.withOptions,
  });
}

/** A bridge for a run whose plan is still being made (the wizard: plan and lock checks happen on screen). */
export function newPendingBridge(recipe: string, deps: RunDeps): RunBridge {
  const bridge = new RunBridge({
    recipe,
    runId: '…',
    cluster: deps.session.gateway?.server ?? 'inventory',
    resumed: false,
    withOptions: deps.say.withOptions,
  });
  bridge.setStage({ kind: 'starting', message: 'planning over the last scan…' });
  return bridge;
}

/** The CLI's run screen: renders it, conducts the run, and prints the outcome after Ink unmounts. */
export async function showRun(deps: RunDeps, input: RunInput, io: ScreenIo): Promise<RunOutcome> {
  const [{ render }, { RunScreen }] = await Promise.all([import('ink'), import('../screens/RunScreen.js')]);
  const bridge = newBridge(deps, input);
  // SIGTERM/SIGHUP: stop like ctrl-c (the step in flight is left for resume to check); never mid-write. SIGINT
  // (ctrl-c from outside the raw-mode screen, or kill -INT) is ctrl-c itself.
  const onSignal = () => bridge.abortNow();
  const onInterrupt = () => bridge.interrupt();
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  process.on('SIGINT', onInterrupt);
  const instance = render(createElement(RunScreen, { bridge, onExit: () => instance.unmount() }), {
    stdin: io.stdin,
    stdout: io.stdout,
    stderr: io.stderr,
    exitOnCtrlC: false,
    patchConsole: true,
  });
  try {
    const outcome = await conductRun(deps, bridge, input);
    await instance.waitUntilExit();
    bridge.dispose();
    io.stdout.write(outcome.lines.join('\n') + '\n');
    // Interrupted is interrupted, whether ctrl-c came before the first node (cancelled) or mid-run (stopped); a run
    // that finished anyway keeps its own code.
    return bridge.interrupted && outcome.status !== 'succeeded'
      ? { ...outcome, exitCode: INTERRUPTED_EXIT_CODE }
      : outcome;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
    process.off('SIGINT', onInterrupt);
    instance.unmount();
  }
}

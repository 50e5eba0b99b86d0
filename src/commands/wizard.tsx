// `keyturn` with no subcommand: the interactive wizard. It needs a terminal on both ends; scripts get a pointer
// to `keyturn status` instead of a hung prompt.
import React from 'react';
import type { ClusterOptions } from './options.js';
import type { StatusReport } from '../model/status.js';

export interface WizardIo {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

const NOT_A_TERMINAL = 'keyturn: the wizard needs a terminal; use `keyturn status` for a non-interactive report\n';

/** False (after saying so on stderr) when stdin or stdout is not a terminal. */
export function ensureTerminal(io: WizardIo = process, message = NOT_A_TERMINAL): boolean {
  if (io.stdin.isTTY && io.stdout.isTTY) return true;
  io.stderr.write(message);
  return false;
}

export async function runWizard(opts: ClusterOptions, io: WizardIo = process): Promise<number> {
  if (!ensureTerminal(io)) return 2;
  const { openClusterSession } = await import('./cluster-session.js');
  const [session, { render }, { App }, runSession, { findRecipe }, { resolveStateDir }] = await Promise.all([
    openClusterSession(opts),
    import('ink'),
    import('../screens/App.js'),
    import('./run-session.js'),
    import('../../recipes/index.js'),
    import('../journal/index.js'),
  ]);
  const deps = { session, stateDir: resolveStateDir(opts.stateDir), operator: runSession.currentOperator(), clock: runSession.realClock };
  let running: Promise<unknown> = Promise.resolve();
  // The same pieces as `keyturn run`, on the session the wizard already scanned with.
  const startRun = (name: string, report: StatusReport) => {
    const bridge = runSession.newPendingBridge(name, deps);
    running = (async () => {
      const recipe = findRecipe(name);
      const prepared = recipe ? await runSession.prepareNewRun(deps, recipe, report) : { ok: false as const, outcome: runSession.refused(`keyturn: no recipe ${name}`) };
      if (!prepared.ok) bridge.finish(prepared.outcome.lines.join(' '), true);
      else {
        bridge.setHeader({ runId: prepared.plan.runId });
        await runSession.conductRun(deps, bridge, { kind: 'new', plan: prepared.plan }, { everyEnding: true });
      }
    })().catch((err: unknown) => bridge.finish(`keyturn: ${err instanceof Error ? err.message : String(err)}`, true));
    return bridge;
  };
  // Child processes run with piped stdio (transports/process-runner), so nothing but Ink writes to the terminal.
  const instance = render(<App discover={session.discover} startRun={startRun} onExit={() => {}} />, {
    stdin: io.stdin,
    stdout: io.stdout,
    stderr: io.stderr,
    // ctrl-c is a key of the keymap: on the run screen it stops the run safely instead of killing the process.
    exitOnCtrlC: false,
    patchConsole: true,
  });
  try {
    await instance.waitUntilExit();
    await running;
  } finally {
    await session.dispose();
  }
  return 0;
}

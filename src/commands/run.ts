// `keyturn run <recipe>`: plan over a fresh scan, show the plan, then walk it one confirmed node at a time on the
// run screen. Needs an operator at a terminal: disruptive steps never run unattended. Exit 0 when the run
// succeeded, 1 when it failed, was quit or refused, 2 on bad input.
import { nothingReachedButRefused } from '../discovery/api-view.js';
import { ensureTerminal, type WizardIo } from './wizard.js';
import type { ClusterOptions } from './options.js';
import { agentWaveOrUsage, recipeOrUsage, secondsOrUsage, settleOrUsage } from './plan.js';
import { prepareNewRun } from '../run/prepare.js';
import { runDeps, showRun } from './run-screen.js';

const NOT_A_TERMINAL =
  'keyturn: run needs an operator at a terminal to confirm each node; use `keyturn plan <recipe>` to see what it would do\n';

export async function runRecipe(
  name: string,
  opts: ClusterOptions & { settle?: string; gateTimeout?: string; agentWave?: string },
  io: WizardIo = process,
): Promise<number> {
  // Bad input first: a typo should be named as a typo, wherever the command runs.
  const recipe = recipeOrUsage(name, 'run');
  const timing = {
    settleSeconds: settleOrUsage(opts.settle),
    gateTimeoutSeconds: secondsOrUsage('--gate-timeout', opts.gateTimeout),
    agentWave: agentWaveOrUsage(opts.agentWave),
  };
  if (!ensureTerminal(io, NOT_A_TERMINAL)) return 2;
  const { openClusterSession } = await import('./cluster-session.js');
  const session = await openClusterSession(opts);
  try {
    const deps = runDeps(session, opts);
    io.stderr.write(`keyturn: discovering the cluster…\n`);
    const report = await session.discover();
    const prepared = await prepareNewRun(deps, recipe, report, timing);
    if (!prepared.ok) {
      // The API refused the kubeconfig and nothing else was reached: say that, as status does (bad input, exit 2).
      const refused = nothingReachedButRefused(report);
      if (refused) {
        io.stderr.write(`${refused}\n`);
        return 2;
      }
      io.stderr.write(prepared.outcome.lines.join('\n') + '\n');
      return prepared.outcome.exitCode;
    }
    const outcome = await showRun(deps, prepared.input, io);
    return outcome.exitCode;
  } finally {
    await session.dispose();
  }
}

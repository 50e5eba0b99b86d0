// `keyturn resume`: continue the newest run that did not succeed. The plan comes from its journal; a fresh scan
// gives the node shells; each node is confirmed again, and a step that was in flight is checked before it runs.
import { findResumableRun, resolveStateDir } from '../journal/index.js';
import { ensureTerminal, type WizardIo } from './wizard.js';
import type { ClusterOptions } from './options.js';
import { sameCluster } from '../model/cluster-identity.js';
import { prepareResume } from '../run/prepare.js';
import { runDeps, showRun } from './run-screen.js';
import { agentWaveOrUsage } from './plan.js';

const NOT_A_TERMINAL =
  'keyturn: resume needs an operator at a terminal to confirm each node; `keyturn report <run-id>` shows where a run stopped\n';

export async function runResume(
  opts: ClusterOptions & { agentWave?: string },
  io: WizardIo = process,
): Promise<number> {
  const agentWave = agentWaveOrUsage(opts.agentWave);
  if (!ensureTerminal(io, NOT_A_TERMINAL)) return 2;
  const stateDir = resolveStateDir(opts.stateDir);
  const newest = await findResumableRun(stateDir);
  if (!newest) {
    io.stderr.write(`keyturn: no interrupted run to resume in ${stateDir}\n`);
    return 1;
  }
  const { openClusterSession } = await import('./cluster-session.js');
  const session = await openClusterSession(opts);
  try {
    const deps = runDeps(session, opts, stateDir);
    io.stderr.write('keyturn: discovering the cluster to find its interrupted run…\n');
    await session.discover();
    // The state dir holds every cluster's runs: continue the newest of THIS cluster; the newest overall, when it is
    // another cluster's, is refused with both named.
    const here = session.identity();
    const found = (here && (await findResumableRun(stateDir, (st) => sameCluster(st.cluster, here)))) || newest;
    const prepared = await prepareResume(deps, found.runId, {
      verb: 'resume',
      reachFix: 'check --kubeconfig/--inventory and that the node is up',
      onBound: (runId) => io.stderr.write(`keyturn: resuming ${runId}\n`),
    });
    if (!prepared.ok) {
      io.stderr.write(prepared.outcome.lines.join('\n') + '\n');
      return prepared.outcome.exitCode;
    }
    const input = prepared.input.kind === 'resume' && agentWave ? { ...prepared.input, agentWave } : prepared.input;
    const outcome = await showRun(deps, input, io);
    return outcome.exitCode;
  } finally {
    await session.dispose();
  }
}

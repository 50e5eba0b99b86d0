// `keyturn resume`: continue the newest run that did not succeed. The plan comes from its journal; a fresh scan
// gives the node shells; each node is confirmed again, and a step that was in flight is checked before it runs.
import { foldEvents } from '../engine/index.js';
import { findResumableRun, readJournal, resolveStateDir } from '../journal/index.js';
import { ensureTerminal, type WizardIo } from './wizard.js';
import type { ClusterOptions } from './options.js';
import { sameCluster } from '../model/cluster-identity.js';
import { keyturnCommand } from './keyturn-command.js';
import { currentOperator, lockRefusal, missingNodes, otherClusterRefusal, realClock, showRun } from './run-session.js';

const NOT_A_TERMINAL = 'keyturn: resume needs an operator at a terminal to confirm each node; `keyturn report <run-id>` shows where a run stopped\n';

export async function runResume(opts: ClusterOptions, io: WizardIo = process): Promise<number> {
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
    const deps = { session, stateDir, operator: currentOperator(), clock: realClock, options: opts };
    io.stderr.write('keyturn: discovering the cluster to find its interrupted run…\n');
    await session.discover();
    // The state dir holds every cluster's runs: continue the newest of THIS cluster; the newest overall, when it is
    // another cluster's, is refused with both named.
    const here = session.identity();
    const found = (here && (await findResumableRun(stateDir, (st) => sameCluster(st.cluster, here)))) || newest;
    const state = foldEvents((await readJournal(stateDir, found.runId)).events);
    if (!state) {
      io.stderr.write(`keyturn: the journal of ${found.runId} does not start with run-created; see \`${keyturnCommand(['report', found.runId], opts)}\`\n`);
      return 1;
    }
    const elsewhere = otherClusterRefusal(state, session);
    if (elsewhere) {
      io.stderr.write(elsewhere + '\n');
      return 1;
    }
    io.stderr.write(`keyturn: resuming ${found.runId}\n`);
    const missing = missingNodes(state.plan, session);
    if (missing.length > 0) {
      io.stderr.write(`keyturn: cannot resume ${found.runId}: the scan did not reach ${missing.join(', ')} — check --kubeconfig/--inventory and that the node is up\n`);
      return 1;
    }
    const refusal = await lockRefusal(deps, state.plan, state.runId);
    if (refusal) {
      io.stderr.write(refusal + '\n');
      return 1;
    }
    const outcome = await showRun(deps, { kind: 'resume', state }, io);
    return outcome.exitCode;
  } finally {
    await session.dispose();
  }
}

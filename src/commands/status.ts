// `keyturn status [-o json|yaml]`: one read-only scan of every node. Exit 0 when every check passes, 1 when one does not,
// 2 when the cluster could not be read at all (API down and no node reachable), when the API refused the kubeconfig
// (credentials 401/403, a CA that does not verify the server: bad input, said in one line) or the arguments are wrong.
import { kubeconfigRefusalLine } from '../discovery/api-view.js';
import { exitCodeFor } from '../discovery/checks.js';
import { formatStatusText } from '../discovery/format-status.js';
import { rotationOrder } from '../model/rotation-order.js';
import type { StatusReport } from '../model/status.js';
import { openClusterSession } from './cluster-session.js';
import type { ClusterOptions } from './options.js';
import { keyturnCommand } from './keyturn-command.js';
import { formatDocument, outputFormat, type OutputOptions } from './output-format.js';

export { resolveKubeconfig } from './cluster-session.js';

/**
 * How `keyturn status` ends on one scanned cluster: 2 with why when the API refused the kubeconfig or nothing could
 * be read at all, else 0 or 1 by the checks. The single-cluster and the many-cluster views share it.
 */
export function judgeReport(report: StatusReport): { exitCode: number; problem: string | null; refused: boolean } {
  const problem = report.cluster.apiProblem;
  if (problem && kubeconfigRefusalLine(problem)) return { exitCode: 2, problem: problem.message, refused: true };
  if (!report.nodes.some((n) => n.reachable) && !report.cluster.apiReachable) {
    const why = problem ? ` (${problem.message})` : '';
    return { exitCode: 2, problem: `the API is down and no node could be reached${why}`, refused: false };
  }
  return { exitCode: exitCodeFor(report.checks), problem: null, refused: false };
}

export async function runStatus(opts: ClusterOptions & OutputOptions): Promise<number> {
  const format = outputFormat(opts);
  const session = await openClusterSession(opts);
  try {
    const scanned = await session.discover();
    // Nodes in the order a run takes them, as the wizard lists them (text, json and yaml alike).
    const report = { ...scanned, nodes: rotationOrder(scanned.nodes) };
    process.stdout.write(
      format ? formatDocument(report, format) : formatStatusText(report, (args) => keyturnCommand(args, opts)),
    );
    const judged = judgeReport(report);
    if (judged.refused) process.stderr.write(`keyturn: ${judged.problem}\n`);
    else if (judged.problem && !format)
      process.stderr.write('keyturn: the cluster could not be read: the API is down and no node could be reached\n');
    return judged.exitCode;
  } finally {
    await session.dispose();
  }
}

// `keyturn status [-o json|yaml]`: one read-only scan of every node. Exit 0 when every check passes, 1 when one does not,
// 2 when the cluster could not be read at all (API down and no node reachable), when the API refused the kubeconfig
// (credentials 401/403, a CA that does not verify the server: bad input, said in one line) or the arguments are wrong.
import { kubeconfigRefusalLine } from '../discovery/api-view.js';
import { exitCodeFor } from '../discovery/checks.js';
import { formatStatusText } from '../discovery/format-status.js';
import { rotationOrder } from '../model/rotation-order.js';
import { openClusterSession } from './cluster-session.js';
import type { ClusterOptions } from './options.js';
import { keyturnCommand } from './keyturn-command.js';
import { formatDocument, outputFormat, type OutputOptions } from './output-format.js';

export { resolveKubeconfig } from './cluster-session.js';

export async function runStatus(opts: ClusterOptions & OutputOptions): Promise<number> {
  const format = outputFormat(opts);
  const session = await openClusterSession(opts);
  try {
    const scanned = await session.discover();
    // Nodes in the order a run takes them, as the wizard lists them (text, json and yaml alike).
    const report = { ...scanned, nodes: rotationOrder(scanned.nodes) };
    process.stdout.write(format ? formatDocument(report, format) : formatStatusText(report, (args) => keyturnCommand(args, opts)));
    const refused = kubeconfigRefusalLine(report.cluster.apiProblem);
    if (refused) {
      process.stderr.write(`${refused}\n`);
      return 2;
    }
    const anyReached = report.nodes.some((n) => n.reachable);
    if (!anyReached && !report.cluster.apiReachable) {
      if (!format) process.stderr.write('keyturn: the cluster could not be read: the API is down and no node could be reached\n');
      return 2;
    }
    return exitCodeFor(report.checks);
  } finally {
    await session.dispose();
  }
}

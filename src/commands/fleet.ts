// Many clusters at once: the contexts of one kubeconfig, each scanned by its own cluster session (as `keyturn status
// --context C` would), a few clusters at a time. A cluster that cannot be read is a result with why, never a throw:
// `status --all-contexts` prints it as a row, the wizard's picker as an entry.
import { UsageError } from '../errors.js';
import { summarize, type ClusterRead } from '../model/cluster-summary.js';
import { rotationOrder } from '../model/rotation-order.js';
import { redact } from '../util/redact.js';
import type { ClusterOptions } from './options.js';

/**
 * Clusters scanned at once. Each scan runs up to SCAN_CONCURRENCY node shells of its own (discovery/pool.ts), so
 * four clusters are already 128 ssh sessions at most: enough to hide a slow cluster, few enough for a bastion.
 */
export const CLUSTER_CONCURRENCY = 4;

/** The contexts `--context` (repeated) or `--all-contexts` name, checked against the kubeconfig, in its order. */
export async function contextsToRead(
  opts: ClusterOptions & { contexts: string[]; allContexts?: boolean },
): Promise<string[]> {
  const { kubeconfigContexts } = await import('../transports/kube-config.js');
  const { names, files } = kubeconfigContexts(opts.kubeconfig);
  if (opts.allContexts) {
    if (opts.contexts.length > 0)
      throw new UsageError('--all-contexts and --context both choose the clusters — pass one of them');
    if (names.length === 0)
      throw new UsageError(
        `${files.join(':')}: no contexts defined — add one, or pass --kubeconfig with the clusters to read`,
      );
    return names;
  }
  const unknown = opts.contexts.filter((c) => !names.includes(c));
  if (unknown.length > 0)
    throw new UsageError(
      `context '${unknown[0]}' not in ${files.join(':')}; contexts: ${names.join(', ') || '(none)'}`,
    );
  return [...new Set(opts.contexts)];
}

/** Scans every context, CLUSTER_CONCURRENCY at a time; `onRead` hears each as it ends. Results in the given order. */
export async function readClusters(
  contexts: readonly string[],
  opts: ClusterOptions,
  hooks: {
    onRead?: (index: number, read: ClusterRead) => void;
    stopped?: () => boolean;
    inventories?: ReadonlyMap<string, string>;
  } = {},
): Promise<ClusterRead[]> {
  const [{ createLimiter }, { openClusterSession }, { judgeReport }] = await Promise.all([
    import('../discovery/pool.js'),
    import('./cluster-session.js'),
    import('./status.js'),
  ]);
  const limit = createLimiter(CLUSTER_CONCURRENCY);
  const readOne = async (context: string): Promise<ClusterRead> => {
    if (hooks.stopped?.())
      return {
        context,
        server: null,
        exitCode: 2,
        problem: 'not read: the scan was stopped',
        summary: null,
        report: null,
      };
    let session: Awaited<ReturnType<typeof openClusterSession>> | null = null;
    try {
      // An inventory names one cluster's nodes: only the one given for this context (status-fleet.ts) is its.
      session = await openClusterSession({
        kubeconfig: opts.kubeconfig,
        context,
        stateDir: opts.stateDir,
        inventory: hooks.inventories?.get(context),
      });
      const scanned = await session.discover();
      const report = { ...scanned, nodes: rotationOrder(scanned.nodes) };
      const { exitCode, problem } = judgeReport(report);
      return {
        context,
        server: session.gateway?.server ?? null,
        exitCode,
        problem,
        summary: summarize(report),
        report,
      };
    } catch (err) {
      // A kubeconfig entry the client rejects, a missing certificate file…: this cluster's row says so.
      const message = err instanceof Error ? err.message : String(err);
      return {
        context,
        server: session?.gateway?.server ?? null,
        exitCode: 2,
        problem: redact(message.split('\n')[0]),
        summary: null,
        report: null,
      };
    } finally {
      await session?.dispose();
    }
  };
  return Promise.all(
    contexts.map((context, index) =>
      limit(async () => {
        const read = await readOne(context);
        hooks.onRead?.(index, read);
        return read;
      }),
    ),
  );
}

// `keyturn status --context a --context b …` / `--all-contexts`: several clusters, one row each (a cluster that could
// not be read is a row with why), each in full with --detail; `-o json` is one document per cluster (JSON Lines).
// Exit status: the worst cluster's (2 one could not be read, 1 a check did not pass, 0 all passed).
import { UsageError } from '../errors.js';
import { formatFleetText } from '../discovery/format-fleet.js';
import { worstExitCode } from '../model/cluster-summary.js';
import { contextsToRead, readClusters } from './fleet.js';
import { keyturnCommand } from './keyturn-command.js';
import type { ClusterOptions } from './options.js';
import { formatDocuments, outputFormat, type OutputOptions } from './output-format.js';

export interface FleetStatusOptions extends Omit<ClusterOptions, 'context' | 'inventory'>, OutputOptions {
  contexts: string[];
  /** `--inventory CONTEXT=FILE`, repeated: the inventory of each cluster that has one. */
  inventories: string[];
  allContexts?: boolean;
  detail?: boolean;
}

/**
 * `--inventory CONTEXT=FILE` pairs. An inventory lists one cluster's nodes, so with several contexts each must say
 * whose it is; a context without one has its nodes from its API (or the list remembered at its last good scan).
 */
export function inventoriesByContext(values: readonly string[], contexts: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const value of values) {
    const at = value.indexOf('=');
    const context = at > 0 ? value.slice(0, at) : '';
    if (!contexts.includes(context)) {
      throw new UsageError(
        at > 0
          ? `--inventory ${value}: context '${context}' is not one of the clusters read (${contexts.join(', ')}) — name one of them`
          : `--inventory ${value}: with several contexts an inventory says whose it is — pass --inventory CONTEXT=FILE`,
      );
    }
    if (out.has(context))
      throw new UsageError(
        `--inventory ${value}: context '${context}' has an inventory already — pass one per context`,
      );
    out.set(context, value.slice(at + 1));
  }
  return out;
}

export async function runFleetStatus(opts: FleetStatusOptions): Promise<number> {
  const format = outputFormat(opts);
  const contexts = await contextsToRead(opts);
  const inventories = inventoriesByContext(opts.inventories, contexts);
  const reads = await readClusters(contexts, opts, { inventories });
  const { contexts: _all, inventories: _i, allContexts: _a, detail: _d, output: _o, json: _j, ...cluster } = opts;
  const fix = (context: string, args: string[]) =>
    keyturnCommand(args, { ...cluster, context, inventory: inventories.get(context) });
  process.stdout.write(format ? formatDocuments(reads, format) : formatFleetText(reads, opts.detail === true, fix));
  return worstExitCode(reads);
}

// Builds the wizard's `discover` from the command-line options: kubeconfig (as kubectl finds it), inventory,
// the remembered node list, one shell per node reused across refreshes. The same composition `keyturn status`
// uses; the transports and the Kubernetes client are imported only when the first scan runs.
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../errors.js';
import type { ClusterOptions } from '../commands/options.js';
import type { InventoryNode } from '../model/inventory.js';
import type { StatusReport } from '../model/status.js';
import type { KubeGateway, NodeShell } from '../transports/types.js';
import type { Discover } from './useDiscovery.js';

export interface ClusterDiscover {
  discover: Discover;
  /** Closes every node shell (ssh control masters) the scans opened. */
  dispose: () => Promise<void>;
}

async function sshControlDir(): Promise<string> {
  // ControlPath sockets must stay under ~100 characters: keep the directory short.
  const dir = path.join(os.tmpdir(), `keyturn-ssh-${process.getuid?.() ?? 'user'}`);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/** Throws a UsageError (one line, exit 2) when there is no cluster to read at all, before any screen is drawn. */
export async function createClusterDiscover(opts: ClusterOptions): Promise<ClusterDiscover> {
  const { resolveKubeconfig, nodesToRemember } = await import('../commands/status.js');
  const kubeconfig = resolveKubeconfig(opts);
  if (!kubeconfig && !opts.inventory) {
    throw new UsageError('no cluster to read — pass --kubeconfig (or set KUBECONFIG) and/or --inventory FILE');
  }
  const shells = new Map<string, NodeShell>();
  let gateway: KubeGateway | null | undefined;

  const discover: Discover = async () => {
    const [{ discoverCluster }, { loadInventory }, { createNodeShell, describeFailure }, { Settings }] = await Promise.all([
      import('../discovery/discover.js'),
      import('../discovery/inventory.js'),
      import('../transports/node-shell.js'),
      import('../settings/settings.js'),
    ]);
    if (gateway === undefined) {
      const { loadKubeGateway } = await import('../transports/kube-gateway.js');
      gateway = kubeconfig ? await loadKubeGateway({ kubeconfig, context: opts.context, timeoutMs: 5_000 }) : null;
    }
    // Re-read on every refresh: the operator may have fixed the file while the wizard was open.
    const inventory = opts.inventory ? await loadInventory(opts.inventory) : null;
    const controlDir = await sshControlDir();
    const settings = new Settings();
    const inventoryKey = opts.inventory ? `inventory:${path.resolve(opts.inventory)}` : null;
    const apiKey = gateway ? `api:${gateway.server}` : null;
    const rememberKey = apiKey ?? inventoryKey;
    const byName = new Map<string, InventoryNode>();

    const report: StatusReport = await discoverCluster({
      gateway,
      inventory,
      remembered: rememberKey ? settings.remembered(rememberKey) : null,
      shellFor: (node) => {
        byName.set(node.name, node);
        let shell = shells.get(node.name);
        if (!shell) {
          shell = createNodeShell(node, { controlDir, connectTimeoutSeconds: 5 });
          shells.set(node.name, shell);
        }
        return shell;
      },
      describeFailure: (result) => describeFailure(result, byName.get(result.node)),
      now: new Date(),
    });

    const key = report.cluster.source === 'api' ? apiKey : report.cluster.source === 'inventory' ? inventoryKey : null;
    if (key && report.nodes.some((n) => n.reachable)) {
      try {
        settings.remember(key, nodesToRemember(report, inventory));
      } catch {
        // A read-only home must not turn a scan into a failure.
      }
    }
    return report;
  };

  const dispose = async () => {
    await Promise.allSettled([...shells.values()].map((s) => s.dispose()));
    shells.clear();
  };
  return { discover, dispose };
}

// `keyturn status [--json]`: one read-only scan of every node. Exit 0 when every check passes, 1 when one does not,
// 2 when the cluster could not be read at all (API down and no node reachable) or the arguments are wrong.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../errors.js';
import type { Inventory, InventoryNode } from '../model/inventory.js';
import type { StatusReport } from '../model/status.js';
import { exitCodeFor } from '../discovery/checks.js';
import { discoverCluster } from '../discovery/discover.js';
import { formatStatusText } from '../discovery/format-status.js';
import { loadInventory } from '../discovery/inventory.js';
import { Settings } from '../settings/settings.js';
import type { ClusterOptions } from './options.js';

/** The kubeconfig kubectl would use, or null when there is none. */
export function resolveKubeconfig(opts: ClusterOptions, env: NodeJS.ProcessEnv = process.env): string | null {
  if (opts.kubeconfig) return opts.kubeconfig;
  if (env.KUBECONFIG) return env.KUBECONFIG;
  const home = path.join(os.homedir(), '.kube', 'config');
  return existsSync(home) ? home : null;
}

/** What to remember for the next time the API is down: how to reach each node, roles and distro filled in. */
export function nodesToRemember(report: StatusReport, inventory: Inventory | null): InventoryNode[] {
  return report.nodes.map((n) => {
    const inv = inventory?.nodes.find((i) => i.name === n.name);
    const distro = report.cluster.distro === 'unknown' ? undefined : report.cluster.distro;
    const base: InventoryNode = inv ? { ...inv } : { name: n.name, address: n.address, transport: 'ssh' };
    if (n.roles.length > 0) base.roles = [...n.roles];
    if (!base.distro && distro) base.distro = distro;
    return base;
  });
}

async function sshControlDir(): Promise<string> {
  // ControlPath sockets must stay under ~100 characters: keep the directory short.
  const dir = path.join(os.tmpdir(), `keyturn-ssh-${process.getuid?.() ?? 'user'}`);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  return dir;
}

export async function runStatus(opts: ClusterOptions & { json?: boolean }): Promise<number> {
  const kubeconfig = resolveKubeconfig(opts);
  if (!kubeconfig && !opts.inventory) {
    throw new UsageError('status: no cluster to read — pass --kubeconfig (or set KUBECONFIG) and/or --inventory FILE');
  }
  // Independent start-up work in parallel: loading the Kubernetes client alone takes a second or more.
  const [inventory, gateway, { createNodeShell, describeFailure }, controlDir] = await Promise.all([
    opts.inventory ? loadInventory(opts.inventory) : Promise.resolve(null),
    kubeconfig
      ? import('../transports/kube-gateway.js').then(({ loadKubeGateway }) => loadKubeGateway({ kubeconfig, context: opts.context, timeoutMs: 5_000 }))
      : Promise.resolve(null),
    import('../transports/node-shell.js'),
    sshControlDir(),
  ]);

  const settings = new Settings();
  const inventoryKey = opts.inventory ? `inventory:${path.resolve(opts.inventory)}` : null;
  const apiKey = gateway ? `api:${gateway.server}` : null;
  const rememberKey = apiKey ?? inventoryKey;
  const remembered = rememberKey ? settings.remembered(rememberKey) : null;

  const byName = new Map<string, InventoryNode>();
  const report = await discoverCluster({
    gateway,
    inventory,
    remembered,
    shellFor: (node) => {
      byName.set(node.name, node);
      return createNodeShell(node, { controlDir, connectTimeoutSeconds: 5 });
    },
    // Our scan script is long; name it shortly in messages.
    describeFailure: (result) => describeFailure({ ...result, script: 'keyturn status scan' }, byName.get(result.node)),
    now: new Date(),
  });

  const anyReached = report.nodes.some((n) => n.reachable);
  if (anyReached && report.cluster.source !== 'remembered') {
    const key = report.cluster.source === 'api' ? apiKey : inventoryKey;
    try {
      if (key) settings.remember(key, nodesToRemember(report, inventory));
    } catch {
      // A read-only home must not turn a status scan into a failure.
    }
  }

  process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatStatusText(report));
  if (!anyReached && !report.cluster.apiReachable) {
    if (!opts.json) process.stderr.write('keyturn: the cluster could not be read: the API is down and no node could be reached\n');
    return 2;
  }
  return exitCodeFor(report.checks);
}

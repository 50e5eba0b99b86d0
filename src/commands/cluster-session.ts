// The composition every cluster-reading command shares (status, the wizard, plan, run, resume): the kubeconfig as
// kubectl finds it, the inventory, the remembered node list, and one shell per node reused across scans.
// The transports and the Kubernetes client are imported lazily: loading the client alone takes a second or more.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { resolveStateDir } from '../journal/state-dir.js';
import { redactDeep } from '../util/redact.js';
import { identityOf, type ClusterIdentity } from '../model/cluster-identity.js';
import type { Inventory, InventoryNode } from '../model/inventory.js';
import type { NodePreview, StatusReport } from '../model/status.js';
import type { KubeGateway, NodeShell } from '../transports/types.js';
import { controlDirFits } from '../transports/ssh-command.js';
import type { ApiView } from '../discovery/api-view.js';
import type { Prefetch } from '../discovery/prefetch.js';
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

/**
 * Where the ssh control sockets live: a private folder in XDG_RUNTIME_DIR (the user's own, 0700 by its spec), else
 * in keyturn's state dir, else — when that path is too long for a unix socket — a fresh folder from mkdtemp (0700,
 * a random name nobody could make first), removed when keyturn exits. Never a predictable name in a shared temp
 * folder: another user could make it first and receive root's ssh connections through a socket planted there
 * (createSshShell checks the folder).
 */
export function sshControlDir(stateDir: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  // Only when it exists: making a missing /run/user/<uid> (and /run/user) is the login manager's job, not ours.
  const runtime = env.XDG_RUNTIME_DIR;
  if (runtime && path.isAbsolute(runtime) && existsSync(runtime)) return path.join(runtime, 'keyturn-ssh');
  const inState = path.join(resolveStateDir(stateDir, env), 'ssh');
  if (controlDirFits(inState)) return inState;
  const fresh = mkdtempSync(path.join(os.tmpdir(), 'keyturn-ssh-'));
  process.once('exit', () => rmSync(fresh, { recursive: true, force: true }));
  return fresh;
}

export interface ClusterSession {
  gateway: KubeGateway | null;
  /** Scans every node; re-reads the inventory each time (the operator may fix it while the wizard is open). */
  discover(hooks?: DiscoverHooks): Promise<StatusReport>;
  /** The node as the last scan reached it (inventory merged with the API), by name. */
  target(name: string): InventoryNode | undefined;
  /** Every node the last scan reached, as it reached it. */
  targets(): InventoryNode[];
  /** The shell of a node the last scan reached; reused across scans and steps. */
  shell(name: string): NodeShell;
  /** Which cluster the last scan read (null before the first scan): what a run is bound to. */
  identity(): ClusterIdentity | null;
  /** Closes every node shell (ssh control masters) the session opened. */
  dispose(): Promise<void>;
}

/** Started while the session opened, for the first scan only: the inventory as read, its nodes' scans, the API's answer. */
interface WarmUp {
  inventory: Inventory | null;
  prefetch: Prefetch | undefined;
  api: Promise<ApiView>;
}

export interface DiscoverHooks {
  /** The node list as soon as it is known: from the inventory at once, from the API before the scan. */
  onPreview?: (preview: NodePreview) => void;
}

/** Throws a UsageError (one line, exit 2) when there is no cluster to read at all, before anything runs. */
export interface SessionHooks extends DiscoverHooks {
  /**
   * The gateway and the settings come up only once this settles (and the inventory's scans have started): where
   * the gateway must load the Kubernetes client, that keeps the main thread busy for a few hundred milliseconds,
   * and the wizard lets its first frame be drawn first.
   */
  loadClientAfter?: Promise<unknown>;
}

export async function openClusterSession(opts: ClusterOptions, hooks: SessionHooks = {}): Promise<ClusterSession> {
  const kubeconfig = resolveKubeconfig(opts);
  if (!kubeconfig && !opts.inventory) {
    throw new UsageError('no cluster to read — pass --kubeconfig (or set KUBECONFIG) and/or --inventory FILE');
  }
  // The kubeconfig is read and checked first (fast, no Kubernetes client): bad input is told before any node is
  // touched. The gateway then comes up while the inventory is read and its nodes are already being scanned
  // (discovery/prefetch.ts); for kubeconfigs only the Kubernetes client can use (exec plugins, …) that means
  // loading the client, after `loadClientAfter`.
  const loaded = kubeconfig
    ? await import('../transports/kube-config.js').then(({ loadKubeconfig }) =>
        // Only --kubeconfig is passed as a file: KUBECONFIG may list several files (merged like kubectl),
        // and its errors must name KUBECONFIG, not an option the operator never typed.
        loadKubeconfig({ kubeconfig: opts.kubeconfig, context: opts.context }),
      )
    : null;
  // With an inventory, its nodes' scans are the longest wait: they start first, and what they do not need (the
  // gateway and its TLS, the API's answer, the settings) loads once they are under way — and, in the wizard, once
  // its first frame is drawn. Without one, the API's node list is what everything waits for.
  let scansStarted!: () => void;
  const scansUnderWay = new Promise<void>((resolve) => (scansStarted = resolve));
  if (!opts.inventory) scansStarted();
  const afterStart = Promise.all([hooks.loadClientAfter, scansUnderWay]);
  const gatewayLoading = loaded
    ? afterStart
        .then(() => import('../transports/kube-gateway.js'))
        .then(({ loadKubeGateway }) => loadKubeGateway({ loaded, timeoutMs: 5_000 }))
    : Promise.resolve(null);
  gatewayLoading.catch(() => {}); // awaited below, after the inventory's own errors
  // The API is asked as soon as its gateway is up, while the rest loads; the first discovery takes the answer.
  // Without an inventory, its node list is the wizard's first frame.
  const apiAsked: Promise<ApiView> = gatewayLoading.then(async (g) =>
    (await import('../discovery/api-view.js')).readApi(g),
  );
  apiAsked.catch(() => {});
  if (!opts.inventory && hooks.onPreview) {
    const tell = hooks.onPreview;
    Promise.all([apiAsked, import('../discovery/preview.js')]).then(
      ([api, { apiPreview }]) => api.nodes && tell(apiPreview(api.nodes)),
      () => {}, // the session's own error is told by whoever opened it
    );
  }
  // The inventory is read (and its one-line error told) before the scan's modules load: its node list is the
  // wizard's first frame.
  const [{ loadInventory }, { inventoryPreview }] = await Promise.all([
    import('../discovery/inventory.js'),
    import('../discovery/preview.js'),
  ]);
  const firstInventory: Inventory | null = opts.inventory ? await loadInventory(opts.inventory) : null;
  if (firstInventory) hooks.onPreview?.(inventoryPreview(firstInventory, !kubeconfig));
  // The settings (conf and its schema validator: a large module) are only needed once the scan is asked for.
  const settingsLoading = afterStart.then(() => import('../settings/settings.js'));
  settingsLoading.catch(() => {});
  const [
    { createNodeShell, describeFailure },
    { discoverCluster },
    { prefetchScans },
    { createLimiter, SCAN_CONCURRENCY },
  ] = await Promise.all([
    import('../transports/node-shell.js'),
    import('../discovery/discover.js'),
    import('../discovery/prefetch.js'),
    import('../discovery/pool.js'),
  ]);
  const controlDir = sshControlDir(opts.stateDir);

  const targets = new Map<string, InventoryNode>();
  const shells = new Map<string, NodeShell>();

  const shellOf = (node: InventoryNode): NodeShell => {
    targets.set(node.name, node);
    let shell = shells.get(node.name);
    if (!shell) {
      shell = createNodeShell(node, { controlDir, connectTimeoutSeconds: 5 });
      shells.set(node.name, shell);
    }
    return shell;
  };
  const dispose = async () => {
    await Promise.allSettled([...shells.values()].map((s) => s.dispose()));
    shells.clear();
  };

  const limiter = createLimiter(SCAN_CONCURRENCY);
  const prefetch = firstInventory ? prefetchScans(firstInventory, { shellFor: shellOf, limiter }) : undefined;
  scansStarted();
  let gateway: KubeGateway | null;
  try {
    gateway = await gatewayLoading;
  } catch (err) {
    // A kubeconfig the client rejects ends the command before anything is reported: stop the read-only scans.
    prefetch?.cancel();
    await dispose();
    throw err;
  }

  const { Settings } = await settingsLoading;
  const settings = new Settings();
  const inventoryKey = opts.inventory ? `inventory:${path.resolve(opts.inventory)}` : null;
  const apiKey = gateway ? `api:${gateway.server}` : null;

  // The warm-up: what was started before the first scan was asked for. The first discover takes it whole; every
  // later scan reads the inventory and the API afresh (the operator may have fixed either meanwhile).
  let warmUp: WarmUp | null = { inventory: firstInventory, prefetch, api: apiAsked };
  const takeWarmUp = (): WarmUp | null => {
    const taken = warmUp;
    warmUp = null;
    return taken;
  };

  let lastIdentity: ClusterIdentity | null = null;
  const discover = async (discoverHooks: DiscoverHooks = {}): Promise<StatusReport> => {
    const warm = takeWarmUp();
    const inventory = warm?.inventory ?? (opts.inventory ? await loadInventory(opts.inventory) : null);
    const rememberKey = apiKey ?? inventoryKey;
    const report = await discoverCluster({
      gateway,
      api: warm?.api,
      inventory,
      remembered: rememberKey ? settings.remembered(rememberKey) : null,
      shellFor: shellOf,
      limiter,
      prefetch: warm?.prefetch,
      knownVersions: {
        ...(inventoryKey ? settings.rememberedVersions(inventoryKey) : {}),
        ...(apiKey ? settings.rememberedVersions(apiKey) : {}),
      },
      onPreview: discoverHooks.onPreview,
      // The scan script is long; name it shortly in messages.
      describeFailure: (result) => describeFailure({ ...result, script: 'keyturn scan' }, targets.get(result.node)),
      now: new Date(),
    });
    const key = report.cluster.source === 'api' ? apiKey : report.cluster.source === 'inventory' ? inventoryKey : null;
    if (key && report.nodes.some((n) => n.reachable)) {
      try {
        const versions = Object.fromEntries(report.nodes.filter((n) => n.version).map((n) => [n.name, n.version]));
        settings.remember(key, nodesToRemember(report, inventory), new Date(), versions);
      } catch {
        // A read-only home must not turn a scan into a failure.
      }
    }
    lastIdentity = identityOf(report, gateway?.server ?? null);
    // Everything shown from here (status text and JSON, the wizard, plans) is node and API text: credentials in it
    // (a token in a journal line, a password in the API URL) are hidden once, here.
    return redactDeep(report);
  };

  return {
    gateway,
    discover,
    target: (name) => targets.get(name),
    targets: () => [...targets.values()],
    identity: () => lastIdentity,
    shell: (name) => {
      const node = targets.get(name);
      if (!node) throw new Error(`no scanned node named ${name}`); // a bug: callers plan from the last scan
      return shellOf(node);
    },
    dispose: async () => {
      warmUp?.prefetch?.cancel(); // scans nobody asked for yet
      await dispose();
    },
  };
}

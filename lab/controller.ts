// The lab controller: builds the lab directory, starts the API, the RPC socket and every node's unit in upstream's
// order (etcd servers, then control-plane servers, then agents), and tears all of it down again. stop() is safe at
// any point, also halfway through start(): it undoes exactly what was started.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { isServer } from '../src/model/cluster.js';
import { startApiServer, writeKubeconfig, type ApiServerHandle } from './api/index.js';
import { LabClock } from './clock.js';
import { labPaths, type LabNodeSpec, type LabOptions } from './contract.js';
import { createEtcdCluster, resolveEtcdMode, type EtcdCluster } from './etcd/index.js';
import { nodeLoopbackDir } from './etcd/loopback.js';
import { etcdListenerLayout } from './upstream-versions.js';
import { casFile, claimLabDir, forEachLimited, releaseLabDir, writeNodeFiles } from './lab-files.js';
import { hasEtcd, isControlPlane, isServerNode, type LabNode } from './lab-node.js';
import { LabRuntime } from './lab-runtime.js';
import { writeInventory } from './node-files.js';
import { LabDatastore } from './datastore.js';
import { encryptionConfigText, initialLayout } from './encryption/config.js';
import { generateClusterCAs, issueAdminClient, issueApiServing, saveClusterCAs } from './pki/index.js';
import { LabRecord } from './record.js';
import { startRpcServer, type RpcServer } from './rpc-server.js';
import { startHttpExecServer, type HttpExecServer } from './http-exec-server.js';
import { planNodes } from './topology.js';

const QUORUM_AT_BOOT_MS = 120_000;

export interface LabSummary {
  nodes: number;
  etcdMode: 'real' | 'emulated';
  apiUrl: string;
  kubeconfig: string;
  inventory: string;
}

export class LabController {
  readonly paths: ReturnType<typeof labPaths>;
  runtime: LabRuntime | null = null;
  private etcd: EtcdCluster | null = null;
  private api: ApiServerHandle | null = null;
  private rpc: RpcServer | null = null;
  private http: HttpExecServer | null = null;
  private claimed = false;
  private stopping: Promise<void> | null = null;

  constructor(
    readonly options: LabOptions,
    private readonly progress: (line: string) => void = () => {},
  ) {
    this.paths = labPaths(options.dir);
  }

  async start(): Promise<LabSummary> {
    const { options, paths } = this;
    await claimLabDir(paths);
    this.claimed = true;
    const specs = planNodes(options);
    const now = new Date();
    this.progress(`generating the cluster CAs (${options.distro})`);
    const cas = await generateClusterCAs(options.distro, now);
    await saveClusterCAs(casFile(paths), cas);

    const etcdMode = resolveEtcdMode(options.etcd);
    const etcdSpecs = specs
      .filter((s) => s.roles.includes('etcd'))
      .map((s) => {
        const nodeRoot = paths.node(s.name);
        return {
          name: s.name,
          address: s.address,
          tlsDir: path.join(nodeRoot.dataDir, 'server', 'tls', 'etcd'),
          dataDir: nodeRoot.etcdData,
          logFile: path.join(nodeRoot.root, 'etcd.log'),
          loopbackDir: nodeLoopbackDir(nodeRoot.root),
        };
      });
    const layout = etcdListenerLayout(options.version);
    this.etcd = createEtcdCluster(etcdMode, etcdSpecs, {
      token: `keyturn-lab-${randomBytes(4).toString('hex')}`,
      fastElection: true,
      layout,
    });
    const clock = new LabClock(options.speed);
    const encryptionConfig = encryptionConfigText(initialLayout(options.encryptionProvider));
    const datastore = new LabDatastore(cas, encryptionConfig, options.encryptionProvider);
    const runtime = new LabRuntime(options, paths, clock, new LabRecord(paths.record), this.etcd, cas, datastore);
    this.runtime = runtime;

    this.progress(`writing ${specs.length} nodes under ${paths.root}`);
    const joinTarget = joinTargets(specs, options.joinedAllServers);
    const material = {
      cas,
      encryptionConfig,
      now,
      joinAddress: (s: (typeof specs)[number]) => joinTarget(s)?.address ?? null,
      token: datastore.joinToken(now),
      dataDirInUnit: options.dataDirInUnit,
      version: options.version,
    };
    const hashes = new Map<string, string | null>();
    await forEachLimited(specs, 8, async (spec) => {
      hashes.set(spec.name, await writeNodeFiles(paths, spec, material));
    });
    for (const spec of specs) {
      const node = runtime.addNode(spec);
      node.encryptionHash = hashes.get(spec.name) ?? null;
      node.joinTarget = joinTarget(spec)?.name ?? null;
    }

    await this.startApi(
      runtime,
      specs.map((s) => s.address),
    );
    this.progress(`API serving at ${this.api!.url}`);
    this.rpc = await startRpcServer(runtime, paths.socket);
    this.http = await startHttpExecServer(runtime, paths.httpSocket);
    await writeInventory(paths.inventory, paths.root, specs, options.dataDirInUnit);

    await this.bootNodes(runtime);
    runtime.startHealthTimer();
    await runtime.queryHealth();
    return {
      nodes: specs.length,
      etcdMode,
      apiUrl: this.api!.url,
      kubeconfig: paths.kubeconfig,
      inventory: paths.inventory,
    };
  }

  private async startApi(runtime: LabRuntime, addresses: string[]): Promise<void> {
    const now = new Date();
    const serving = await issueApiServing(runtime.cas, now, ['127.0.0.1', ...addresses]);
    const admin = await issueAdminClient(runtime.cas, now);
    this.api = await startApiServer({
      backend: runtime.backend(),
      host: '127.0.0.1',
      port: this.options.apiPort,
      tls: { certPem: serving.certPem, keyPem: serving.keyPem, clientCaPem: runtime.cas.clientCa.certPem },
    });
    const kubeconfig = {
      server: this.api.url,
      caPem: runtime.cas.serverCa.certPem,
      clientCertPem: admin.certPem,
      clientKeyPem: admin.keyPem,
    };
    await writeKubeconfig(this.paths.kubeconfig, { ...kubeconfig, clusterName: 'keyturn-lab' });
    // Servers keep their own admin kubeconfig at /etc/rancher/<prog>/<prog>.yaml.
    for (const node of runtime.nodes.filter(isServerNode)) {
      await writeKubeconfig(path.join(node.paths.etcDir, `${node.prog}.yaml`), {
        ...kubeconfig,
        clusterName: 'default',
      });
    }
  }

  /** Upstream's order: etcd servers together (they need each other for quorum), then control plane, then agents. */
  private async bootNodes(runtime: LabRuntime): Promise<void> {
    const withEtcd = runtime.nodes.filter(hasEtcd);
    const controlPlaneOnly = runtime.nodes.filter((n) => isControlPlane(n) && !hasEtcd(n));
    const agents = runtime.nodes.filter((n) => !isServerNode(n));
    this.progress(`starting ${withEtcd.length} etcd servers`);
    await startAll(withEtcd);
    if (!(await runtime.waitForQuorum(QUORUM_AT_BOOT_MS * this.options.speed))) {
      throw new Error(`etcd did not reach quorum: ${runtime.health.reason}`);
    }
    this.progress(`etcd quorum: ${runtime.health.running.length} of ${withEtcd.length} members healthy`);
    if (controlPlaneOnly.length > 0) this.progress(`starting ${controlPlaneOnly.length} control-plane servers`);
    await startAll(controlPlaneOnly);
    if (agents.length > 0) this.progress(`starting ${agents.length} agents`);
    await startAll(agents);
  }

  stop(): Promise<void> {
    this.stopping ??= this.stopEverything();
    return this.stopping;
  }

  private async stopEverything(): Promise<void> {
    const problems: string[] = [];
    const attempt = async (what: string, work: () => Promise<unknown>) => {
      try {
        await work();
      } catch (error) {
        problems.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
      }
    };
    if (this.rpc) await attempt('socket', () => this.rpc!.close());
    if (this.http) await attempt('http socket', () => this.http!.close());
    if (this.runtime) await attempt('services', () => this.runtime!.shutdown());
    if (this.etcd) await attempt('etcd', () => this.etcd!.stopAll());
    if (this.api) await attempt('api', () => this.api!.close());
    if (this.claimed) await attempt('lab dir', () => releaseLabDir(this.paths));
    if (problems.length > 0) throw new Error(`lab stopped with problems: ${problems.join('; ')}`);
  }
}

/**
 * Whom each node registers with: the first server, which itself joins nobody (it initialised the cluster) —
 * unless every server joined a peer, as after the init node was replaced: then the first joins the second.
 */
function joinTargets(specs: LabNodeSpec[], joinedAllServers: boolean): (spec: LabNodeSpec) => LabNodeSpec | null {
  const servers = specs.filter((s) => isServer(s.roles));
  const [first, second] = servers;
  return (spec) => {
    if (spec !== first) return first ?? null;
    return joinedAllServers ? (second ?? null) : null;
  };
}

async function startAll(nodes: LabNode[]): Promise<void> {
  const results = await Promise.all(nodes.map(async (n) => ({ node: n, result: await n.service.start() })));
  const failed = results.filter((r) => !r.result.ok);
  if (failed.length > 0) {
    const detail = failed.map((f) => `${f.node.spec.name}: ${f.result.ok ? '' : f.result.reason}`).join('; ');
    throw new Error(`nodes failed to start: ${detail}`);
  }
}

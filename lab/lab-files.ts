// Writing a lab directory before anything runs: the lock (pid file), the node-client, and each node's data dir.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../src/errors.js';
import { isServer } from '../src/model/cluster.js';
import { labNodePaths, type LabNodeSpec, type labPaths } from './contract.js';
import { writeEncryptionFiles } from './encryption-files.js';
import { NODE_CLIENT_SOURCE } from './node-client-source.js';
import { nodeConfigYaml, writeNodeCommands } from './node-files.js';
import { writeNodeCertificates, type ClusterCAs } from './pki/index.js';

type LabPaths = ReturnType<typeof labPaths>;

/** The cluster's CA material (the "datastore" copy the lab re-issues leaves from). */
export const casFile = (paths: LabPaths) => path.join(paths.root, 'cluster-cas.json');

/** Unix socket paths are limited to 107 bytes on Linux. */
const MAX_SOCKET_PATH = 107;

/**
 * Takes the directory for this lab: refuses one where another lab is running (its pid file names a live process),
 * clears what a previous, dead lab left, and writes our pid file.
 */
export async function claimLabDir(paths: LabPaths): Promise<void> {
  if (Buffer.byteLength(paths.httpSocket) > MAX_SOCKET_PATH) {
    throw new UsageError(`--dir ${paths.root}: path too long for the lab's socket — use a shorter directory`);
  }
  await makeDirs(paths.root);
  const other = runningLabPid(paths.pidFile);
  if (other !== null)
    throw new UsageError(
      `--dir ${paths.root}: another lab is running there (pid ${other}) — stop it first or use another --dir`,
    );
  for (const stale of [
    paths.socket,
    paths.httpSocket,
    paths.record,
    paths.latency,
    paths.kubeconfig,
    paths.inventory,
    casFile(paths),
    path.join(paths.root, 'nodes'),
  ]) {
    await rm(stale, { recursive: true, force: true });
  }
  await writeFile(paths.pidFile, `${process.pid}\n`);
  await writeFile(paths.record, '');
  await writeFile(paths.client, NODE_CLIENT_SOURCE);
}

/**
 * mkdir -p one level at a time: Node 20's recursive mkdir never returns for a path under /proc (it retries the
 * parent forever), so a lab asked for `--dir /proc/x` spun a core and ignored signals.
 */
async function makeDirs(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const found = await stat(d).catch(() => null);
    if (found) {
      if (!found.isDirectory()) throw new UsageError(`--dir ${dir}: ${d} is not a directory — use another --dir`);
      break;
    }
    missing.unshift(d);
    if (d === path.dirname(d)) break;
  }
  for (const d of missing) {
    await mkdir(d).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST')
        throw new UsageError(
          `--dir ${dir}: cannot create ${d} (${error.code ?? error.message}) — use a directory you can write`,
        );
    });
  }
}

/** What a lab that failed to start wrote into its directory (the directory itself stays: it may be the user's). */
export async function discardLabDir(paths: LabPaths): Promise<void> {
  for (const file of [
    paths.kubeconfig,
    paths.inventory,
    paths.record,
    paths.latency,
    paths.client,
    casFile(paths),
    path.join(paths.root, 'nodes'),
  ]) {
    await rm(file, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  }
}

export async function releaseLabDir(paths: LabPaths): Promise<void> {
  await rm(paths.socket, { force: true });
  await rm(paths.httpSocket, { force: true });
  if (runningLabPid(paths.pidFile) === process.pid) await rm(paths.pidFile, { force: true });
}

function runningLabPid(pidFile: string): number | null {
  if (!existsSync(pidFile)) return null;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    // EPERM: alive but not ours — still a running lab.
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? pid : null;
  }
}

export interface NodeMaterial {
  cas: ClusterCAs;
  encryptionConfig: string;
  now: Date;
  /** Address agents and joining servers register with (the first server), or null for that server itself. */
  joinAddress: (node: LabNodeSpec) => string | null;
  /** The secure join token joining nodes carry in their config.yaml (the first server's node-token). */
  token?: string;
  /** The lab's release (LabOptions.version). */
  version?: string;
  /** The data dir goes on the unit's command line, not in config.yaml (LabOptions.dataDirInUnit). */
  dataDirInUnit?: boolean;
}

export async function writeNodeFiles(
  paths: LabPaths,
  spec: LabNodeSpec,
  material: NodeMaterial,
): Promise<string | null> {
  const nodePaths = labNodePaths(paths.root, spec.name);
  await mkdir(nodePaths.dataDir, { recursive: true, mode: 0o755 });
  await mkdir(nodePaths.etcDir, { recursive: true });
  await writeFile(nodePaths.journal, '');
  await writeNodeCommands(paths, spec);
  await writeFile(
    path.join(nodePaths.etcDir, 'config.yaml'),
    nodeConfigYaml(
      spec,
      material.dataDirInUnit ? null : nodePaths.dataDir,
      material.joinAddress(spec),
      material.token ?? null,
    ),
  );
  await writeNodeCertificates(
    {
      dataDir: nodePaths.dataDir,
      distro: spec.distro,
      roles: spec.roles,
      nodeName: spec.name,
      address: spec.address,
      cas: material.cas,
      version: material.version,
    },
    material.now,
  );
  // Every server carries the same config bytes, so their hashes match (RKE2 always encrypts; K3s too in the lab).
  return isServer(spec.roles) ? writeEncryptionFiles(nodePaths.dataDir, material.encryptionConfig) : null;
}

/** Runs `work` over items with at most `limit` in flight (large:200 writes ~1500 certificates). */
export async function forEachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

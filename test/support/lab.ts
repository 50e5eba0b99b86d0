// Starts a real `keyturn lab up` child for a test and gives handles to its nodes. Each call gets its own address
// block (127.<20 + pid % 200>.<counter>), so parallel test files never collide on etcd ports.
//
//   let lab: LabHandle | undefined;
//   afterEach(async () => { await lab?.stop(); lab = undefined; });
//   it('...', async () => { lab = await startLab({ topology: 'split' }); ... });
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import type { RecordEntry } from '../../lab/contract.js';
import type { Role } from '../../src/model/cluster.js';
import { cliArgs, repoRoot } from './paths.js';

export interface LabStartOptions {
  topology: string;
  distro: 'rke2' | 'k3s';
  version: string;
  etcd: 'auto' | 'real' | 'emulated';
  speed: number;
  secrets: number;
  /** Further `lab up` flags, e.g. ['--encryption-provider', 'secretbox'] or ['--joined-all-servers']. */
  extraArgs: string[];
}

/** A node of the lab's inventory.yaml, as `lab up` writes it. */
export interface LabInventoryNode {
  name: string;
  address: string;
  roles: Role[];
  distro: string;
  dataDir: string;
  env: Record<string, string>;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface LabHandle {
  dir: string;
  kubeconfig: string;
  inventory: string;
  net: string;
  /** The `lab ready` line. */
  readyLine: string;
  /** The lab's pid (for shutdown checks). */
  pid: number;
  nodes: { name: string; address: string; roles: Role[]; dataDir: string }[];
  env(node: string): Record<string, string>;
  /** sh -c with the node's env, like keyturn's local transport. */
  run(node: string, script: string): Promise<RunResult>;
  fault(name: string, args?: string[], node?: string): Promise<void>;
  record(): Promise<RecordEntry[]>;
  /** SIGTERM and await exit, then remove the directory (keepDir: leave it, e.g. to run a node's bin/ afterwards). */
  stop(options?: { keepDir?: boolean }): Promise<void>;
}

let counter = 0;
const READY_TIMEOUT_MS = 90_000;

function uniqueNet(): string {
  counter += 1;
  return `127.${20 + (process.pid % 200)}.${(counter * 7 + Math.floor(Math.random() * 7)) % 250}`;
}

export async function startLab(opts: Partial<LabStartOptions> = {}): Promise<LabHandle> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kt-lab-'));
  const net = uniqueNet();
  const args = [
    ...cliArgs,
    'lab',
    'up',
    '--dir',
    dir,
    '--net',
    net,
    '--speed',
    String(opts.speed ?? 20),
    '--topology',
    opts.topology ?? 'split',
  ];
  if (opts.distro) args.push('--distro', opts.distro);
  if (opts.version) args.push('--version', opts.version);
  if (opts.etcd) args.push('--etcd', opts.etcd);
  if (opts.secrets !== undefined) args.push('--secrets', String(opts.secrets));
  args.push(...(opts.extraArgs ?? []));
  const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  const readyLine = await awaitReady(child);

  const inventoryPath = path.join(dir, 'inventory.yaml');
  const inventory = parse(await readFile(inventoryPath, 'utf8')) as { nodes: LabInventoryNode[] };
  const byName = new Map(inventory.nodes.map((n) => [n.name, n]));
  const env = (node: string) => {
    const entry = byName.get(node);
    if (!entry) throw new Error(`no lab node ${node}`);
    return { ...process.env, ...entry.env } as Record<string, string>;
  };
  let terminated: Promise<unknown> | undefined;
  return {
    dir,
    kubeconfig: path.join(dir, 'kubeconfig'),
    inventory: inventoryPath,
    net,
    readyLine,
    pid: child.pid ?? -1,
    nodes: inventory.nodes.map(({ name, address, roles, dataDir }) => ({ name, address, roles, dataDir })),
    env,
    run: (node, script) => runWith(env(node), 'sh', ['-c', script]),
    async fault(name, faultArgs = [], node) {
      const argv = [...cliArgs, 'lab', 'fault', name, ...faultArgs, '--dir', dir, ...(node ? ['--node', node] : [])];
      const result = await runWith(process.env as Record<string, string>, process.execPath, argv);
      if (result.code !== 0) throw new Error(`lab fault ${name} failed (${result.code}): ${result.stderr}`);
    },
    async record() {
      const text = await readFile(path.join(dir, 'record.jsonl'), 'utf8');
      return text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as RecordEntry);
    },
    async stop(options) {
      terminated ??= terminate(child);
      await terminated;
      if (!options?.keepDir) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves with the `lab ready` line; on failure SIGTERMs the child and rejects with its stderr. */
export function awaitReady(child: ChildProcess, timeoutMs = READY_TIMEOUT_MS): Promise<string> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGTERM');
      reject(new Error(`lab up ${why}; stderr:\n${stderr}`));
    };
    const timer = setTimeout(() => fail(`not ready within ${timeoutMs} ms`), timeoutMs);
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const line = stdout.split('\n').find((l) => l.startsWith('lab ready'));
      if (line) {
        clearTimeout(timer);
        resolve(line);
      }
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('exit', (code) => fail(`exited with ${code} before ready`));
  });
}

/** SIGTERM and wait for exit; SIGKILL after a deadline so a hung lab fails the test instead of leaking. */
export async function terminate(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    child.kill('SIGTERM');
  });
}

export function runWith(env: Record<string, string>, command: string, args: string[]): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Polls `check` until it returns a value (not undefined) or the deadline passes. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

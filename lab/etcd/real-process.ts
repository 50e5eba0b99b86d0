// One real etcd process: spawned in its own process group with a clean environment, output to its log file.
// Stopping it sends SIGTERM to the group, then SIGKILL after a grace period, and waits for the exit.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

export interface SpawnedEtcd {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Byte offset of the log file when this process started: its own lines begin there. */
  logOffset: number;
}

/** Process groups we started and have not seen exit: killed if this Node process exits without stopping them. */
const liveGroups = new Set<number>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pgid of liveGroups) signalGroup(pgid, 'SIGKILL');
  });
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already gone, which is what we wanted.
  }
}

/** Go's GOARCH for this machine: Debian's etcd 3.4 refuses to run on arches it calls unsupported unless told. */
function goArch(): string {
  const map: Record<string, string> = {
    x64: 'amd64',
    arm64: 'arm64',
    arm: 'arm',
    ia32: '386',
    ppc64: 'ppc64le',
    s390x: 's390x',
  };
  return map[process.arch] ?? process.arch;
}

export function spawnEtcd(binary: string, args: string[], dataDir: string, logFile: string): SpawnedEtcd {
  installExitHook();
  // etcd 3.4 warns (and later versions refuse) when the data dir is not 0700.
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  mkdirSync(path.dirname(logFile), { recursive: true });
  const logFd = openSync(logFile, 'a');
  const logOffset = statSync(logFile).size;
  // A clean env: nothing from our environment (ETCD_* variables are flags to etcd) and no /etc/default/etcd.
  const env: Record<string, string> = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' };
  if (goArch() !== 'amd64') env.ETCD_UNSUPPORTED_ARCH = goArch();
  let child: ChildProcess;
  try {
    child = spawn(binary, args, { detached: true, stdio: ['ignore', logFd, logFd], env, cwd: dataDir });
  } finally {
    closeSync(logFd);
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', () => resolve({ code: null, signal: null })); // spawn failure: no process to wait for
  });
  const pgid = child.pid;
  if (pgid !== undefined) {
    liveGroups.add(pgid);
    void exited.then(() => liveGroups.delete(pgid));
  }
  return { child, exited, logOffset };
}

export function hasExited(proc: SpawnedEtcd): boolean {
  return proc.child.pid === undefined || proc.child.exitCode !== null || proc.child.signalCode !== null;
}

export async function stopEtcd(proc: SpawnedEtcd, graceMs: number): Promise<void> {
  const pgid = proc.child.pid;
  if (pgid === undefined || hasExited(proc)) {
    await proc.exited;
    return;
  }
  signalGroup(pgid, 'SIGTERM');
  const ac = new AbortController();
  const outcome = await Promise.race([
    proc.exited.then(() => 'exited' as const),
    delay(graceMs, 'grace-over' as const, { signal: ac.signal }).catch(() => 'exited' as const),
  ]);
  ac.abort();
  // A lone leader spends ~5 s trying to hand over leadership before it exits: not worth waiting for in the lab.
  if (outcome === 'grace-over') signalGroup(pgid, 'SIGKILL');
  await proc.exited;
  // The group may hold nothing else, but make sure (etcd does not fork; this is belt and braces).
  signalGroup(pgid, 'SIGKILL');
  liveGroups.delete(pgid);
}

/** The last meaningful lines this process wrote, for a start failure message. */
export function tailOfLog(logFile: string, fromOffset: number, lines = 3): string {
  try {
    const text = readFileSync(logFile).subarray(fromOffset).toString('utf8');
    return text
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .slice(-lines)
      .join(' | ');
  } catch {
    return '';
  }
}

// Runs a command to completion and times it (wall clock, from spawn to close), with a hard timeout.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/** What users run: the compiled CLI (npm run bench builds first). */
export const keyturnBin = path.join(repoRoot, 'bin/keyturn.js');
export const keyturnArgs = [keyturnBin];

export interface Timed {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  timedOut: boolean;
}

export function runTimed(
  command: string,
  args: readonly string[],
  opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string } = {},
): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, [...args], {
      env: opts.env ?? process.env,
      cwd: opts.cwd ?? repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          killGroup(child.pid, 'SIGKILL');
        }, opts.timeoutMs)
      : null;
    child.once('error', (error) => {
      if (timer) clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: performance.now() - started, timedOut });
    });
  });
}

export function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** True when `name` is on PATH. */
export async function haveBinary(name: string): Promise<boolean> {
  const r = await runTimed('sh', ['-c', `command -v ${name}`]).catch(() => null);
  return r?.code === 0;
}

/** The last non-empty stderr line, for a "not measured" reason. */
export function stderrTail(r: Pick<Timed, 'stderr' | 'stdout'>): string {
  const lines = (r.stderr || r.stdout)
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.slice(-1)[0] ?? '(no output)';
}

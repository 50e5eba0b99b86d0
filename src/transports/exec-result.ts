// Shared by the local and ssh shells: capturing output and turning how a process ended into an ExecResult.
import { constants } from 'node:os';
import { UsageError } from '../errors.js';
import { BoundedOutput } from './bounded-output.js';
import { LineSplitter } from './line-splitter.js';
import type { ProcessEnd } from './process-runner.js';
import type { ExecOutcome, ExecResult, FollowOptions } from './types.js';
import { neutraliseText } from '../util/untrusted-text.js';

/** Which exit code means "the transport itself failed" (ssh: 255); the local shell has none. */
export interface OutcomeRules {
  connectionExitCode?: number;
}

export function outcomeOf(end: ProcessEnd, rules: OutcomeRules): { outcome: ExecOutcome; code: number | null } {
  switch (end.kind) {
    case 'exited':
      if (end.code === 0) return { outcome: 'ok', code: 0 };
      if (end.code === rules.connectionExitCode) return { outcome: 'connection', code: end.code };
      if (end.code === 127) return { outcome: 'command-missing', code: 127 };
      return { outcome: 'exit', code: end.code };
    case 'signalled':
      // Reported the way a shell would ($? = 128 + signal number), so "exit 137" reads as "killed".
      return { outcome: 'exit', code: 128 + (constants.signals[end.signal] ?? 0) };
    case 'spawn-failed':
      return { outcome: 'connection', code: null };
    case 'timeout':
      return { outcome: 'timeout', code: null };
    case 'aborted':
      return { outcome: 'aborted', code: null };
    default:
      return assertNeverEnd(end);
  }
}

function assertNeverEnd(end: never): never {
  throw new Error(`unexpected process end: ${JSON.stringify(end)}`);
}

/**
 * What a follow() keeps of its own output for its result: the lines went to onLine as they came. A live tail can
 * pour megabytes a second; keeping 4 MiB of it kept every chunk alive long enough to be promoted, and the wizard's
 * memory then rose by tens of MiB between full collections.
 */
export const FOLLOW_KEPT_BYTES = 64 * 1024;

/**
 * Capped stdout/stderr, optionally also split into lines for follow(). Node output is untrusted: each streamed line
 * and the result's stdout/stderr are neutralised here, where they enter keyturn (util/untrusted-text.ts).
 */
export class OutputCapture {
  readonly stdout: BoundedOutput;
  readonly stderr: BoundedOutput;
  private readonly splitters: { stdout: LineSplitter; stderr: LineSplitter } | null;

  constructor(follow?: FollowOptions) {
    this.stdout = new BoundedOutput(follow ? FOLLOW_KEPT_BYTES : undefined);
    this.stderr = new BoundedOutput(follow ? FOLLOW_KEPT_BYTES : undefined);
    this.splitters = follow
      ? {
          stdout: new LineSplitter((line) => follow.onLine(neutraliseText(line), 'stdout')),
          stderr: new LineSplitter((line) => follow.onLine(neutraliseText(line), 'stderr')),
        }
      : null;
  }

  addStdout(chunk: Buffer): void {
    this.stdout.append(chunk);
    this.splitters?.stdout.push(chunk);
  }

  addStderr(chunk: Buffer): void {
    this.stderr.append(chunk);
    this.splitters?.stderr.push(chunk);
  }

  /** Flushes partial last lines; call once when the process has ended. */
  end(): void {
    this.splitters?.stdout.end();
    this.splitters?.stderr.end();
  }
}

export function buildResult(
  node: string,
  script: string,
  end: ProcessEnd,
  durationMs: number,
  capture: OutputCapture,
  rules: OutcomeRules,
): ExecResult {
  capture.end();
  const { outcome, code } = outcomeOf(end, rules);
  let stderr = capture.stderr.text();
  if (end.kind === 'spawn-failed') stderr += (stderr && !stderr.endsWith('\n') ? '\n' : '') + end.message;
  return {
    node,
    script,
    outcome,
    code,
    stdout: neutraliseText(capture.stdout.text()),
    stderr: neutraliseText(stderr),
    durationMs,
  };
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `env` arguments (K=V) for node.env; a name that is not a valid variable name is bad inventory input. */
export function envAssignments(node: string, env: Record<string, string> | undefined): string[] {
  return Object.entries(env ?? {}).map(([name, value]) => {
    if (!ENV_NAME.test(name)) {
      throw new UsageError(
        `inventory node ${node}: env name ${JSON.stringify(name)} is not a valid variable name — use letters, digits and _`,
      );
    }
    return `${name}=${value}`;
  });
}

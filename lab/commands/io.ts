// How a node command talks back: stdout/stderr text and an exit code, and a signal that fires when the client
// (bin/<prog> on the node) went away — journalctl -f stops following then.
import type { LabNode } from '../lab-node.js';
import type { LabRuntime } from '../lab-runtime.js';

export interface CommandIO {
  stdout(text: string): void;
  stderr(text: string): void;
  signal: AbortSignal;
}

export interface CommandContext {
  lab: LabRuntime;
  node: LabNode;
  argv: string[];
  io: CommandIO;
  /** The working directory the node command was run in (relative paths in arguments resolve against it). */
  cwd?: string;
}

/** `--flag value` or `--flag=value` (also a short alias); returns the value and argv without it. */
export function takeOption(argv: string[], names: string[]): { value: string | undefined; rest: string[] } {
  const rest: string[] = [];
  let value: string | undefined;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const name = names.find((n) => arg === n || arg.startsWith(`${n}=`));
    if (name === undefined) {
      rest.push(arg);
    } else if (arg === name) {
      value = argv[i + 1];
      i += 1;
    } else {
      value = arg.slice(name.length + 1);
    }
  }
  return { value, rest };
}

export function takeFlag(argv: string[], names: string[]): { present: boolean; rest: string[] } {
  const rest = argv.filter((a) => !names.includes(a));
  return { present: rest.length !== argv.length, rest };
}

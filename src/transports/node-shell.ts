// Picks the transport an inventory node asks for, and explains a failed command in one line for the operator.
import type { InventoryNode } from '../model/inventory.js';
import { createLocalShell } from './local-shell.js';
import { createSshShell } from './ssh-shell.js';
import type { ExecResult, NodeShell } from './types.js';

export interface NodeShellOptions {
  controlDir: string;
  connectTimeoutSeconds?: number;
}

export function createNodeShell(node: InventoryNode, opts: NodeShellOptions): NodeShell {
  const transport = node.transport;
  switch (transport) {
    case 'ssh':
      return createSshShell(node, opts);
    case 'local':
      return createLocalShell(node);
    default:
      return assertNeverTransport(transport);
  }
}

function assertNeverTransport(transport: never): never {
  throw new Error(`unknown transport: ${JSON.stringify(transport)}`);
}

const TAIL_CHARS = 200;

/**
 * One line for the operator, e.g. "node etcd-1 (10.0.0.1) unreachable over SSH: Connection refused".
 * Pass the inventory node when you have it: it adds the address and names the transport.
 */
export function describeFailure(result: ExecResult, node?: InventoryNode): string {
  const who = node ? `node ${result.node} (${node.address})` : `node ${result.node}`;
  const tail = stderrTail(result.stderr);
  const because = tail ? `: ${tail}` : '';
  const command = `\`${oneLine(result.script, 80)}\``;
  switch (result.outcome) {
    case 'ok':
      return `${who}: ${command} succeeded`;
    case 'exit':
      return `${who}: ${command} failed with exit code ${result.code ?? 'unknown'}${because}`;
    case 'command-missing':
      return `${who}: a program in ${command} is not installed or not on PATH (exit 127)${because}`;
    case 'connection':
      if (node?.transport === 'local') return `${who}: could not start a local shell${because}`;
      return `${who} unreachable over SSH${because || ' (ssh exited 255 without a message)'}`;
    case 'timeout':
      return `${who}: ${command} timed out after ${formatSeconds(result.durationMs)} and was stopped${because}`;
    case 'aborted':
      return `${who}: ${command} was cancelled after ${formatSeconds(result.durationMs)}`;
    default:
      return assertNeverOutcome(result.outcome);
  }
}

function assertNeverOutcome(outcome: never): never {
  throw new Error(`unknown outcome: ${JSON.stringify(outcome)}`);
}

/** The last non-empty stderr lines, joined and cut to one short line. */
function stderrTail(stderr: string): string {
  const lines = stderr
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
  const last = lines.slice(-2).join(' | ');
  return last.length > TAIL_CHARS ? `…${last.slice(-TAIL_CHARS)}` : last;
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

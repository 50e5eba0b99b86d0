// Live `journalctl -u <unit> -f` per node while it stops, starts and settles. Lines go to the log port; the last
// few are kept (bounded) as evidence for a failure.
import type { NodeShell } from '../transports/types.js';
import { followJournalCommand } from './commands.js';
import type { PlannedNode } from './plan-types.js';
import type { LogSink } from './ports.js';
import { redact } from '../util/redact.js';
import { RingBuffer } from '../util/ring-buffer.js';

export const TAIL_KEEP_LINES = 200;
export const TAIL_MAX_LINE = 2000;

interface Tail {
  abort: AbortController;
  done: Promise<unknown>;
  lines: RingBuffer;
}

export class Tails {
  private readonly tails = new Map<string, Tail>();
  private readonly recentLines = new Map<string, RingBuffer>();

  constructor(private readonly log: LogSink) {}

  start(node: PlannedNode, shell: NodeShell, parent: AbortSignal): void {
    if (this.tails.has(node.name)) return;
    const abort = new AbortController();
    const onParent = () => abort.abort();
    parent.addEventListener('abort', onParent, { once: true });
    const lines = new RingBuffer(TAIL_KEEP_LINES);
    this.recentLines.set(node.name, lines);
    const command = followJournalCommand(node);
    this.log.emit({ type: 'tail-started', node: node.name, unit: node.unit, command });
    const done = shell
      .follow(command, {
        signal: abort.signal,
        onLine: (line, stream) => {
          // A journal line can carry a join or bearer token: hidden in the live pane and in a failure's evidence.
          const text = redact(line.length > TAIL_MAX_LINE ? `${line.slice(0, TAIL_MAX_LINE)}…` : line);
          lines.push(text);
          this.log.emit({ type: 'line', node: node.name, line: text, stream });
        },
      })
      .catch(() => undefined) // a tail that cannot start is not a reason to stop a rotation
      .finally(() => parent.removeEventListener('abort', onParent));
    this.tails.set(node.name, { abort, done, lines });
  }

  async stop(node: string): Promise<void> {
    const t = this.tails.get(node);
    if (!t) return;
    this.tails.delete(node);
    t.abort.abort();
    await t.done;
    this.log.emit({ type: 'tail-stopped', node });
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.tails.keys()].map((n) => this.stop(n)));
  }

  /** The node's most recent journal lines (kept after the tail stops, for the failure's evidence). */
  recent(node: string, n = 30): string[] {
    return this.recentLines.get(node)?.last(n) ?? [];
  }
}

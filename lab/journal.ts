// A node's journal: DIR/nodes/<n>/journal.log in journald's short format, plus live subscribers (journalctl -f).
import { appendFileSync } from 'node:fs';
import { journalTime, logrusTime } from './clock.js';

export type LogLevel = 'debug' | 'info' | 'warning' | 'error' | 'fatal';
type Listener = (line: string) => void;

export class NodeJournal {
  private readonly listeners = new Set<Listener>();

  constructor(
    readonly file: string,
    private readonly node: string,
    private readonly now: () => Date,
  ) {}

  /** A line from the service's main process, logrus-formatted like rke2/k3s write it. */
  service(prog: string, pid: number, level: LogLevel, msg: string): void {
    const at = this.now();
    this.write(at, `${prog}[${pid}]`, `time="${logrusTime(at)}" level=${level} msg=${goQuote(msg)}`);
  }

  /** A line the main process writes as it is, not through logrus: klog lines, a Go panic and its trace. */
  raw(prog: string, pid: number, text: string): void {
    this.write(this.now(), `${prog}[${pid}]`, text);
  }

  /** klog's form (`I1127 18:53:34.667894    8964 event.go:389] ...`), as upstream's event recorder logs events. */
  klog(prog: string, pid: number, source: string, text: string): void {
    const at = this.now();
    const pad = (n: number, width = 2) => String(n).padStart(width, '0');
    const stamp = `${pad(at.getUTCMonth() + 1)}${pad(at.getUTCDate())} ${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}:${pad(at.getUTCSeconds())}.${pad(at.getUTCMilliseconds() * 1000, 6)}`;
    this.write(at, `${prog}[${pid}]`, `I${stamp} ${String(pid).padStart(7)} ${source}] ${text}`);
  }

  /** A line from systemd (PID 1) about the unit. */
  systemd(text: string): void {
    this.write(this.now(), 'systemd[1]', text);
  }

  /** Follow new lines until the returned function is called. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  subscriberCount(): number {
    return this.listeners.size;
  }

  private write(at: Date, ident: string, text: string): void {
    const line = `${journalTime(at)} ${this.node} ${ident}: ${text}`;
    appendFileSync(this.file, line + '\n');
    for (const listener of this.listeners) listener(line);
  }
}

/** Go's %q for the ASCII text the lab logs: double quotes, backslash escapes. */
export function goQuote(text: string): string {
  return JSON.stringify(text);
}

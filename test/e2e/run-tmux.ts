// Drives `keyturn run` / `keyturn resume` in tmux as a person does: wait for each question on screen, answer it,
// wait for the screen that answers back. One private tmux server per test file.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { RecordEntry } from '../../src/lab/contract.js';
import type { LabHandle } from '../support/lab.js';
import { cliArgs, repoRoot } from '../support/paths.js';

const exec = promisify(execFile);
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export class TmuxDriver {
  readonly socket = `kt-run-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  stateDir = '';
  configDir = '';

  async setup(): Promise<void> {
    this.stateDir = await mkdtemp(path.join(os.tmpdir(), 'kt-run-state-'));
    this.configDir = await mkdtemp(path.join(os.tmpdir(), 'kt-run-conf-'));
  }

  async teardown(): Promise<void> {
    await this.tmux('kill-server').catch(() => {});
    await rm(this.stateDir, { recursive: true, force: true });
    await rm(this.configDir, { recursive: true, force: true });
  }

  async tmux(...args: string[]): Promise<string> {
    const { stdout } = await exec('tmux', ['-L', this.socket, ...args]);
    return stdout;
  }

  /** Starts the CLI from source in its own tmux session; the pane keeps the exit code on screen afterwards. */
  async start(session: string, lab: LabHandle, args: string[], env: Record<string, string> = {}): Promise<void> {
    const cli = [process.execPath, ...cliArgs, ...args, '--kubeconfig', lab.kubeconfig, '--inventory', lab.inventory].map(quote).join(' ');
    const vars = { KEYTURN_STATE_DIR: this.stateDir, KEYTURN_CONFIG_DIR: this.configDir, ...env };
    const prefix = Object.entries(vars).map(([k, v]) => `${k}=${quote(v)}`).join(' ');
    const command = `cd ${quote(repoRoot)} && ${prefix} ${cli}; echo "keyturn exited $?"; sleep 900`;
    await this.tmux('new-session', '-d', '-s', session, '-x', '170', '-y', '60', command);
  }

  screen(session: string): Promise<string> {
    return this.tmux('capture-pane', '-p', '-J', '-t', session);
  }

  async waitFor(session: string, what: string, predicate: (text: string) => boolean, timeoutMs = 60_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = await this.screen(session);
      if (predicate(text)) return text;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; screen:\n${text}`);
      await new Promise((r) => setTimeout(r, 150));
    }
  }

  send(session: string, ...keys: string[]): Promise<string> {
    return this.tmux('send-keys', '-t', session, ...keys);
  }

  /**
   * Answers every node question until `done` holds. `beforeNode(node)` runs before answering (inject faults,
   * kill keyturn: return 'stop' to leave the question unanswered and return).
   */
  async answerAll(session: string, done: (text: string) => boolean, opts: { timeoutMs?: number; beforeNode?: (node: string) => Promise<'answer' | 'stop'> } = {}): Promise<{ screen: string; asked: string[] }> {
    const deadline = Date.now() + (opts.timeoutMs ?? 240_000);
    const asked: string[] = [];
    for (;;) {
      const text = await this.waitFor(session, 'a node question or the end', (t) => done(t) || askedNode(t) !== null, Math.max(1000, deadline - Date.now()));
      if (done(text)) return { screen: text, asked };
      const node = askedNode(text)!;
      if (opts.beforeNode && (await opts.beforeNode(node)) === 'stop') return { screen: text, asked };
      asked.push(node);
      if (/Type the node name/.test(text)) await this.send(session, '-l', node), await this.send(session, 'Enter');
      else await this.send(session, 'y');
      // The question goes away once the answer is taken; a key lost to a re-render is sent again.
      const gone = (t: string) => askedNode(t) !== node || done(t);
      try {
        await this.waitFor(session, `the answer for ${node} to be taken`, gone, 3_000);
      } catch {
        const again = await this.screen(session);
        if (askedNode(again) === node && !/Type the node name/.test(again)) await this.send(session, 'y');
        await this.waitFor(session, `the answer for ${node} to be taken`, gone, 30_000);
      }
    }
  }

  /** keyturn's pid in the pane (the pane runs sh -c "...; echo; sleep"), and every process under it. */
  async keyturnTree(session: string): Promise<{ pid: number; descendants: number[] }> {
    const panePid = Number((await this.tmux('list-panes', '-t', session, '-F', '#{pane_pid}')).trim());
    const children = async (pid: number): Promise<number[]> => {
      const { stdout } = await exec('ps', ['-o', 'pid=', '--ppid', String(pid)]).catch(() => ({ stdout: '' }));
      return stdout.split('\n').map((s) => Number(s.trim())).filter((n) => n > 0);
    };
    const node = (await children(panePid)).find(Boolean);
    if (!node) throw new Error('no keyturn process in the pane');
    const all: number[] = [];
    const queue = await children(node);
    while (queue.length) {
      const p = queue.shift()!;
      all.push(p);
      queue.push(...(await children(p)));
    }
    return { pid: node, descendants: all };
  }
}

/** The node a question on screen is about, or null. */
export function askedNode(text: string): string | null {
  return /These steps will run on (\S+), in order:/.exec(text)?.[1] ?? null;
}

export const exitedWith = (text: string): number | null => {
  const m = /keyturn exited (\d+)/.exec(text);
  return m ? Number(m[1]) : null;
};

/** Runs the CLI to completion outside tmux (status --json). */
export async function cliJson(lab: LabHandle, args: string[], env: Record<string, string>): Promise<unknown> {
  const { stdout } = await exec(process.execPath, [...cliArgs, ...args, '--kubeconfig', lab.kubeconfig, '--inventory', lab.inventory], { cwd: repoRoot, env: { ...process.env, ...env }, maxBuffer: 64 << 20 }).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }));
  return JSON.parse(stdout);
}

export function serverNames(lab: LabHandle): Set<string> {
  return new Set(lab.nodes.filter((n) => n.roles.some((r) => r !== 'worker')).map((n) => n.name));
}

/** The most servers down at once, from the record's service transitions (after `since`). */
export function maxServersDown(record: RecordEntry[], servers: Set<string>, since: string): number {
  const down = new Set<string>();
  let max = 0;
  for (const e of record) {
    if (e.t < since || e.type !== 'service' || !servers.has(e.node)) continue;
    if (e.to === 'active') down.delete(e.node);
    else down.add(e.node);
    max = Math.max(max, down.size);
  }
  return max;
}

/** Nodes in the order their service was first stopped by a command (after `since`). */
export function stopOrder(record: RecordEntry[], since: string): string[] {
  const order: string[] = [];
  for (const e of record) {
    if (e.t < since || e.type !== 'command' || e.prog !== 'systemctl' || !['stop', 'restart'].includes(e.argv[0])) continue;
    if (!order.includes(e.node)) order.push(e.node);
  }
  return order;
}

export const tierOf = (roles: readonly string[]): number => (roles.includes('etcd') ? 0 : roles.includes('control-plane') ? 1 : 2);

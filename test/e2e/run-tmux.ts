// Drives `keyturn run` / `keyturn resume` in tmux as a person does: wait for each question on screen, answer it,
// wait for the screen that answers back. One private tmux server per test file. Also what the run tests read back
// and check: the lab's record (order, servers down), the run's journal, `keyturn status --json`.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { RecordEntry } from '../../lab/contract.js';
import type { StatusReport } from '../../src/model/status.js';
import { renderReport } from '../../src/engine/report.js';
import { foldEvents, type RunState } from '../../src/engine/reducer.js';
import { listRuns, readJournal } from '../../src/journal/index.js';
import { startLab, type LabHandle, type LabStartOptions } from '../support/lab.js';
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

  /** Starts the built CLI (bin/keyturn.js) in its own tmux session; the pane keeps the exit code on screen afterwards. */
  async start(
    session: string,
    lab: LabHandle,
    args: string[],
    env: Record<string, string> = {},
    size = { columns: 170, rows: 60 },
  ): Promise<void> {
    const cli = [process.execPath, ...cliArgs, ...args, '--kubeconfig', lab.kubeconfig, '--inventory', lab.inventory]
      .map(quote)
      .join(' ');
    const vars = { KEYTURN_STATE_DIR: this.stateDir, KEYTURN_CONFIG_DIR: this.configDir, ...env };
    const prefix = Object.entries(vars)
      .map(([k, v]) => `${k}=${quote(v)}`)
      .join(' ');
    const command = `cd ${quote(repoRoot)} && ${prefix} ${cli}; echo "keyturn exited $?"; sleep 900`;
    await this.tmux('new-session', '-d', '-s', session, '-x', String(size.columns), '-y', String(size.rows), command);
  }

  screen(session: string): Promise<string> {
    return this.tmux('capture-pane', '-p', '-J', '-t', session);
  }

  async waitFor(
    session: string,
    what: string,
    predicate: (text: string) => boolean,
    timeoutMs = 60_000,
  ): Promise<string> {
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
  async answerAll(
    session: string,
    done: (text: string) => boolean,
    opts: { timeoutMs?: number; beforeNode?: (node: string) => Promise<'answer' | 'stop'> } = {},
  ): Promise<{ screen: string; asked: string[] }> {
    const deadline = Date.now() + (opts.timeoutMs ?? 240_000);
    const asked: string[] = [];
    for (;;) {
      const text = await this.waitFor(
        session,
        'a node question or the end',
        (t) => done(t) || askedNode(t) !== null,
        Math.max(1000, deadline - Date.now()),
      );
      if (done(text)) return { screen: text, asked };
      const node = askedNode(text)!;
      if (opts.beforeNode && (await opts.beforeNode(node)) === 'stop') return { screen: text, asked };
      asked.push(node);
      if (/Type the node name/.test(text)) await typeName(this, session, node);
      else await this.send(session, 'y');
      // The question goes away once the answer is taken; a key lost to a re-render is sent again.
      const key = questionKey(text);
      const gone = (t: string) => questionKey(t) !== key || done(t);
      try {
        await this.waitFor(session, `the answer for ${node} to be taken`, gone, 3_000);
      } catch {
        const again = await this.screen(session);
        if (questionKey(again) === key && !/Type the node name/.test(again)) await this.send(session, 'y');
        await this.waitFor(session, `the answer for ${node} to be taken`, gone, 30_000);
      }
    }
  }

  /** keyturn's pid in the pane (the pane runs sh -c "...; echo; sleep"), and every process under it. */
  async keyturnTree(session: string): Promise<{ pid: number; descendants: number[] }> {
    const panePid = Number((await this.tmux('list-panes', '-t', session, '-F', '#{pane_pid}')).trim());
    const children = async (pid: number): Promise<number[]> => {
      const { stdout } = await exec('ps', ['-o', 'pid=', '--ppid', String(pid)]).catch(() => ({ stdout: '' }));
      return stdout
        .split('\n')
        .map((s) => Number(s.trim()))
        .filter((n) => n > 0);
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

/** The node a question on screen is about (an agent wave's question: "wave N of M"), or null. */
export function askedNode(text: string): string | null {
  return (
    /These steps will run on (\S+), in order:/.exec(text)?.[1] ??
    /These steps will run on each node of (wave \d+ of \d+) at once/.exec(text)?.[1] ??
    null
  );
}

/**
 * Which question is on screen: its node, its title (phase and node) and how many steps the run has done. Two
 * questions in a row can be about the same node (a prepare, then the restart after it), so the node alone cannot
 * tell that an answer was taken.
 */
export function questionKey(text: string): string | null {
  const node = askedNode(text);
  if (node === null) return null;
  const title =
    new RegExp(`│\\s*(?:⚠ )?(.+?): ${node.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(`).exec(text)?.[1] ?? '';
  const progress = /· (\d+\/\d+) steps/.exec(text)?.[1] ?? '';
  return `${node}|${title}|${progress}`;
}

export const exitedWith = (text: string): number | null => {
  const m = /keyturn exited (\d+)/.exec(text);
  return m ? Number(m[1]) : null;
};

/** Runs the CLI to completion outside tmux (status --json). */
export async function cliJson(lab: LabHandle, args: string[], env: Record<string, string>): Promise<unknown> {
  const { stdout } = await exec(
    process.execPath,
    [...cliArgs, ...args, '--kubeconfig', lab.kubeconfig, '--inventory', lab.inventory],
    { cwd: repoRoot, env: { ...process.env, ...env }, maxBuffer: 64 << 20 },
  ).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }));
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

/** Nodes in the order their service was first stopped by a command, systemctl or the killall script (after `since`). */
export function stopOrder(record: RecordEntry[], since: string): string[] {
  const order: string[] = [];
  for (const e of record) {
    if (e.t < since || e.type !== 'command') continue;
    if (!e.prog.endsWith('-killall.sh') && (e.prog !== 'systemctl' || !['stop', 'restart'].includes(e.argv[0])))
      continue;
    if (!order.includes(e.node)) order.push(e.node);
  }
  return order;
}

export const tierOf = (roles: readonly string[]): number =>
  roles.includes('etcd') ? 0 : roles.includes('control-plane') ? 1 : 2;

/** Nodes in the order their service was first started by a command (after `since`). */
export function startOrder(record: RecordEntry[], since: string): string[] {
  const order: string[] = [];
  for (const e of record) {
    if (e.t < since || e.type !== 'command' || e.prog !== 'systemctl' || !['start', 'restart'].includes(e.argv[0]))
      continue;
    if (!order.includes(e.node)) order.push(e.node);
  }
  return order;
}

/**
 * Servers that left `active` once the bring-up began (the first start command after `since`). The recovery
 * recipes stop every node on purpose; from then on no server that is back up may go down again. No bring-up at
 * all is named too.
 */
export function serversLostDuringBringUp(record: RecordEntry[], servers: Set<string>, since: string): string[] {
  const first = record.find(
    (e) => e.t >= since && e.type === 'command' && e.prog === 'systemctl' && ['start', 'restart'].includes(e.argv[0]),
  );
  if (!first) return ['no start command at all'];
  return record
    .filter(
      (e) => e.t >= first.t && e.type === 'service' && servers.has(e.node) && e.from === 'active' && e.to !== 'active',
    )
    .map((e) => `${e.node}@${e.t}`);
}

/** Tiers (etcd 0, control-plane 1, agent 2) of the named nodes, in the given order. */
export const tiersOf = (lab: LabHandle, names: string[]): number[] =>
  names.map((n) => tierOf(lab.nodes.find((x) => x.name === n)!.roles));

/** A sorted copy, lowest first. */
export const ascending = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);

/**
 * `keyturn run <recipe> --settle 1` in tmux: enter at the preview, y at every node, q at the end.
 * Returns the final screen, the nodes asked about in order, and the run id the exit line names.
 */
export async function runToSuccess(
  t: TmuxDriver,
  session: string,
  lab: LabHandle,
  recipe: string,
  opts: { beforeNode?: (node: string) => Promise<'answer' | 'stop'> } = {},
): Promise<{ screen: string; asked: string[]; runId: string }> {
  await t.start(session, lab, ['run', recipe, '--settle', '1']);
  await t.waitFor(session, 'the plan preview', (s) => s.includes('Press enter to start'), 90_000);
  await t.send(session, 'Enter');
  const { screen, asked } = await t.answerAll(
    session,
    (s) => s.includes('press q to exit') || exitedWith(s) !== null,
    opts,
  );
  if (!screen.includes(`${recipe} succeeded on every node`))
    throw new Error(`${recipe} did not succeed; screen:\n${screen}`);
  await t.send(session, 'q');
  const end = await t.waitFor(session, 'keyturn to exit', (s) => exitedWith(s) !== null);
  if (exitedWith(end) !== 0) throw new Error(`keyturn exited ${exitedWith(end)}; screen:\n${end}`);
  const runId = new RegExp(`keyturn report (\\S+-${recipe}-\\S+)`).exec(end)?.[1];
  if (!runId) throw new Error(`no run id on the exit screen:\n${end}`);
  return { screen, asked, runId };
}

/** The run's audit record folded from its journal on disk: the outcome and the Markdown `keyturn report` prints. */
export async function auditRecord(stateDir: string, runId: string): Promise<{ outcome: string; markdown: string }> {
  const state = foldEvents((await readJournal(stateDir, runId)).events);
  if (!state) throw new Error(`journal of ${runId} folds to nothing`);
  return { outcome: state.outcome.status, markdown: renderReport(state) };
}

/** The units every systemctl start/stop/restart named (after `since`), sorted. */
export function unitsTouched(record: RecordEntry[], since: string): string[] {
  const units = record.flatMap((e) =>
    e.t >= since && e.type === 'command' && e.prog === 'systemctl' && ['start', 'stop', 'restart'].includes(e.argv[0])
      ? [e.argv[e.argv.length - 1]]
      : [],
  );
  return [...new Set(units)].sort();
}

/** The run's journal on disk, folded. */
export async function runState(t: TmuxDriver, runId: string | null): Promise<RunState> {
  const run = (await listRuns(t.stateDir)).find((r) => r.runId === runId);
  if (!run) throw new Error(`no run ${runId} in ${t.stateDir}`);
  return run.state;
}

/** `keyturn status --json` against the lab, with the driver's settings. */
export async function statusOf(t: TmuxDriver, lab: LabHandle): Promise<StatusReport> {
  return (await cliJson(lab, ['status', '--json'], { KEYTURN_CONFIG_DIR: t.configDir })) as StatusReport;
}

/** Every leaf (not CA) certificate the status shows, named `node:path`. */
export const leafCerts = (doc: StatusReport) =>
  doc.nodes.flatMap((n) => n.certificates.filter((c) => !c.isCA).map((c) => ({ id: `${n.name}:${c.path}`, ...c })));

/** Every node's service active, every check passing. */
export function expectHealthy(doc: StatusReport): void {
  expect(doc.nodes.filter((n) => n.service?.state !== 'active').map((n) => n.name)).toEqual([]);
  expect(doc.checks.filter((c) => c.status !== 'pass')).toEqual([]);
}

/** The run's record on disk says it succeeded; `certs`: the recipe read every node's leaves at the end. */
export async function expectRecorded(t: TmuxDriver, runId: string, certs: boolean): Promise<void> {
  const { outcome, markdown } = await auditRecord(t.stateDir, runId);
  expect(outcome, markdown).toBe('succeeded');
  if (certs) expect(markdown).not.toContain('not read |');
}

/**
 * A recovery stops every node on purpose (agents first, etcd servers last), then starts them etcd →
 * control-plane → agents, one at a time, and never loses a server that is back up. `units`: the distro's services.
 */
export function expectRecovery(lab: LabHandle, record: RecordEntry[], since: string, units: string[]): void {
  const stops = tiersOf(lab, stopOrder(record, since));
  expect(stops).toHaveLength(lab.nodes.length);
  expect(stops).toEqual(ascending(stops).reverse());
  const starts = tiersOf(lab, startOrder(record, since));
  expect(starts).toHaveLength(lab.nodes.length);
  expect(starts).toEqual(ascending(starts));
  expect(serversLostDuringBringUp(record, serverNames(lab), since)).toEqual([]);
  expect(unitsTouched(record, since)).toEqual(units);
}

/**
 * The parallel-restart fault, then recover-restart-loop in tmux (session `recover`): the fault left servers in
 * their restart loop, the recipe brings every node back in order and the run's record says it succeeded.
 */
export async function expectRecoversRestartLoop(t: TmuxDriver, lab: LabHandle, units: string[]): Promise<void> {
  const faultAt = new Date().toISOString();
  await lab.fault('parallel-restart');
  const since = new Date().toISOString();
  // The fault left servers in their restart loop (never back to active): the recipe has something to recover.
  const last = new Map<string, string>();
  for (const e of await lab.record()) if (e.t >= faultAt && e.type === 'service') last.set(e.node, e.to);
  expect([...last].filter(([, to]) => to !== 'active').length).toBeGreaterThan(0);

  const { runId } = await runToSuccess(t, 'recover', lab, 'recover-restart-loop');
  const record = await lab.record();
  expectRecovery(lab, record, since, units);
  expectEtcdReallyStopped(lab, record, since, units);
  await expectRecorded(t, runId, false);
}

/**
 * Every server was stopped the way its distro needs for etcd to stop: RKE2 servers with rke2-killall.sh (a unit
 * stop leaves the etcd static pod running, and the lab keeps it running), K3s servers with systemctl stop; agents
 * with systemctl stop. Removing the killall step from the recipe fails this (and the run's etcd-down wait).
 */
export function expectEtcdReallyStopped(lab: LabHandle, record: RecordEntry[], since: string, units: string[]): void {
  const killed = new Set(
    record
      .filter((e) => e.t >= since && e.type === 'command' && e.prog.endsWith('-killall.sh') && e.code === 0)
      .map((e) => (e as { node: string }).node),
  );
  const rke2 = units.includes('rke2-server');
  const servers = lab.nodes
    .filter((n) => n.roles.includes('etcd') || n.roles.includes('control-plane'))
    .map((n) => n.name);
  expect([...killed].sort()).toEqual(rke2 ? [...servers].sort() : []);
}

/**
 * The lab down past its certificates' expiry, then renew-expired-certs in tmux (session `renew`): every node back
 * in order, the run's record says it succeeded having read every leaf, no expired leaf left, every node's service
 * active and every check passing. `before` (a status from an earlier test, when it ran): each of its leaves was
 * re-issued, not merely left alone.
 */
export async function expectRenewsExpiredCerts(
  t: TmuxDriver,
  lab: LabHandle,
  units: string[],
  before: StatusReport | undefined,
): Promise<void> {
  await lab.fault('expire-certs');
  const since = new Date().toISOString();
  const { runId } = await runToSuccess(t, 'renew', lab, 'renew-expired-certs');
  expectRecovery(lab, await lab.record(), since, units);
  expectEtcdReallyStopped(lab, await lab.record(), since, units);
  await expectRecorded(t, runId, true);

  const after = await statusOf(t, lab);
  expect(
    leafCerts(after)
      .filter((c) => c.status === 'expired')
      .map((c) => c.id),
  ).toEqual([]);
  // The backdated leaves were re-issued on start, not merely left alone.
  if (before) {
    const old = new Map(leafCerts(before).map((c) => [c.id, c.sha256]));
    expect(
      leafCerts(after)
        .filter((c) => old.get(c.id) === c.sha256)
        .map((c) => c.id),
    ).toEqual([]);
  }
  expectHealthy(after);
}

/**
 * For a describe block whose every test starts its own lab: one driver for the block; after each test its tmux
 * server (a keyturn left running by a failed test holds the lock) and that test's lab are stopped.
 */
export function labPerTest(): { t: TmuxDriver; start(opts: Partial<LabStartOptions>): Promise<LabHandle> } {
  const t = new TmuxDriver();
  let lab: LabHandle | undefined;
  beforeAll(() => t.setup());
  afterEach(async () => {
    await t.tmux('kill-server').catch(() => undefined);
    await lab?.stop();
    lab = undefined;
  });
  afterAll(() => t.teardown());
  return { t, start: async (opts) => (lab = await startLab(opts)) };
}

/**
 * `keyturn <args>` in tmux to its end, whatever the outcome: enter at the preview, y (or the typed name) at every
 * node, q on the last screen. `watch` sees every screen on the way, for what shows only for a while (progress).
 * `rows` makes the window taller (a question with long commands, e.g. rotate-ca's generated script, must fit).
 * Returns the last run screen, the exit screen, the exit code, the nodes asked about and the run id (or null).
 */
export async function runWatched(
  t: TmuxDriver,
  session: string,
  lab: LabHandle,
  args: string[],
  watch: (screen: string) => void,
  opts: { rows?: number; timeoutMs?: number } = {},
): Promise<{ screen: string; end: string; code: number | null; asked: string[]; runId: string | null }> {
  await t.start(session, lab, args);
  if (opts.rows) await t.tmux('resize-window', '-t', session, '-y', String(opts.rows));
  const preview = await t.waitFor(
    session,
    'the plan preview',
    (s) => (watch(s), s.includes('Press enter to start') || exitedWith(s) !== null),
    90_000,
  );
  if (exitedWith(preview) !== null)
    return { screen: preview, end: preview, code: exitedWith(preview), asked: [], runId: null };
  await t.send(session, 'Enter');
  const done = (s: string) => (watch(s), s.includes('press q to exit') || exitedWith(s) !== null);
  const { screen, asked } = await t.answerAll(session, done, { timeoutMs: opts.timeoutMs });
  if (exitedWith(screen) === null) await t.send(session, 'q');
  const end = await t.waitFor(session, 'keyturn to exit', (s) => exitedWith(s) !== null);
  return { screen, end, code: exitedWith(end), asked, runId: /keyturn report (\S+)/.exec(end)?.[1] ?? null };
}

/**
 * Types the node name, waits until the field holds it (its placeholder is the same name, drawn dim), then enter:
 * a name and an enter sent together can reach the wizard as one chunk, which a text field does not take.
 */
async function typeName(t: TmuxDriver, session: string, node: string): Promise<void> {
  // With colours kept, the placeholder is the name drawn dim (SGR 2) after the "> " prompt; typed text is not dim.
  const field = /> ((?:\x1b\[[0-9;]*m)*)(\S+)/;
  const typed = async () =>
    (await t.tmux('capture-pane', '-p', '-e', '-J', '-t', session)).split('\n').some((line) => {
      const m = field.exec(line);
      return (
        m !== null &&
        m[2].replace(/\x1b\[[0-9;]*m/g, '').startsWith(node) &&
        !/\x1b\[(?:[0-9;]*;)?2(?:;[0-9;]*)?m/.test(m[1])
      );
    });
  for (let attempt = 0; attempt < 3; attempt++) {
    await t.send(session, '-l', node);
    const deadline = Date.now() + 3_000;
    while (!(await typed()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (await typed()) return void (await t.send(session, 'Enter'));
    await t.send(session, ...Array.from({ length: 3 * node.length }, () => 'BSpace')); // empty the field, type again
  }
  throw new Error(`the name ${node} never reached the field; screen:\n${await t.screen(session)}`);
}

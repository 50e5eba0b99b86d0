// Drives a recipe against a running lab through the engine's API and the real transports (as
// test/engine/support/lab-drive.ts does), with hooks around every node command of the step in flight: a fault
// injected before a step's first command, a kill or an abort right after one, the operator's answer at a pause.
// Shared by the fault tests and by the child process the SIGKILL tests kill (support-kill-child.ts).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { openClusterSession } from '../../src/commands/cluster-session.js';
import { nodeFactsFrom } from '../../src/run/node-facts.js';
import { createRun, driveRun } from '../../src/engine/driver.js';
import type { RunEvent } from '../../src/engine/events.js';
import { planRun } from '../../src/engine/plan.js';
import type { Plan, PlanOptions, PlannedStep } from '../../src/engine/plan-types.js';
import type { Clock, ConfirmRequest, LogEvent, PauseRequest, RunPorts } from '../../src/engine/ports.js';
import { foldEvents, type RunState } from '../../src/engine/reducer.js';
import type { JournalRead } from '../../src/journal/index.js';
import { openFileJournal, readJournal } from '../../src/journal/index.js';
import type { RecordEntry, RpcFrame, RpcRequest } from '../../lab/contract.js';
import { labPaths } from '../../lab/contract.js';
import type { Recipe } from '../../src/recipe-schema/types.js';
import type { ExecResult, NodeShell } from '../../src/transports/types.js';

export interface LabAccess {
  kubeconfig: string;
  inventory: string;
}

export interface ExecPoint {
  /** The step in flight (null between steps, e.g. resume's check of an interrupted step). */
  step: PlannedStep | null;
  attempt: number;
  node: string;
  script: string;
}

export interface RunHooks {
  /** Awaited before each node command. */
  beforeExec?(at: ExecPoint): Promise<void> | void;
  /** Awaited after each node command: a hook that never resolves holds the step exactly there. */
  afterExec?(at: ExecPoint & { result: ExecResult }): Promise<void> | void;
  /** The operator at a pause step (default: continue). */
  pause?(request: PauseRequest, signal: AbortSignal): Promise<'continue' | 'quit'>;
  onEvent?(event: RunEvent, state: RunState): void;
  /** Sees each node question (the operator answers yes). */
  onConfirm?(request: ConfirmRequest): void;
}

export interface Driven {
  state: RunState;
  /** Every event this session journalled. */
  events: RunEvent[];
  logs: LogEvent[];
  asked: ConfirmRequest[];
}

export const operator = { user: 'oncall', host: 'faults' };

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      const done = () => {
        clearTimeout(t);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const t = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    }),
};

/** Settings (remembered node lists) go to a throwaway folder, never the caller's. */
function isolateSettings(): void {
  process.env.KEYTURN_CONFIG_DIR ??= mkdtempSync(path.join(os.tmpdir(), 'kt-faults-cfg-'));
}

async function openSession(access: LabAccess) {
  isolateSettings();
  const session = await openClusterSession({ kubeconfig: access.kubeconfig, inventory: access.inventory });
  const report = await session.discover();
  return { session, report };
}

/** Plans a recipe over a fresh scan of the lab (settle 1 s unless told). */
export async function planLabRun(
  access: LabAccess,
  recipe: Recipe,
  runId: string,
  options: PlanOptions = {},
): Promise<Plan> {
  const { session, report } = await openSession(access);
  try {
    const planned = planRun(recipe, report, {
      runId,
      settleSeconds: 1,
      nodeFacts: nodeFactsFrom(session.targets()),
      ...options,
    });
    if (!planned.ok) throw new Error(`plan refused: ${planned.refusal.reason}`);
    return planned.plan;
  } finally {
    await session.dispose();
  }
}

async function drive(
  access: LabAccess,
  stateDir: string,
  runId: string,
  first: (ports: RunPorts) => Promise<{ state: RunState; resumed: boolean }>,
  hooks: RunHooks,
  signal: AbortSignal,
): Promise<Driven> {
  const { session } = await openSession(access);
  const journal = await openFileJournal(stateDir, runId);
  const events: RunEvent[] = [];
  const logs: LogEvent[] = [];
  const asked: ConfirmRequest[] = [];
  let plan: Plan | null = null;
  let current: { step: PlannedStep; attempt: number } | null = null;
  const hooked = (node: string): NodeShell => {
    const shell = session.shell(node);
    return {
      node,
      follow: (script, options) => shell.follow(script, options),
      dispose: () => shell.dispose(),
      run: async (script, options) => {
        const at: ExecPoint = { step: current?.step ?? null, attempt: current?.attempt ?? 0, node, script };
        await hooks.beforeExec?.(at);
        const result = await shell.run(script, options);
        await hooks.afterExec?.({ ...at, result });
        return result;
      },
    };
  };
  const ports: RunPorts = {
    shell: hooked,
    kube: session.gateway,
    clock: realClock,
    confirm: {
      confirmNode: async (req) => {
        asked.push(req);
        hooks.onConfirm?.(req);
        return { answer: 'run', typedName: req.node, typedPhrase: req.requireTypedPhrase };
      },
      pause: (req, s) => hooks.pause?.(req, s) ?? Promise.resolve('continue'),
    },
    journal: { append: async (e) => (events.push(e), journal.append(e)) },
    log: { emit: (e) => logs.push(e) },
    onEvent: (e, state) => {
      plan = state.plan;
      if (e.type === 'step-started')
        current = { step: plan.blocks.flatMap((b) => b.steps).find((st) => st.key === e.key)!, attempt: e.attempt };
      if (e.type === 'step-finished' && current?.step.key === e.key) current = null;
      hooks.onEvent?.(e, state);
    },
  };
  try {
    const { state, resumed } = await first(ports);
    const final = await driveRun(state, ports, { operator, resumed }, signal);
    return { state: final, events, logs, asked };
  } finally {
    await journal.close();
    await session.dispose();
  }
}

/** Journals run-created for the plan and drives the run with an operator who answers yes. */
export function startLabRun(
  access: LabAccess,
  plan: Plan,
  stateDir: string,
  hooks: RunHooks = {},
  signal = new AbortController().signal,
): Promise<Driven> {
  return drive(
    access,
    stateDir,
    plan.runId,
    async (ports) => {
      const created = await createRun(ports, { plan, operator, cluster: { server: null } });
      if (!created.ok) throw new Error(created.reason);
      return { state: created.state, resumed: false };
    },
    hooks,
    signal,
  );
}

/** `keyturn resume` without the screen: fold the journal from disk, scan again, drive on. */
export function resumeLabRun(
  access: LabAccess,
  stateDir: string,
  runId: string,
  hooks: RunHooks = {},
  signal = new AbortController().signal,
): Promise<Driven> {
  return drive(
    access,
    stateDir,
    runId,
    async () => ({ state: await foldFromDisk(stateDir, runId), resumed: true }),
    hooks,
    signal,
  );
}

/** The journal as `keyturn resume` reads it: torn lines skipped, the rest folded. Throws when it does not fold. */
export async function foldFromDisk(stateDir: string, runId: string): Promise<RunState> {
  const state = foldEvents((await readJournal(stateDir, runId)).events);
  if (!state) throw new Error(`the journal of ${runId} does not fold`);
  return state;
}

export async function readBack(stateDir: string, runId: string): Promise<{ read: JournalRead; state: RunState }> {
  const read = await readJournal(stateDir, runId);
  const state = foldEvents(read.events);
  if (!state) throw new Error(`the journal of ${runId} does not fold`);
  return { read, state };
}

/** A fresh state dir (journals, locks) under `parent` (e.g. the lab's dir, removed with it). */
export function newStateDir(parent = os.tmpdir()): string {
  return mkdtempSync(path.join(parent, 'kt-faults-state-'));
}

/** How many times each step finished, by outcome. */
export function finishes(events: readonly RunEvent[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const e of events) if (e.type === 'step-finished') m.set(e.key, [...(m.get(e.key) ?? []), e.result.status]);
  return m;
}

export type Disruptive = 'stop' | 'start' | 'restart' | 'rotate';

/** A command that changes a node: systemctl stop/start/restart or `<prog> certificate rotate`. */
export function disruptiveKind(e: RecordEntry): Disruptive | null {
  if (e.type !== 'command') return null;
  const args = e.argv.filter((a) => !a.startsWith('-'));
  if (e.prog === 'systemctl' && ['stop', 'start', 'restart'].includes(args[0])) return args[0] as Disruptive;
  if (args[0] === 'certificate' && args[1] === 'rotate') return 'rotate';
  return null;
}

/** rotate-certs on one node, done once: one stop, one `certificate rotate`, one start (a `disruptiveCounts` entry). */
export const ALL_ONCE = { stop: 1, rotate: 1, start: 1 };

/** Per node, how many of each disruptive command the lab recorded at or after `since`. */
export function disruptiveCounts(
  record: readonly RecordEntry[],
  since: string,
): Record<string, Partial<Record<Disruptive, number>>> {
  const out: Record<string, Partial<Record<Disruptive, number>>> = {};
  for (const e of record) {
    const kind = disruptiveKind(e);
    if (!kind || e.t < since || e.type !== 'command') continue;
    const n = (out[e.node] ??= {});
    n[kind] = (n[kind] ?? 0) + 1;
  }
  return out;
}

/**
 * Processes of this machine whose environment puts `binDir` (a lab node's bin/) on PATH and whose command line
 * names `what`: a follower (`journalctl -f`) still running on that node.
 */
export function processesOnNode(labDir: string, what: string): { pid: number; args: string }[] {
  const found: { pid: number; args: string }[] = [];
  const nodesDir = path.join(labDir, 'nodes');
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
      if (!args.includes(what)) continue;
      const env = readFileSync(`/proc/${entry}/environ`, 'utf8');
      if (env.includes(nodesDir)) found.push({ pid: Number(entry), args: args.trim() });
    } catch {
      // gone meanwhile, or not ours
    }
  }
  return found;
}

/** Every process below `pid` (children first found by ps). */
export function descendants(pid: number): number[] {
  const out = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' });
  const children = new Map<number, number[]>();
  for (const line of out.split('\n')) {
    const [p, pp] = line.trim().split(/\s+/).map(Number);
    if (!p) continue;
    children.set(pp, [...(children.get(pp) ?? []), p]);
  }
  const all: number[] = [];
  const queue = [...(children.get(pid) ?? [])];
  while (queue.length > 0) {
    const p = queue.shift()!;
    all.push(p);
    queue.push(...(children.get(p) ?? []));
  }
  return all;
}

/**
 * `keyturn lab fault NAME --node N --dir DIR`, sent straight to the lab controller's socket (what the CLI does,
 * without starting a Node process for it). Resolves once the fault is in place; rejects on a non-zero exit.
 */
export function labFault(labDir: string, name: string, node?: string, args: string[] = []): Promise<string> {
  const request: RpcRequest = { type: 'fault', name, ...(node ? { node } : {}), args };
  return new Promise((resolve, reject) => {
    const socket = connect(labPaths(labDir).socket);
    let buffered = '';
    let out = '';
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(JSON.stringify(request) + '\n'));
    socket.on('error', reject);
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const frame = JSON.parse(buffered.slice(0, nl)) as RpcFrame;
        buffered = buffered.slice(nl + 1);
        if (frame.type !== 'exit') out += frame.data;
        else {
          socket.end();
          if (frame.code === 0) resolve(out);
          else reject(new Error(`lab fault ${name} exited ${frame.code}: ${out}`));
        }
      }
    });
  });
}

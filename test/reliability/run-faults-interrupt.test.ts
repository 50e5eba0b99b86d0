// keyturn interrupted at every step kind (command, wait, gate, settle, backup, pause) on a split rke2 lab, then
// resumed: SIGKILL of a real keyturn process (support-kill-child.ts; a command step is killed through the terminal
// in test/e2e/run-resume.test.ts), and the AbortSignal that ctrl-c fires, at the engine and once through
// `keyturn run` in tmux. Each time the journal reads back and folds, the step in flight is checked before it runs
// again, no finished step runs twice, and the lab's record shows one stop, one `rke2 certificate rotate` and one
// start per node.
import { spawn } from 'node:child_process';
import { readFile, truncate } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/engine/events.js';
import { LEASE_NAME, LEASE_NAMESPACE } from '../../src/engine/lock.js';
import { renderReport } from '../../src/engine/report.js';
import { journalPath } from '../../src/journal/index.js';
import { openClusterSession } from '../../src/commands/cluster-session.js';
import { haveBinaries } from '../support/binaries.js';
import type { LabHandle } from '../support/lab.js';
import { testChildPath } from '../support/built.js';
import { repoRoot } from '../support/paths.js';
import { TmuxDriver, exitedWith } from '../e2e/run-tmux.js';
import { everyKindRecipe, keyOf } from './support-recipe.js';
import type { RunHooks } from './support-lab-run.js';
import {
  ALL_ONCE,
  descendants,
  disruptiveCounts,
  finishes,
  newStateDir,
  planLabRun,
  processesOnNode,
  readBack,
  resumeLabRun,
  startLabRun,
} from './support-lab-run.js';
import { shareFaultLab } from './support-fault-lab.js';

const haveTmux = haveBinaries('tmux');
/** support-kill-child.ts, bundled like the CLI by the tests' globalSetup (test/support/built.ts). */
const CHILD = testChildPath('killChild');

let lab: LabHandle;
const t = new TmuxDriver();
shareFaultLab(t, (l) => (lab = l));

/** Where a run is interrupted: one step of each kind, each on its own node, in run order. */
const EVERY_KIND = [
  { kind: 'backup', key: keyOf('etcd-1', 'backup') },
  { kind: 'pause', key: keyOf('etcd-2', 'check') },
  { kind: 'command', key: keyOf('etcd-3', 'rotate') },
  { kind: 'wait', key: keyOf('cp-1', 'active') },
  { kind: 'settle', key: keyOf('cp-2', 'settle') },
  { kind: 'gate', key: keyOf('agent-1', 'gate') },
] as const;
/** SIGKILL in a command step (the service stop) is proven through the terminal by test/e2e/run-resume.test.ts. */
const KILLS = EVERY_KIND.filter((s) => s.kind !== 'command');

const nodeOfKey = (key: string) => key.split('/')[1];
const startedKeys = (events: readonly RunEvent[], key: string) =>
  events.filter((e) => e.type === 'step-started' && e.key === key);

/** Every step finished once, done; one stop, rotate and start per node since `since`. */
async function expectEachStepOnce(stateDir: string, runId: string, since: string, sessions: number) {
  const { read, state } = await readBack(stateDir, runId);
  expect(state.outcome.status, renderReport(state)).toBe('succeeded');
  expect(state.sessions).toBe(sessions);
  expect(
    Object.entries(state.steps)
      .filter(([, s]) => s.status !== 'done')
      .map(([k]) => k),
  ).toEqual([]);
  const allKeys = state.plan.blocks.flatMap((b) => b.steps.map((s) => s.key));
  const finished = finishes(read.events);
  expect([...finished.keys()].sort()).toEqual([...allKeys].sort());
  expect([...finished].filter(([, r]) => r.join() !== 'done')).toEqual([]);
  expect(disruptiveCounts(await lab.record(), since)).toEqual(
    Object.fromEntries(state.plan.nodes.map((n) => [n.name, ALL_ONCE])),
  );
  return { read, state };
}

interface ChildRun {
  held: string | null;
  asked: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Runs keyturn (the engine, real transports) in a child; SIGKILLs it, and whatever it started, once it holds `holdAt`. */
function runKilled(args: {
  stateDir: string;
  runId: string;
  mode: 'start' | 'resume';
  holdAt: string;
}): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [CHILD, JSON.stringify({ kubeconfig: lab.kubeconfig, inventory: lab.inventory, ...args })],
      {
        cwd: repoRoot,
        env: { ...process.env, KEYTURN_CONFIG_DIR: path.join(lab.dir, 'config') },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const out: ChildRun = { held: null, asked: [], code: null, signal: null, stderr: '' };
    let buffer = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (out.stderr += c));
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line.startsWith('ASKED ')) out.asked.push(line.slice(6));
        if (line.startsWith('HELD ') && out.held === null) {
          out.held = line.slice(5);
          const below = descendants(child.pid!);
          child.kill('SIGKILL');
          for (const pid of below) {
            try {
              process.kill(pid, 'SIGKILL'); // its journal followers: a killed keyturn cannot end them itself
            } catch {
              // already gone
            }
          }
        }
      }
    });
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ ...out, code, signal }));
  });
}

describe('SIGKILL at every step kind, then resume', () => {
  it('each kill leaves the step in flight for resume to check; one run through all of them does every step once', async () => {
    const since = new Date().toISOString();
    const stateDir = newStateDir(lab.dir);
    const runId = 'kill-every-kind';
    let torn: { line: number; text: string }[] = [];
    for (const [i, stop] of KILLS.entries()) {
      const child = await runKilled({ stateDir, runId, mode: i === 0 ? 'start' : 'resume', holdAt: stop.key });
      expect(child, `${stop.kind}: ${child.stderr}`).toMatchObject({ held: stop.key, signal: 'SIGKILL' });
      // A resumed session asks again for the node it was killed on, saying part of it ran.
      if (i > 0) expect(child.asked[0], stop.kind).toBe(`${nodeOfKey(KILLS[i - 1].key)} true`);
      const { read, state } = await readBack(stateDir, runId);
      expect(read.skipped, stop.kind).toEqual(torn);
      expect(state.outcome.status, stop.kind).toBe('active');
      expect(state.steps[stop.key].status, stop.kind).toBe('running');
      expect(read.events.at(-1), stop.kind).toMatchObject({ type: 'step-started', key: stop.key });
      if (stop.kind === 'settle') {
        // Killed mid-write: the last line torn in half. The reader skips it; resume goes on from the line before.
        const file = journalPath(stateDir, runId);
        const bytes = await readFile(file);
        const lastLine = bytes.length - (bytes.lastIndexOf(0x0a, bytes.length - 2) + 1);
        await truncate(file, bytes.length - Math.ceil(lastLine / 2));
        const after = await readBack(stateDir, runId);
        expect(after.read.skipped).toHaveLength(1);
        expect(after.read.events).toEqual(read.events.slice(0, -1));
        expect(after.state.steps[stop.key].status).toBe('pending');
        torn = after.read.skipped;
      }
    }
    const final = await resumeLabRun(lab, stateDir, runId);
    expect(final.asked[0]).toMatchObject({ node: 'agent-1', resumed: true });
    expect(final.state.outcome.status, renderReport(final.state)).toBe('succeeded');

    const { read } = await expectEachStepOnce(stateDir, runId, since, KILLS.length + 1);
    expect(read.skipped).toEqual(torn); // the torn line, left where it was
    // For these kinds running the step again is its check (the torn settle had not started, as far as the journal knows).
    const checks = read.events.filter((e) => e.type === 'step-checked');
    expect(checks.map((e) => e.type === 'step-checked' && [e.key, e.verdict])).toEqual(
      KILLS.filter((s) => s.kind !== 'settle').map((s) => [s.key, 'not-done']),
    );
    for (const s of KILLS)
      expect(
        startedKeys(read.events, s.key).map((e) => e.type === 'step-started' && e.attempt),
        s.kind,
      ).toEqual(s.kind === 'settle' ? [1] : [1, 2]);
  }, 300_000);
});

describe("ctrl-c (the run's AbortSignal) at every step kind, then resume", () => {
  it('each abort journals session-interrupted, ends the journal followers, and resume does every step once', async () => {
    const since = new Date().toISOString();
    const stateDir = newStateDir(lab.dir);
    const plan = await planLabRun(lab, everyKindRecipe, 'abort-every-kind');
    const stops = EVERY_KIND;
    for (const [i, stop] of stops.entries()) {
      const ac = new AbortController();
      let followersAtAbort = -1;
      const abort = () => {
        if (ac.signal.aborted) return;
        followersAtAbort = processesOnNode(lab.dir, 'journalctl').length;
        ac.abort();
      };
      const hooks: RunHooks = {
        afterExec: ({ step }) => {
          if (step?.key === stop.key) abort();
        },
        // The run screen answers a pending pause with quit when the run is aborted.
        pause: async (req, signal) => {
          if (req.key === stop.key) abort();
          return signal.aborted ? 'quit' : 'continue';
        },
      };
      const run =
        i === 0
          ? await startLabRun(lab, plan, stateDir, hooks, ac.signal)
          : await resumeLabRun(lab, stateDir, plan.runId, hooks, ac.signal);
      expect(run.state.outcome, stop.kind).toMatchObject({ status: 'stopped', reason: 'interrupted' });
      const { read, state } = await readBack(stateDir, plan.runId);
      expect(read.skipped, stop.kind).toEqual([]);
      expect(read.events.at(-1), stop.kind).toMatchObject({ type: 'session-interrupted' });
      expect(state.steps[stop.key].status, stop.kind).toBe('running');
      // The node's `journalctl -f` runs from its stop step on: the abort ended it, nothing was left behind.
      const tailing = !['backup', 'pause'].includes(stop.kind);
      expect(followersAtAbort > 0, `${stop.kind}: a follower ran when the signal fired`).toBe(tailing);
      expect(processesOnNode(lab.dir, 'journalctl'), stop.kind).toEqual([]);
      const started = run.logs.filter((l) => l.type === 'tail-started').map((l) => l.node);
      expect(
        run.logs
          .filter((l) => l.type === 'tail-stopped')
          .map((l) => l.node)
          .sort(),
        stop.kind,
      ).toEqual([...started].sort());
    }
    const final = await resumeLabRun(lab, stateDir, plan.runId);
    expect(final.state.outcome.status, renderReport(final.state)).toBe('succeeded');

    const { read } = await expectEachStepOnce(stateDir, plan.runId, since, stops.length + 1);
    expect(read.skipped).toEqual([]);
    expect(read.events.filter((e) => e.type === 'session-interrupted')).toHaveLength(stops.length);
    const checks = read.events.filter((e) => e.type === 'step-checked');
    // The interrupted rotate had taken effect (its tls-<ts> backup is there): checked done, not run again.
    expect(checks.map((e) => e.type === 'step-checked' && [e.key, e.verdict])).toEqual(
      stops.map((s) => [s.key, s.kind === 'command' ? 'done' : 'not-done']),
    );
    expect(startedKeys(read.events, keyOf('etcd-3', 'rotate'))).toHaveLength(1);
  }, 240_000);
});

describe.skipIf(!haveTmux)('ctrl-c in `keyturn run` (tmux)', () => {
  it('stops the run now: the step in flight is left for resume, the journal says interrupted, the follower and the lock are gone', async () => {
    const since = new Date().toISOString();
    await t.start('run', lab, ['run', 'rotate-certs', '--settle', '5']);
    await t.waitFor('run', 'the plan preview', (s) => s.includes('Press enter to start'), 90_000);
    await t.send('run', 'Enter');
    // etcd-1 confirmed; its settle window (5 s) is running when ctrl-c comes.
    await t.answerAll('run', (s) => s.includes('✓ etcd-1 · Start the service'), { timeoutMs: 120_000 });
    expect(processesOnNode(lab.dir, 'journalctl').length).toBeGreaterThan(0);
    await t.send('run', 'C-c');
    const end = await t.waitFor('run', 'keyturn to exit', (s) => exitedWith(s) !== null, 60_000);
    expect(exitedWith(end)).toBe(130); // interrupted, as a shell reports SIGINT
    expect(end).toMatch(
      /■ interrupted \(interrupted \(signal\)\): resume with `keyturn resume --kubeconfig \S+ --inventory \S+` — run (\S+-rotate-certs-\S+);/,
    );
    const runId = /— run (\S+);/.exec(end)![1];

    const { read, state } = await readBack(t.stateDir, runId);
    expect(read.skipped).toEqual([]);
    expect(state.outcome).toMatchObject({ status: 'stopped', reason: 'interrupted' });
    expect(read.events.filter((e) => e.type !== 'lock').at(-1)).toMatchObject({ type: 'session-interrupted' });
    const running = Object.entries(state.steps)
      .filter(([, s]) => s.status === 'running')
      .map(([k]) => k);
    expect(running).toHaveLength(1);
    expect(running[0]).toMatch(/^rotate-certs\/etcd-1\/servers\.(settle|gate)$/);
    expect(processesOnNode(lab.dir, 'journalctl')).toEqual([]);
    const session = await openClusterSession({ kubeconfig: lab.kubeconfig, inventory: lab.inventory });
    try {
      expect((await session.gateway!.getLease(LEASE_NAMESPACE, LEASE_NAME)).ok).toBe(false);
    } finally {
      await session.dispose();
    }
    // Only etcd-1 was touched: one stop, one rotate, one start.
    expect(disruptiveCounts(await lab.record(), since)).toEqual({ 'etcd-1': ALL_ONCE });
  }, 180_000);
});

// The run state is a pure fold of journal events (design.md habit 9); nextAction says what the driver does next.
import { assertNever } from '../model/cluster.js';
import type { ClusterIdentity } from '../model/cluster-identity.js';
import type { Failure, Operator, RunEvent, StepResult } from './events.js';
import type { Plan, PlannedBlock, PlannedStep, PlannedWave } from './plan-types.js';
import { waveOfBlock } from './waves.js';
import { stopsTheNode } from './service-effect.js';

export type StepStatus = 'pending' | 'running' | 'done' | 'failed' | 'skipped';

export interface StepState {
  status: StepStatus;
  attempts: number;
  firstStartedAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  result: StepResult | null;
  checks: { verdict: 'done' | 'not-done'; evidence: string }[];
}

export interface BlockState {
  confirmed: boolean;
  skipped: string | null;
  typedName?: string;
}

export type Outcome =
  | { status: 'active' }
  | { status: 'stopped'; at: string; reason: 'quit' | 'interrupted'; detail: string }
  | { status: 'failed'; at: string; failure: Failure }
  | { status: 'succeeded'; at: string }
  /** Closed by an operator: never offered or resumed again. */
  | { status: 'abandoned'; at: string; by: string; reason: string };

export interface RunState {
  runId: string;
  plan: Plan;
  /** The cluster the run was created on (journals from before this field: the API URL only). */
  cluster: ClusterIdentity;
  createdAt: string;
  operators: Operator[];
  sessions: number;
  blocks: Record<string, BlockState>;
  steps: Record<string, StepState>;
  /** Nodes taken down by a rolling block's step whose gate has not passed yet. */
  disrupted: string[];
  outcome: Outcome;
  events: number;
  /** Agent waves (plan.waves): when each was confirmed and which nodes failed it. Absent without waves. */
  waves?: Record<string, WaveState>;
}

export interface WaveState {
  confirmedAt: string[];
  failed: string[] | null;
}

export function initialState(created: Extract<RunEvent, { type: 'run-created' }>): RunState {
  const blocks: Record<string, BlockState> = {};
  const steps: Record<string, StepState> = {};
  for (const b of created.plan.blocks) {
    blocks[b.key] = { confirmed: false, skipped: null };
    for (const s of b.steps) {
      steps[s.key] = {
        status: 'pending',
        attempts: 0,
        firstStartedAt: null,
        startedAt: null,
        finishedAt: null,
        result: null,
        checks: [],
      };
    }
  }
  return {
    runId: created.runId,
    cluster: created.cluster ?? { server: null },
    plan: created.plan,
    createdAt: created.at,
    operators: [created.operator],
    sessions: 0,
    blocks,
    steps,
    disrupted: [],
    outcome: { status: 'active' },
    events: 1,
    ...(created.plan.waves
      ? { waves: Object.fromEntries(created.plan.waves.map((w) => [w.key, { confirmedAt: [], failed: null }])) }
      : {}),
  };
}

function stepOf(plan: Plan, key: string): PlannedStep | undefined {
  for (const b of plan.blocks) for (const s of b.steps) if (s.key === key) return s;
  return undefined;
}

function blockOf(plan: Plan, key: string): PlannedBlock | undefined {
  return plan.blocks.find((b) => b.key === key);
}

function updateStep(state: RunState, key: string, f: (s: StepState) => StepState): RunState {
  const cur = state.steps[key];
  if (!cur) return state; // an event for a step this plan does not hold: ignore (journal from elsewhere)
  return { ...state, steps: { ...state.steps, [key]: f(cur) } };
}

export function applyEvent(state: RunState, e: RunEvent): RunState {
  const s = { ...state, events: state.events + 1 };
  switch (e.type) {
    case 'run-created':
      return s;
    case 'session-started': {
      // A new session confirms again before touching any node, even one that was half done.
      const blocks: Record<string, BlockState> = {};
      for (const [k, b] of Object.entries(s.blocks)) blocks[k] = { ...b, confirmed: false };
      // Resuming a failed run retries the failed step (after its check) once the operator has fixed the cause.
      const final = s.outcome.status === 'succeeded' || s.outcome.status === 'abandoned';
      return {
        ...s,
        blocks,
        sessions: s.sessions + 1,
        operators: [...s.operators, e.operator],
        outcome: final ? s.outcome : { status: 'active' },
      };
    }
    case 'lock':
      return s;
    case 'run-abandoned':
      return {
        ...s,
        outcome: { status: 'abandoned', at: e.at, by: `${e.operator.user}@${e.operator.host}`, reason: e.reason },
      };
    case 'block-confirmed':
      return {
        ...s,
        blocks: { ...s.blocks, [e.block]: { ...s.blocks[e.block], confirmed: true, typedName: e.typedName } },
      };
    case 'wave-confirmed': {
      const blocks = { ...s.blocks };
      for (const k of e.blocks) if (blocks[k]) blocks[k] = { ...blocks[k], confirmed: true };
      return { ...s, blocks, waves: updateWave(s, e.wave, (w) => ({ ...w, confirmedAt: [...w.confirmedAt, e.at] })) };
    }
    case 'agent-waves-set': {
      const { agentWave: _a, waves: _w, agentRestartNote: _n, ...rest } = s.plan;
      const plan: Plan = e.waves
        ? { ...rest, agentWave: e.agentWave, waves: e.waves, agentRestartNote: e.agentRestartNote }
        : rest;
      const waves: Record<string, WaveState> = {};
      for (const w of e.waves ?? []) waves[w.key] = s.waves?.[w.key] ?? { confirmedAt: [], failed: null };
      return { ...s, plan, waves: e.waves ? { ...s.waves, ...waves } : s.waves };
    }
    case 'wave-finished':
      return { ...s, waves: updateWave(s, e.wave, (w) => ({ ...w, failed: e.failed })) };
    case 'block-skipped':
      return { ...s, blocks: { ...s.blocks, [e.block]: { ...s.blocks[e.block], skipped: e.reason } } };
    case 'step-started': {
      const planned = stepOf(s.plan, e.key);
      const block = planned ? blockOf(s.plan, planned.blockKey) : undefined;
      const disrupted =
        planned?.disrupts && block?.rolling && !s.disrupted.includes(planned.node)
          ? [...s.disrupted, planned.node]
          : s.disrupted;
      return updateStep({ ...s, disrupted }, e.key, (st) => ({
        ...st,
        status: 'running',
        attempts: Math.max(st.attempts, e.attempt),
        firstStartedAt: st.firstStartedAt ?? e.at,
        startedAt: e.at,
      }));
    }
    case 'step-checked':
      return updateStep(s, e.key, (st) => ({
        ...st,
        checks: [...st.checks, { verdict: e.verdict, evidence: e.evidence }],
      }));
    case 'step-finished': {
      const planned = stepOf(s.plan, e.key);
      const passedGate = planned?.kind === 'gate' && e.result.status === 'done';
      const disrupted = passedGate ? s.disrupted.filter((n) => n !== planned.node) : s.disrupted;
      return updateStep({ ...s, disrupted }, e.key, (st) => ({
        ...st,
        status: e.result.status,
        finishedAt: e.at,
        result: e.result,
      }));
    }
    case 'run-quit':
      return {
        ...s,
        outcome: {
          status: 'stopped',
          at: e.at,
          reason: 'quit',
          detail: e.block ? `operator quit at ${e.block}` : 'operator quit',
        },
      };
    case 'session-interrupted':
      return s.outcome.status === 'active'
        ? { ...s, outcome: { status: 'stopped', at: e.at, reason: 'interrupted', detail: e.reason } }
        : s;
    case 'run-failed':
      return { ...s, outcome: { status: 'failed', at: e.at, failure: e.failure } };
    case 'run-succeeded':
      return { ...s, outcome: { status: 'succeeded', at: e.at } };
    case 'node-started':
      return e.outcome === 'ok' ? reopenStops(s, e.node) : s;
    default:
      return assertNever(e);
  }
}

function updateWave(state: RunState, key: string, f: (w: WaveState) => WaveState): RunState['waves'] {
  const cur = state.waves?.[key];
  return cur ? { ...state.waves, [key]: f(cur) } : state.waves;
}

/**
 * The operator started a node the run had left stopped: in the node's unfinished blocks, the stop steps that had
 * run become pending again, so a resume stops the node before it redoes the step that failed (a rotate on a
 * running unit would not take effect).
 */
function reopenStops(state: RunState, node: string): RunState {
  let next = state;
  for (const block of state.plan.blocks) {
    if (block.node !== node || block.steps.every((p) => ['done', 'skipped'].includes(state.steps[p.key].status)))
      continue;
    for (const p of block.steps) {
      if (p.step.kind === 'command' && stopsTheNode(p.step.run) && state.steps[p.key].status === 'done') {
        next = updateStep(next, p.key, (st) => ({ ...st, status: 'pending', result: null, finishedAt: null }));
      }
    }
  }
  return next;
}

/** Folds a whole journal. Returns null when it does not start with run-created (not a run journal). */
export function foldEvents(events: readonly RunEvent[]): RunState | null {
  const first = events[0];
  if (!first || first.type !== 'run-created') return null;
  return events.slice(1).reduce(applyEvent, initialState(first));
}

export type NextAction =
  | { type: 'confirm'; block: PlannedBlock; resumed: boolean }
  /** A wave none of whose steps has run yet: one question, then its blocks together. */
  | { type: 'confirm-wave'; wave: PlannedWave; blocks: PlannedBlock[] }
  | { type: 'run-wave'; wave: PlannedWave; blocks: PlannedBlock[] }
  | { type: 'check'; step: PlannedStep; startedAt: string }
  | { type: 'run'; step: PlannedStep; attempt: number }
  | { type: 'auto-skip'; block: PlannedBlock; reason: string } // a check-only block of a node the operator skipped
  | { type: 'complete' } // every block done or skipped: the run succeeded
  | { type: 'finished' }; // the run already ended (succeeded or failed)

const terminal = (st: StepState): boolean => st.status === 'done' || st.status === 'skipped';

export function nextAction(state: RunState): NextAction {
  if (state.outcome.status === 'failed' || state.outcome.status === 'succeeded' || state.outcome.status === 'abandoned')
    return { type: 'finished' };
  // (a 'stopped' run continues: the driver only calls this inside a session)
  for (const block of state.plan.blocks) {
    const bs = state.blocks[block.key];
    if (bs.skipped !== null) continue;
    const steps = block.steps.map((p) => ({ p, st: state.steps[p.key] }));
    if (steps.every(({ st }) => terminal(st))) continue;
    if (
      block.confirm === 'none' &&
      nodesWithSkips(state).has(block.node) &&
      steps.every(({ st }) => st.attempts === 0)
    ) {
      return { type: 'auto-skip', block, reason: `${block.node} was skipped earlier in this run` };
    }
    // A wave runs as a wave only while none of its steps has started: one interrupted half way (killed, quit)
    // continues node by node, each from its own last step, so nothing repeats and nothing is skipped.
    const wave = waveOfBlock(state.plan, block.key);
    if (wave && !waveStarted(state, wave)) {
      const blocks = wave.blocks
        .map((k) => blockOf(state.plan, k))
        .filter((b): b is PlannedBlock => b !== undefined && state.blocks[b.key].skipped === null);
      if (blocks.some((b) => !state.blocks[b.key].confirmed)) return { type: 'confirm-wave', wave, blocks };
      return { type: 'run-wave', wave, blocks };
    }
    if (block.confirm === 'per-node' && !bs.confirmed) {
      return { type: 'confirm', block, resumed: steps.some(({ st }) => st.attempts > 0) };
    }
    for (const { p, st } of steps) {
      if (terminal(st)) continue;
      // Interrupted or failed (and resumed): check what took effect before running it again.
      if (st.status === 'running' || st.status === 'failed')
        return { type: 'check', step: p, startedAt: st.firstStartedAt ?? st.startedAt ?? state.createdAt };
      return { type: 'run', step: p, attempt: st.attempts + 1 };
    }
  }
  return { type: 'complete' };
}

function waveStarted(state: RunState, wave: PlannedWave): boolean {
  return wave.blocks.some((k) => blockOf(state.plan, k)?.steps.some((p) => state.steps[p.key].attempts > 0));
}

/** Nodes with a block the operator skipped: their later checks are recorded as skipped, not failed. */
export function nodesWithSkips(state: RunState): Set<string> {
  const nodes = new Set<string>();
  for (const b of state.plan.blocks)
    if (b.confirm === 'per-node' && state.blocks[b.key].skipped !== null) nodes.add(b.node);
  return nodes;
}

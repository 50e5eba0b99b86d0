// The driver walks the plan through the ports: confirm each node, run its steps through the handler table,
// journal every event before acting on the next, stop at the first failure. Resume is the same walk over a
// folded journal: a step that was running when keyturn died is checked before it runs again.
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { ClusterIdentity } from '../model/cluster-identity.js';
import type { HandlerResult, StepContext } from './context.js';
import { makeExec } from './context.js';
import { interpretCheck } from './commands.js';
import type { ExecRecord, Failure, Operator, RunEvent } from './events.js';
import { tail } from './events.js';
import { fixFor } from './fixes.js';
import { HANDLERS } from './handlers/index.js';
import type { AgentWaveSize, Plan, PlannedBlock, PlannedStep, PlannedWave } from './plan-types.js';
import { regroupWaves } from './waves.js';
import { agentRestartNote } from './killall.js';
import { findNode } from './plan-types.js';
import type { ConfirmAnswer, RunPorts } from './ports.js';
import type { RunState } from './reducer.js';
import { applyEvent, initialState, nextAction } from './reducer.js';
import { redactEvent } from './redact-event.js';
import { Tails } from './tails.js';
import { waveFailure } from './wave-failure.js';

export const TYPED_NAME_ATTEMPTS = 3;

export function newRunId(recipe: string, nowMs: number): string {
  const stamp = new Date(nowMs)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${recipe}-${randomBytes(2).toString('hex')}`;
}

export type CreateResult = { ok: true; state: RunState; event: RunEvent } | { ok: false; reason: string };

/** Journals run-created. Refuses plan-only recipes (their run support comes in a later release). */
export async function createRun(
  ports: Pick<RunPorts, 'journal' | 'clock'>,
  input: { plan: Plan; operator: Operator; cluster: ClusterIdentity },
): Promise<CreateResult> {
  const { plan } = input;
  if (plan.support !== 'full')
    return {
      ok: false,
      reason: `${plan.recipe} is plan-only in this release: review \`keyturn plan ${plan.recipe}\` and follow it by hand`,
    };
  if (plan.runId.startsWith('<'))
    return { ok: false, reason: 'the plan has no run id: plan it with { runId: newRunId(...) }' };
  const event = redactEvent({
    type: 'run-created',
    at: new Date(ports.clock.now()).toISOString(),
    runId: plan.runId,
    plan,
    operator: input.operator,
    cluster: input.cluster,
  });
  await ports.journal.append(event);
  return { ok: true, state: initialState(event), event };
}

class Session {
  readonly tails: Tails;
  constructor(
    public state: RunState,
    readonly ports: RunPorts,
    readonly signal: AbortSignal,
  ) {
    this.tails = new Tails(ports.log);
  }

  at(): string {
    return new Date(this.ports.clock.now()).toISOString();
  }

  private emitted: Promise<void> = Promise.resolve();
  private broken: { error: unknown } | null = null;

  /** One event at a time, in order, even while a wave's nodes run at once: the state is the journal's fold. */
  emit(raw: RunEvent): Promise<void> {
    const write = async () => {
      // After a journal write failed nothing more is written or done (a wave's other nodes stop at their next event).
      if (this.broken) throw this.broken.error;
      // Hidden before the journal and the screen see it: evidence and output tails are node text.
      const e = redactEvent(raw);
      try {
        await this.ports.journal.append(e);
      } catch (error) {
        this.broken = { error };
        throw error;
      }
      this.state = applyEvent(this.state, e);
      this.ports.onEvent?.(e, this.state);
    };
    const done = this.emitted.then(write);
    this.emitted = done.catch(() => undefined);
    return done;
  }

  /** One question for the whole wave; its first node's steps stand for all (the same recipe phase). */
  async confirmWave(wave: PlannedWave, blocks: PlannedBlock[]): Promise<ConfirmAnswer> {
    const block = blocks[0];
    const node = findNode(this.state.plan, block.node);
    return this.ports.confirm.confirmNode(
      {
        runId: this.state.runId,
        block,
        node: node.name,
        unit: node.unit,
        steps: block.steps.map((s) => ({
          key: s.key,
          title: s.title,
          command: s.command,
          detail: s.detail,
          destructive: s.destructive,
          done: false,
        })),
        requireTypedName: false,
        resumed: false,
        wave: { key: wave.key, index: wave.index, of: wave.of, phase: wave.phase, nodes: blocks.map((b) => b.node) },
      },
      this.signal,
    );
  }

  /**
   * Never a server in a wave: the planner puts only agents in waves, and a plan read back from a journal file
   * that says otherwise is refused loudly before anything runs.
   */
  waveRefusal(wave: PlannedWave, blocks: PlannedBlock[]): Failure | null {
    const servers = blocks.map((b) => findNode(this.state.plan, b.node)).filter((n) => n.server);
    if (servers.length === 0) return null;
    const first = servers[0];
    return {
      node: first.name,
      key: wave.key,
      check: 'disruption',
      message: `refusing ${wave.key}: it holds server ${servers.map((n) => n.name).join(', ')}, and servers are changed one at a time (never two servers down at once)`,
      command: null,
      exitCode: null,
      evidence: [`wave nodes: ${wave.nodes.join(', ')}`],
      fix: 'plan the run again (only agents go in waves); do not edit a run journal by hand',
      nodes: servers.map((n) => n.name),
    };
  }

  /** Every node of the wave walks its own steps at once; then one verdict names every node that failed. */
  async runWave(wave: PlannedWave, blocks: PlannedBlock[]): Promise<'continue' | 'stop'> {
    const refusal = this.waveRefusal(wave, blocks);
    if (refusal) {
      await this.emit({ type: 'run-failed', at: this.at(), failure: refusal });
      return 'stop';
    }
    // Each node of the wave listens on the run's signal (its tail, its command or sleep in flight): more than Node's
    // default 10 is expected here, not a leak, and the warning would print over the run screen.
    setMaxListeners(Math.max(10, 4 * blocks.length + 10), this.signal);
    const failures: Failure[] = [];
    let quit = false;
    const walk = async (block: PlannedBlock) => {
      for (const step of block.steps) {
        const st = this.state.steps[step.key];
        if (st.status === 'done' || st.status === 'skipped') continue;
        const r = await this.run(step, st.attempts + 1, (f) => failures.push(f));
        if (r === 'stop') {
          if (this.state.outcome.status === 'stopped') quit = true;
          return;
        }
      }
    };
    // Every walk ends before the verdict (or before a journal error is thrown): none is left running behind it.
    const ends = await Promise.allSettled(blocks.map(walk));
    const thrown = ends.find((e): e is PromiseRejectedResult => e.status === 'rejected');
    if (thrown) throw thrown.reason;
    if (this.signal.aborted || quit) return 'stop'; // steps left 'running' are checked on resume
    const failed = wave.nodes.filter((n) => failures.some((f) => f.node === n));
    await this.emit({ type: 'wave-finished', at: this.at(), wave: wave.key, failed });
    if (failures.length === 0) return 'continue';
    await this.emit({ type: 'run-failed', at: this.at(), failure: waveFailure(wave, failures) });
    return 'stop';
  }

  async confirm(block: PlannedBlock, resumed: boolean): Promise<ConfirmAnswer> {
    const node = findNode(this.state.plan, block.node);
    const steps = block.steps.map((s) => ({
      key: s.key,
      title: s.title,
      command: s.command,
      detail: s.detail,
      destructive: s.destructive,
      done: this.state.steps[s.key].status === 'done',
    }));
    let retry: string | undefined;
    for (let attempt = 1; attempt <= TYPED_NAME_ATTEMPTS; attempt++) {
      const req = {
        runId: this.state.runId,
        block,
        node: node.name,
        unit: node.unit,
        steps,
        requireTypedName: block.typeName,
        requireTypedPhrase: block.typedPhrase,
        resumed,
        retry,
      };
      const answer = await this.ports.confirm.confirmNode(req, this.signal);
      if (answer.answer !== 'run') return answer;
      const nameOk = !block.typeName || answer.typedName === node.name;
      const phraseOk = block.typedPhrase === undefined || answer.typedPhrase === block.typedPhrase;
      if (nameOk && phraseOk) return answer;
      retry = nameOk
        ? `typed "${answer.typedPhrase ?? ''}", not the phrase "${block.typedPhrase ?? ''}"`
        : `typed "${answer.typedName ?? ''}", not the node name ${node.name}`;
    }
    return { answer: 'quit' };
  }

  context(step: PlannedStep): StepContext {
    const execs: ExecRecord[] = [];
    return {
      plan: this.state.plan,
      state: this.state,
      step,
      node: findNode(this.state.plan, step.node),
      ports: this.ports,
      signal: this.signal,
      tails: this.tails,
      startedAtMs: this.ports.clock.now(),
      execs,
      exec: makeExec(this.ports, this.signal, execs),
    };
  }

  /** Starts the node's journal tail when this step or an earlier one in its block asks for it. */
  ensureTail(step: PlannedStep): void {
    const block = this.state.plan.blocks.find((b) => b.key === step.blockKey);
    if (!block) return;
    const idx = block.steps.findIndex((s) => s.key === step.key);
    if (block.steps.slice(0, idx + 1).some((s) => s.tail)) {
      this.tails.start(findNode(this.state.plan, step.node), this.ports.shell(step.node), this.signal);
    }
  }

  /** Never two servers disrupted at once: refuse to take a server down while another one has not passed its gate. */
  disruptionFailure(step: PlannedStep): Failure | null {
    const block = this.state.plan.blocks.find((b) => b.key === step.blockKey);
    if (!step.disrupts || !block?.rolling) return null;
    const node = findNode(this.state.plan, step.node);
    if (!node.server) return null;
    const others = this.state.disrupted.filter((n) => n !== node.name && findNode(this.state.plan, n).server);
    if (others.length === 0) return null;
    return {
      node: node.name,
      key: step.key,
      check: 'disruption',
      message: `refusing to take ${node.name} down: server ${others.join(', ')} has not passed its gate`,
      command: step.command,
      exitCode: null,
      evidence: [`disrupted: ${others.join(', ')}`],
      fix: fixFor('disruption', node, []),
    };
  }

  /** Resume: did the interrupted attempt take effect? */
  async check(step: PlannedStep, startedAt: string): Promise<'done' | 'not-done'> {
    const node = findNode(this.state.plan, step.node);
    if (step.step.kind !== 'command' || step.check === null) {
      await this.emit({
        type: 'step-checked',
        at: this.at(),
        key: step.key,
        verdict: 'not-done',
        evidence: `${step.kind} step: running it again is safe`,
      });
      return 'not-done';
    }
    const r = await this.ports.shell(node.name).run(step.check, { signal: this.signal, timeoutMs: 30_000 });
    if (this.signal.aborted) return 'not-done';
    const verdict = r.outcome === 'ok' ? interpretCheck(step.step.run, r.stdout, Date.parse(startedAt)) : 'not-done';
    const evidence = `$ ${step.check} → ${r.outcome}: ${tail(r.stdout, 5)}`;
    await this.emit({ type: 'step-checked', at: this.at(), key: step.key, verdict, evidence });
    if (verdict === 'done') {
      const exec = {
        command: step.check,
        outcome: r.outcome,
        code: r.code,
        durationMs: r.durationMs,
        stdoutTail: tail(r.stdout),
        stderrTail: tail(r.stderr),
      };
      await this.emit({
        type: 'step-finished',
        at: this.at(),
        key: step.key,
        result: { status: 'done', summary: 'already done before the interruption (checked)', execs: [exec] },
      });
    }
    return verdict;
  }

  /** `collect`: in a wave, a failure is handed back for the wave's verdict instead of ending the run here. */
  async run(step: PlannedStep, attempt: number, collect?: (f: Failure) => void): Promise<'continue' | 'stop'> {
    const fail = async (failure: Failure) =>
      collect ? collect(failure) : await this.emit({ type: 'run-failed', at: this.at(), failure });
    const refusal = this.disruptionFailure(step);
    if (refusal) {
      await fail(refusal);
      return 'stop';
    }
    await this.emit({ type: 'step-started', at: this.at(), key: step.key, attempt, command: step.command });
    this.ensureTail(step);
    const result: HandlerResult = await HANDLERS[step.kind](this.context(step));
    if (this.signal.aborted) return 'stop'; // left 'running': resume checks it
    if (result.status === 'quit') {
      await this.emit({ type: 'run-quit', at: this.at(), block: step.blockKey });
      return 'stop';
    }
    await this.emit({ type: 'step-finished', at: this.at(), key: step.key, result });
    if (result.status === 'failed') {
      await fail(result.failure);
      return 'stop';
    }
    const block = this.state.plan.blocks.find((b) => b.key === step.blockKey);
    if (block && block.steps.every((s) => ['done', 'skipped'].includes(this.state.steps[s.key].status)))
      await this.tails.stop(step.node);
    return 'continue';
  }
}

/**
 * Drives a run until it succeeds, fails, the operator quits, or the signal fires. Appends session-started first;
 * returns the final state (its outcome says which). Throws only for bugs and journal write errors.
 */
export async function driveRun(
  state: RunState,
  ports: RunPorts,
  session: { operator: Operator; resumed: boolean; agentWave?: AgentWaveSize },
  signal: AbortSignal,
): Promise<RunState> {
  const s = new Session(state, ports, signal);
  try {
    await s.emit({ type: 'session-started', at: s.at(), operator: session.operator, resumed: session.resumed });
    if (session.agentWave) {
      // `resume --agent-wave`: the same blocks and keys, grouped anew for the rest of the run.
      const regrouped = regroupWaves(s.state.plan, session.agentWave);
      await s.emit({
        type: 'agent-waves-set',
        at: s.at(),
        ...regrouped,
        ...(regrouped.waves ? { agentRestartNote: agentRestartNote(s.state.plan.distro) } : {}),
      });
    }
    for (;;) {
      if (signal.aborted) {
        await s.emit({ type: 'session-interrupted', at: s.at(), reason: 'interrupted (signal)' });
        return s.state;
      }
      const action = nextAction(s.state);
      switch (action.type) {
        case 'finished':
          return s.state;
        case 'complete':
          await s.emit({ type: 'run-succeeded', at: s.at() });
          return s.state;
        case 'auto-skip':
          await s.emit({ type: 'block-skipped', at: s.at(), block: action.block.key, reason: action.reason });
          break;
        case 'confirm': {
          const a = await s.confirm(action.block, action.resumed);
          if (signal.aborted) break;
          if (a.answer === 'run')
            await s.emit({
              type: 'block-confirmed',
              at: s.at(),
              block: action.block.key,
              typedName: a.answer === 'run' && action.block.typeName ? a.typedName : undefined,
            });
          else if (a.answer === 'skip')
            await s.emit({
              type: 'block-skipped',
              at: s.at(),
              block: action.block.key,
              reason: 'skipped by the operator',
            });
          else {
            await s.emit({ type: 'run-quit', at: s.at(), block: action.block.key });
            return s.state;
          }
          break;
        }
        case 'confirm-wave': {
          const a = await s.confirmWave(action.wave, action.blocks);
          if (signal.aborted) break;
          if (a.answer === 'run')
            await s.emit({
              type: 'wave-confirmed',
              at: s.at(),
              wave: action.wave.key,
              blocks: action.blocks.map((b) => b.key),
              nodes: action.blocks.map((b) => b.node),
            });
          else if (a.answer === 'skip')
            for (const b of action.blocks)
              await s.emit({
                type: 'block-skipped',
                at: s.at(),
                block: b.key,
                reason: `skipped by the operator (wave ${action.wave.index} of ${action.wave.of})`,
              });
          else {
            await s.emit({ type: 'run-quit', at: s.at(), block: action.blocks[0].key });
            return s.state;
          }
          break;
        }
        case 'run-wave':
          if ((await s.runWave(action.wave, action.blocks)) === 'stop' && !signal.aborted) return s.state;
          break;
        case 'check':
          if ((await s.check(action.step, action.startedAt)) === 'not-done' && !signal.aborted) {
            if ((await s.run(action.step, s.state.steps[action.step.key].attempts + 1)) === 'stop' && !signal.aborted)
              return s.state;
          }
          break;
        case 'run':
          if ((await s.run(action.step, action.attempt)) === 'stop' && !signal.aborted) return s.state;
          break;
        default: {
          const never: never = action;
          throw new Error(`unexpected action ${JSON.stringify(never)}`);
        }
      }
    }
  } finally {
    await s.tails.stopAll();
  }
}

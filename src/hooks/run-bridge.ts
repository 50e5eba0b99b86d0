// The bridge between a run (the engine's ports, the run layer's conductor) and the run screen: a small store the
// screen subscribes to. It implements the run's UI port (src/run/ui-port.ts: ConfirmPort, LogSink, onEvent and
// the conductor's questions); the screen answers through its methods.
// Live output is bounded (a ring of the current node's last lines) and notifications are batched (≤ 10/s).
import type { ConfirmAnswer, ConfirmRequest, LogEvent, PauseRequest, WaitProgress } from '../engine/index.js';
import type { AgentWaveSize, Plan } from '../engine/index.js';
import type { ReencryptProgress, RunEvent, StepData } from '../engine/index.js';
import type { RunState } from '../engine/index.js';
import { lockExpiresAt } from '../engine/index.js';
import { assertNever } from '../model/cluster.js';
import { RingBuffer } from '../util/ring-buffer.js';
import type { AgentWaveChoice, RunHeader, RunStage, RunUi, SettleChoice, StartOffer } from '../run/ui-port.js';

export type { AgentWaveChoice, RunHeader, RunStage, SettleChoice } from '../run/ui-port.js';

export const LOG_KEEP_LINES = 500;
export const MAX_NOTIFY_PER_SECOND = 10;

/** One line of finished work, in the order it finished (the screen's <Static> list only ever grows). */
export interface FinishedLine {
  id: string;
  glyph: '✓' | '↷' | '✗';
  node: string;
  title: string;
  detail: string;
}

/** The latest re-encryption reading of the wait in flight. */
export interface ReencryptReading {
  node: string;
  progress: ReencryptProgress;
  stallAfterSeconds: number;
}

export interface RunView {
  header: RunHeader;
  stage: RunStage;
  plan: Plan | null;
  state: RunState | null;
  pendingConfirm: ConfirmRequest | null;
  pendingPause: PauseRequest | null;
  /** The live tail: one node's, or an agent wave's merged (`wave` set: each line prefixed by its node). */
  logs: { node: string | null; unit: string | null; lines: readonly string[]; dropped: number; wave?: boolean };
  finished: readonly FinishedLine[];
  /** Re-encryption progress: the last reading since the step in flight started (null before the first). */
  reencrypt: ReencryptReading | null;
  /** Where the settle, gate or wait in flight stands (null before its first sample). */
  waiting: { key: string; wait: WaitProgress } | null;
  /** q was pressed while a step ran: the next question is answered "quit". */
  quitRequested: boolean;
  /** After a failure: one loud line per node this run left stopped (stopped-nodes.ts), and what starting did. */
  stopped: readonly string[];
  /** After a failure: the start of a node left stopped, offered to the operator (y starts it, n leaves it). */
  pendingStart: StartOffer | null;
  /** On the plan preview: the settle window chosen (what `run --settle` sets) and the others offered. */
  settle: SettleChoice | null;
  /** On the plan preview of a plan with agents: the wave size chosen (what `run --agent-wave` sets) and the others. */
  agentWave: AgentWaveChoice | null;
}

/** What the screen needs from a bridge: a store to read and the operator's answers. */
export interface RunBridgeView {
  subscribe(listener: () => void): () => void;
  getSnapshot(): RunView;
  answerConfirm(answer: ConfirmAnswer): void;
  answerPause(answer: 'continue' | 'quit'): void;
  answerStart(start: boolean): void;
  answerTakeover(take: boolean): void;
  /** The offered start of a node left stopped: true starts it. */
  answerStartStopped(start: boolean): void;
  /** q while a step runs: stop before the next node. */
  requestQuit(): void;
  /** A second q: abort the step in flight; resume checks it before running it again. */
  abortNow(): void;
  /** Ctrl-C (the key, or SIGINT): abortNow, remembered so that the command exits 130 as interrupted programs do. */
  interrupt(): void;
  /** s on the plan preview: the next settle window offered; the plan is made again with it. */
  cycleSettle(): void;
  /** w on the plan preview: the next agent wave size offered; the plan is made again with it. */
  cycleAgentWave(): void;
}

type Waiter<T> = { resolve: (value: T) => void };

/**
 * What a finished step found that the operator needs later: the new join-token CA hash, secrets re-encrypted, and
 * any gate check that could not be made (e.g. Ready while the API is unreachable) with why.
 */
export function notesOf(data: StepData | undefined): string[] {
  const notes: string[] = [];
  for (const g of data?.gate ?? [])
    if (g.status === 'skipped')
      notes.push(`${g.check} not checked: ${g.detail.length > 120 ? `${g.detail.slice(0, 119)}…` : g.detail}`);
  if (data?.ca?.tokenHash) notes.push(`new join-token CA hash ${data.ca.tokenHash}`);
  const r = data?.reencrypt;
  if (r?.finished)
    notes.push(r.total !== null ? `${r.done} of ${r.total} secrets re-encrypted` : `${r.done} secrets re-encrypted`);
  return notes;
}

export class RunBridge implements RunBridgeView, RunUi {
  readonly abort = new AbortController();
  private view: RunView;
  private readonly listeners = new Set<() => void>();
  private readonly ring = new RingBuffer(LOG_KEEP_LINES);
  private ringDirty = false;
  private lastNotify = 0;
  private timer: NodeJS.Timeout | null = null;
  private confirmWaiter: Waiter<ConfirmAnswer> | null = null;
  private pauseWaiter: Waiter<'continue' | 'quit'> | null = null;
  private startWaiter: Waiter<boolean> | null = null;
  private takeoverWaiter: Waiter<boolean> | null = null;
  private startStoppedWaiter: Waiter<boolean> | null = null;
  private replan: ((settleSeconds: number) => Plan | null) | null = null;
  private replanWave: ((size: AgentWaveSize) => Plan | null) | null = null;
  private readonly seen = new Set<string>();
  /** The agent wave being run (answered y): its nodes' tails share the one bounded ring. */
  private wave: { label: string; nodes: Set<string> } | null = null;
  private interruptedByOperator = false;

  constructor(
    header: RunHeader,
    private readonly now: () => number = Date.now,
    private readonly minIntervalMs = Math.ceil(1000 / MAX_NOTIFY_PER_SECOND),
  ) {
    this.view = {
      header,
      stage: { kind: 'starting', message: 'starting…' },
      plan: null,
      state: null,
      pendingConfirm: null,
      pendingPause: null,
      logs: { node: null, unit: null, lines: [], dropped: 0 },
      finished: [],
      reencrypt: null,
      waiting: null,
      quitRequested: false,
      stopped: [],
      pendingStart: null,
      settle: null,
      agentWave: null,
    };
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  // ---- the store ----
  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): RunView => this.view;

  private set(patch: Partial<RunView>, urgent = false): void {
    this.view = { ...this.view, ...patch };
    this.schedule(urgent);
  }

  /** At most one notification per interval; a burst becomes one render at the end of it. */
  private schedule(urgent: boolean): void {
    if (this.timer) return;
    const wait = urgent ? 0 : Math.max(0, this.lastNotify + this.minIntervalMs - this.now());
    if (wait === 0) {
      this.flush();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush();
    }, wait);
  }

  private flush(): void {
    this.lastNotify = this.now();
    if (this.ringDirty) {
      this.ringDirty = false;
      this.view = {
        ...this.view,
        logs: { ...this.view.logs, lines: this.ring.snapshot(), dropped: this.ring.dropped },
      };
    }
    for (const l of [...this.listeners]) l();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.flush();
  }

  // ---- the conductor's side ----
  setPlan(plan: Plan): void {
    this.set({ plan });
  }

  setStage(stage: RunStage): void {
    this.set({ stage }, true);
  }

  setHeader(header: Partial<RunHeader>): void {
    this.set({ header: { ...this.view.header, ...header } });
  }

  /**
   * Offers the settle window on the plan preview: `replan` makes the plan again with another one (the same run id),
   * or null when the planner refuses it (the choice is then not taken).
   */
  offerSettle(choice: SettleChoice, replan: (settleSeconds: number) => Plan | null): void {
    this.replan = replan;
    this.set({ settle: choice }, true);
  }

  offerAgentWave(choice: AgentWaveChoice, replan: (size: AgentWaveSize) => Plan | null): void {
    this.replanWave = replan;
    this.set({ agentWave: choice }, true);
  }

  /** The plan to run: the last one shown (the operator may have changed its settle window on the preview). */
  get plan(): Plan | null {
    return this.view.plan;
  }

  /** Shows the plan and waits for enter (true) or q (false). */
  waitForStart(plan: Plan): Promise<boolean> {
    return new Promise((resolve) => {
      this.startWaiter = { resolve };
      this.set({ plan, stage: { kind: 'preview' } }, true);
    });
  }

  askTakeover(
    holder: { holder: string; runId: string; renewedAt: string; ttlSeconds: number },
    where: string,
  ): Promise<boolean> {
    const expiredAt = lockExpiresAt(holder);
    return new Promise((resolve) => {
      this.takeoverWaiter = { resolve };
      this.set({ stage: { kind: 'takeover', holder: holder.holder, runId: holder.runId, where, expiredAt } }, true);
    });
  }

  /** The run starts (or resumes) from this state: steps finished earlier go straight into the finished list. */
  startRunning(state: RunState): void {
    this.set(
      {
        state,
        plan: state.plan,
        stage: { kind: 'running' },
        finished: [...this.view.finished, ...this.linesFor(state)],
      },
      true,
    );
  }

  /** The loud lines for nodes left stopped (empty: none). */
  showStopped(lines: readonly string[]): void {
    this.set({ stopped: lines }, true);
  }

  /** Offers the start of a node left stopped; resolves true when the operator confirms it (y). */
  askStartStopped(offer: StartOffer): Promise<boolean> {
    return new Promise((resolve) => {
      this.startStoppedWaiter = { resolve };
      this.set({ pendingStart: offer }, true);
    });
  }

  finish(message: string, waitForKey: boolean): void {
    this.cancelWaiters();
    this.set({ stage: { kind: 'done', message, waitForKey }, pendingConfirm: null, pendingPause: null }, true);
  }

  // ---- ports ----
  confirmNode(request: ConfirmRequest, signal: AbortSignal): Promise<ConfirmAnswer> {
    if (this.view.quitRequested) return Promise.resolve({ answer: 'quit' });
    return new Promise((resolve) => {
      const done = (a: ConfirmAnswer) => {
        signal.removeEventListener('abort', onAbort);
        this.confirmWaiter = null;
        const w = request.wave;
        this.wave =
          w && a.answer === 'run'
            ? { label: `wave ${w.index} of ${w.of} (${w.nodes.length} nodes)`, nodes: new Set(w.nodes) }
            : null;
        this.set({ pendingConfirm: null }, true);
        resolve(a);
      };
      const onAbort = () => done({ answer: 'quit' });
      signal.addEventListener('abort', onAbort, { once: true });
      this.confirmWaiter = { resolve: done };
      this.set({ pendingConfirm: request }, true);
    });
  }

  pause(request: PauseRequest, signal: AbortSignal): Promise<'continue' | 'quit'> {
    if (this.view.quitRequested) return Promise.resolve('quit');
    return new Promise((resolve) => {
      const done = (a: 'continue' | 'quit') => {
        signal.removeEventListener('abort', onAbort);
        this.pauseWaiter = null;
        this.set({ pendingPause: null }, true);
        resolve(a);
      };
      const onAbort = () => done('quit');
      signal.addEventListener('abort', onAbort, { once: true });
      this.pauseWaiter = { resolve: done };
      this.set({ pendingPause: request }, true);
    });
  }

  emit(event: LogEvent): void {
    switch (event.type) {
      case 'tail-started': {
        if (this.wave && !this.wave.nodes.has(event.node)) this.wave = null; // the run went on past the wave
        const shown = this.wave ? this.wave.label : event.node;
        if (this.view.logs.node !== shown) {
          this.ring.clear();
          this.ringDirty = true;
        }
        this.set({ logs: { ...this.view.logs, node: shown, unit: event.unit, wave: this.wave !== null } });
        return;
      }
      case 'line':
        if (this.wave?.nodes.has(event.node)) {
          // One pane for the wave, bounded by the same ring: each line says which node wrote it.
          this.ring.push(`${event.node} │ ${event.line}`);
          this.ringDirty = true;
          this.schedule(false);
          return;
        }
        if (event.node !== this.view.logs.node) return; // a late line of the previous node's tail
        this.ring.push(event.line);
        this.ringDirty = true;
        this.schedule(false);
        return;
      case 'tail-stopped':
        return; // keep the last node's lines on screen until the next node's tail starts
      case 'progress':
        this.set({
          reencrypt: { node: event.node, progress: event.progress, stallAfterSeconds: event.stallAfterSeconds },
        });
        return;
      case 'waiting':
        this.set({ waiting: { key: event.key, wait: event.wait } });
        return;
      default:
        assertNever(event);
    }
  }

  onEvent = (event: RunEvent, state: RunState): void => {
    const added: FinishedLine[] = [];
    if (event.type === 'step-finished' || event.type === 'block-skipped') added.push(...this.linesFor(state));
    // A reading belongs to the step that produced it: a step starting (a wait run again, too) starts without one.
    const reencrypt = event.type === 'step-started' ? null : this.view.reencrypt;
    const waiting = event.type === 'step-started' || event.type === 'step-finished' ? null : this.view.waiting;
    this.set(
      {
        state,
        reencrypt,
        waiting,
        finished: added.length > 0 ? [...this.view.finished, ...added] : this.view.finished,
      },
      event.type !== 'step-started' && event.type !== 'step-checked',
    );
  };

  /** Finished steps and skipped blocks not listed yet, in plan order. */
  private linesFor(state: RunState): FinishedLine[] {
    const out: FinishedLine[] = [];
    for (const b of state.plan.blocks) {
      const bs = state.blocks[b.key];
      if (bs.skipped !== null && !this.seen.has(b.key)) {
        this.seen.add(b.key);
        out.push({ id: b.key, glyph: '↷', node: b.node, title: b.phaseTitle, detail: `skipped: ${bs.skipped}` });
        continue;
      }
      for (const s of b.steps) {
        const st = state.steps[s.key];
        if (this.seen.has(s.key) || !st.result) continue;
        if (st.status !== 'done' && st.status !== 'skipped' && st.status !== 'failed') continue;
        this.seen.add(s.key);
        const secs =
          st.startedAt && st.finishedAt
            ? ((Date.parse(st.finishedAt) - Date.parse(st.startedAt)) / 1000).toFixed(1) + 's'
            : '';
        const glyph = st.status === 'done' ? '✓' : st.status === 'skipped' ? '↷' : '✗';
        const detail =
          st.result.status === 'skipped'
            ? `skipped: ${st.result.reason}`
            : st.result.status === 'failed'
              ? `failed: ${st.result.failure.check}`
              : [secs, ...notesOf(st.result.data)].filter(Boolean).join(' · ');
        out.push({ id: s.key, glyph, node: s.node, title: s.title, detail });
      }
    }
    return out;
  }

  // ---- the operator's answers ----
  answerConfirm = (answer: ConfirmAnswer): void => {
    this.confirmWaiter?.resolve(answer);
  };

  answerPause = (answer: 'continue' | 'quit'): void => {
    this.pauseWaiter?.resolve(answer);
  };

  answerStart = (start: boolean): void => {
    const w = this.startWaiter;
    this.startWaiter = null;
    if (w) {
      this.set({ stage: { kind: 'starting', message: start ? 'taking the run lock…' : 'cancelled' } }, true);
      w.resolve(start);
    }
  };

  answerStartStopped = (start: boolean): void => {
    const w = this.startStoppedWaiter;
    this.startStoppedWaiter = null;
    if (w) {
      this.set({ pendingStart: null }, true);
      w.resolve(start);
    }
  };

  answerTakeover = (take: boolean): void => {
    const w = this.takeoverWaiter;
    this.takeoverWaiter = null;
    if (w) {
      this.set(
        { stage: { kind: 'starting', message: take ? 'taking over the expired lock…' : 'takeover declined' } },
        true,
      );
      w.resolve(take);
    }
  };

  cycleSettle = (): void => {
    const choice = this.view.settle;
    if (!choice || !this.replan || this.view.stage.kind !== 'preview') return;
    const at = choice.choices.indexOf(choice.seconds);
    const next = choice.choices[(at + 1) % choice.choices.length];
    const plan = this.replan(next);
    if (plan) this.set({ plan, settle: { ...choice, seconds: next } }, true);
  };

  cycleAgentWave = (): void => {
    const choice = this.view.agentWave;
    if (!choice || !this.replanWave || this.view.stage.kind !== 'preview') return;
    const at = choice.choices.indexOf(choice.size);
    const next = choice.choices[(at + 1) % choice.choices.length];
    const plan = this.replanWave(next);
    if (plan) this.set({ plan, agentWave: { ...choice, size: next, resolved: plan.agentWave ?? 1 } }, true);
  };

  requestQuit = (): void => {
    if (this.view.quitRequested) {
      this.abortNow();
      return;
    }
    this.set({ quitRequested: true }, true);
    this.confirmWaiter?.resolve({ answer: 'quit' });
    this.pauseWaiter?.resolve('quit');
  };

  interrupt = (): void => {
    this.interruptedByOperator = true;
    this.abortNow();
  };

  /** The operator pressed ctrl-c (or sent SIGINT) during this run. */
  get interrupted(): boolean {
    return this.interruptedByOperator;
  }

  abortNow = (): void => {
    this.set({ quitRequested: true }, true);
    this.cancelWaiters();
    this.abort.abort();
  };

  private cancelWaiters(): void {
    this.startWaiter?.resolve(false);
    this.takeoverWaiter?.resolve(false);
    this.startStoppedWaiter?.resolve(false);
    this.startWaiter = null;
    this.takeoverWaiter = null;
    this.startStoppedWaiter = null;
    if (this.view.pendingStart) this.set({ pendingStart: null }, true);
  }
}

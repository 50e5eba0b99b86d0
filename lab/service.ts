// A node's systemd unit as keyturn observes it: Type=notify, Restart=always, RestartSec=5s. `start` resolves when
// the main process reports ready (or failed); a failed attempt schedules the next one 5 s later (scaled), counting
// NRestarts, until the unit is stopped. Explicit operations are serialised like systemd's job queue.
import type { ServiceState } from './contract.js';
import type { LabClock } from './clock.js';
import type { NodeJournal } from './journal.js';

export type AttemptResult = { ok: true } | { ok: false; reason: string };
export type AttemptCause = 'explicit' | 'auto';

export interface AttemptContext {
  pid: number;
  cause: AttemptCause;
  /** Fires when the unit is stopped while starting. */
  signal: AbortSignal;
}

export interface ServiceHooks {
  /** One run of the main process until it reports READY=1 (ok) or exits (failed); logs its own lines. */
  attempt(context: AttemptContext): Promise<AttemptResult>;
  /** The main process is gone (stopped, failed or killed): stop what died with it (K3s: its embedded etcd member;
   *  RKE2's static pods outlive it, static-pods.ts). */
  afterExit(): Promise<void>;
  onTransition(from: ServiceState, to: ServiceState): void;
}

const RESTART_SEC_MS = 5_000;
const STOP_MS = 300;

interface RunningAttempt {
  abort: AbortController;
  done: Promise<AttemptResult>;
}

export class NodeService {
  state: ServiceState = 'inactive';
  subState = 'dead';
  nRestarts = 0;
  activeEnteredAt: Date | null = null;
  mainPid = 0;
  result = 'success';
  private running: RunningAttempt | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;

  constructor(
    readonly unit: string,
    readonly description: string,
    private readonly journal: NodeJournal,
    private readonly clock: LabClock,
    private readonly hooks: ServiceHooks,
    private readonly allocatePid: () => number,
  ) {}

  start(): Promise<AttemptResult> {
    return this.exclusive(() => this.startNow());
  }

  stop(): Promise<void> {
    this.cancelStartJob();
    return this.exclusive(() => this.stopNow());
  }

  restart(): Promise<AttemptResult> {
    this.cancelStartJob();
    return this.exclusive(async () => {
      await this.stopNow();
      return this.startNow();
    });
  }

  /** The stop-service fault: the main process is killed and the unit stays failed (no automatic restart). */
  kill(): Promise<void> {
    return this.exclusive(async () => {
      const wasRunning = this.state === 'active' || this.state === 'activating';
      await this.endAttempt();
      if (wasRunning) {
        this.journal.systemd(`${this.unit}.service: Main process exited, code=killed, status=9/KILL`);
        this.journal.systemd(`${this.unit}.service: Failed with result 'signal'.`);
      }
      await this.hooks.afterExit();
      this.mainPid = 0;
      this.result = 'signal';
      this.setState('failed', 'failed');
    });
  }

  /** `systemctl reset-failed`: a failed unit becomes inactive and its restart counter starts again. */
  resetFailed(): void {
    if (this.state === 'failed') this.setState('inactive', 'dead');
    this.nRestarts = 0;
    this.result = 'success';
  }

  /** Lab shutdown: no more attempts or timers. */
  async dispose(): Promise<void> {
    this.disposed = true;
    await this.endAttempt();
  }

  /**
   * A stop or restart job replaces a start job still waiting for READY (systemd's job mode "replace"): the start
   * that never finishes (an agent retrying its token validation, TimeoutStartSec=0) must not block it forever.
   */
  private cancelStartJob(): void {
    if (this.running && this.state === 'activating') this.running.abort.abort();
  }

  private exclusive<T>(operation: () => Promise<T>): Promise<T> {
    const next = this.queue.then(operation, operation);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async startNow(): Promise<AttemptResult> {
    if (this.disposed) return { ok: false, reason: 'lab is shutting down' };
    if (this.state === 'active') return { ok: true };
    this.cancelRestartTimer();
    // A start while an automatic attempt runs joins that attempt, like a start job merging with a running one.
    if (this.running) return this.running.done;
    // Not an automatic restart: systemd flushes the restart counter.
    this.nRestarts = 0;
    this.journal.systemd(`Starting ${this.unit}.service - ${this.description}...`);
    return this.runAttempt('explicit');
  }

  private runAttempt(cause: AttemptCause): Promise<AttemptResult> {
    const pid = this.allocatePid();
    this.mainPid = pid;
    this.setState('activating', 'start');
    const abort = new AbortController();
    const done = (async (): Promise<AttemptResult> => {
      let outcome: AttemptResult;
      try {
        outcome = await this.hooks.attempt({ pid, cause, signal: abort.signal });
      } catch (error) {
        outcome = { ok: false, reason: error instanceof Error ? error.message : String(error) };
      }
      if (abort.signal.aborted) return { ok: false, reason: 'stopped while starting' };
      if (outcome.ok) {
        this.activeEnteredAt = this.clock.now();
        this.result = 'success';
        this.setState('active', 'running');
        this.journal.systemd(`Started ${this.description}.`);
      } else {
        await this.afterFailedAttempt(abort.signal);
      }
      return outcome;
    })().finally(() => {
      if (this.running?.abort === abort) this.running = null;
    });
    this.running = { abort, done };
    return done;
  }

  private async afterFailedAttempt(signal: AbortSignal): Promise<void> {
    this.journal.systemd(`${this.unit}.service: Main process exited, code=exited, status=1/FAILURE`);
    this.journal.systemd(`${this.unit}.service: Failed with result 'exit-code'.`);
    this.journal.systemd(`Failed to start ${this.unit}.service - ${this.description}.`);
    this.mainPid = 0;
    this.result = 'exit-code';
    await this.hooks.afterExit();
    // Stopped meanwhile (the stop waited for this attempt): no next try.
    if (this.disposed || signal.aborted) return;
    // Restart=always: between tries systemd shows ActiveState=activating, SubState=auto-restart.
    this.subState = 'auto-restart';
    this.restartTimer = setTimeout(() => this.restartAutomatically(), this.clock.scaled(RESTART_SEC_MS));
  }

  private restartAutomatically(): void {
    this.restartTimer = null;
    if (this.disposed) return;
    this.nRestarts += 1;
    this.journal.systemd(`${this.unit}.service: Scheduled restart job, restart counter is at ${this.nRestarts}.`);
    this.journal.systemd(`Stopped ${this.description}.`);
    this.journal.systemd(`Starting ${this.unit}.service - ${this.description}...`);
    void this.runAttempt('auto');
  }

  private async stopNow(): Promise<void> {
    const hadProcess = this.state === 'active' || (this.state === 'activating' && this.running !== null);
    const wasLooping = this.state === 'activating' && this.running === null;
    await this.endAttempt();
    if (hadProcess) {
      this.setState('deactivating', 'stop-sigterm');
      this.journal.systemd(`Stopping ${this.unit}.service - ${this.description}...`);
      await this.hooks.afterExit();
      await this.clock.sleep(STOP_MS);
      this.journal.systemd(`${this.unit}.service: Deactivated successfully.`);
      this.journal.systemd(`Stopped ${this.unit}.service - ${this.description}.`);
    } else if (wasLooping) {
      this.journal.systemd(`Stopped ${this.unit}.service - ${this.description}.`);
    }
    this.mainPid = 0;
    // A failed unit stays failed on stop until reset-failed or the next start.
    if (this.state !== 'failed') this.setState('inactive', 'dead');
  }

  private async endAttempt(): Promise<void> {
    this.cancelRestartTimer();
    const running = this.running;
    if (!running) return;
    running.abort.abort();
    await running.done;
    this.running = null;
  }

  private cancelRestartTimer(): void {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
  }

  private setState(next: ServiceState, subState: string): void {
    const previous = this.state;
    this.state = next;
    this.subState = subState;
    if (previous !== next) this.hooks.onTransition(previous, next);
  }
}

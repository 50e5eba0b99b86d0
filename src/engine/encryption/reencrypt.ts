// Waits for secrets re-encryption to end on the node that runs it, reporting "N of M secrets", the rate, the time
// left and a stall warning as it goes (a progress event and log lines through the log port; the last reading in
// the step's data).
// Progress comes from the node's SecretsProgress events (API), or its journal while the API is down; the end is
// the node's stage reaching reencrypt_finished (a CLI timeout before it meant "still running", k3s#11384).
import { shJoin } from '../../util/shell-quote.js';
import type { HandlerResult, StepContext } from '../context.js';
import { failed } from '../context.js';
import type { ReencryptProgress } from '../events.js';
import type { KubeEvent } from '../../transports/types.js';
import type { PlannedNode } from '../plan-types.js';
import { fixFor } from '../fixes.js';
import { readServerEncryption, readStatus } from './read.js';
import { findReloadTimeout, reloadTimeoutFix } from './reload-timeout.js';
import { secretsEventOf } from '../../discovery/parse-journal.js';

// SecretsProgress says `reencrypted N secrets`; SecretsUpdateComplete says the same since k3s#10612 (2024) and
// `completed reencrypt of N secrets` from the old controller before it.
const PROGRESS = /(?:reencrypted|completed reencrypt of) (\d+) secrets/;
export const DEFAULT_STALL_SECONDS = 120;
/** Readings kept for the rate (the most recent changes; a six-hour wait must not grow without end). */
export const KEEP_SAMPLES = 120;
/** Command records kept while polling (the failure's evidence needs the last few, not every poll's). */
const KEEP_EXECS = 16;

export interface ProgressReading {
  done: number;
  complete: boolean;
  error: string | null;
}

/** SecretsProgress / SecretsUpdateComplete / SecretsUpdateError events about `node` since `sinceMs`. */
export function progressFromEvents(events: readonly KubeEvent[], node: string, sinceMs: number): ProgressReading {
  const r: ProgressReading = { done: 0, complete: false, error: null };
  for (const e of events) {
    if (e.involvedObject.kind !== 'Node' || e.involvedObject.name !== node) continue;
    const at = e.lastTimestamp ? Date.parse(e.lastTimestamp) : NaN;
    if (!Number.isNaN(at) && at < sinceMs) continue;
    const n = Number(PROGRESS.exec(e.message)?.[1] ?? NaN);
    if (e.reason === 'SecretsProgress' && Number.isFinite(n)) r.done = Math.max(r.done, n);
    else if (e.reason === 'SecretsUpdateComplete') {
      r.complete = true;
      if (Number.isFinite(n)) r.done = Math.max(r.done, n);
    } else if (e.reason === 'SecretsUpdateError') r.error = e.message;
  }
  return r;
}

/** The same from journal lines, in every event form upstream has logged (discovery/parse-journal.ts secretsEventOf). */
export function progressFromJournal(text: string): ProgressReading {
  const r: ProgressReading = { done: 0, complete: false, error: null };
  for (const line of text.split('\n')) {
    const event = secretsEventOf(line);
    const reason = event?.reason;
    const message = event?.message ?? '';
    const n = Number(PROGRESS.exec(message)?.[1] ?? NaN);
    if (reason === 'SecretsProgress' && Number.isFinite(n)) r.done = Math.max(r.done, n);
    else if (reason === 'SecretsUpdateComplete') {
      r.complete = true;
      if (Number.isFinite(n)) r.done = Math.max(r.done, n);
    } else if (reason === 'SecretsUpdateError') r.error = message;
  }
  return r;
}

/** Rate over the observed window, time left, stall: from (time, done) samples. */
export function estimate(
  samples: readonly { t: number; done: number }[],
  total: number | null,
  nowMs: number,
): Omit<ReencryptProgress, 'finished' | 'source'> {
  const last = samples[samples.length - 1] ?? { t: nowMs, done: 0 };
  const first = samples.find((s) => s.done > 0 && s.done < last.done) ?? samples[0] ?? last;
  const dt = (last.t - first.t) / 1000;
  const rate = dt > 0 && last.done > first.done ? (last.done - first.done) / dt : null;
  const secondsLeft = rate && total !== null ? Math.max(0, Math.round((total - last.done) / rate)) : null;
  const changedAt = samples.find((s) => s.done === last.done)?.t ?? nowMs;
  return {
    done: last.done,
    total,
    ratePerSecond: rate === null ? null : Math.round(rate * 10) / 10,
    secondsLeft,
    stalledSeconds: Math.round((nowMs - changedAt) / 1000),
  };
}

export function sameProgress(a: ReencryptProgress | null, b: ReencryptProgress): boolean {
  return (
    a !== null &&
    a.done === b.done &&
    a.total === b.total &&
    a.ratePerSecond === b.ratePerSecond &&
    a.secondsLeft === b.secondsLeft &&
    a.stalledSeconds === b.stalledSeconds &&
    a.finished === b.finished &&
    a.source === b.source
  );
}

export function describeProgress(p: ReencryptProgress): string {
  const of = p.total !== null ? `${p.done} of ${p.total} secrets` : `${p.done} secrets`;
  const rate = p.ratePerSecond !== null ? `, ${p.ratePerSecond}/s` : '';
  const left = p.secondsLeft !== null && !p.finished ? `, ~${p.secondsLeft}s left` : '';
  return `reencrypted ${of}${rate}${left}${p.finished ? ' (finished)' : ''}`;
}

/** When the stage command that started re-encryption ran (events before it belong to an earlier rotation). */
function commandStartedAt(ctx: StepContext): number {
  let at = ctx.startedAtMs;
  const block = ctx.plan.blocks.find((b) => b.key === ctx.step.blockKey);
  for (const s of block?.steps ?? []) {
    if (s.step.kind === 'command' && s.step.run.op === 'secrets-encrypt') {
      const started = ctx.state.steps[s.key]?.firstStartedAt;
      if (started) at = Math.min(at, Date.parse(started));
    }
  }
  return at - 2000;
}

const EVENTS = 'Secrets(Progress|UpdateComplete|UpdateError)';

/**
 * The node's last re-encryption events from its journal, in both forms upstream has logged them: klog's
 * `reason="SecretsProgress" message="…"` and the older broadcaster's `Event(v1.ObjectReference{…}): type: 'Normal'
 * reason: 'SecretsProgress' …` (k3s#5933); discovery/parse-journal.ts reads both.
 */
export function journalProgressScript(node: PlannedNode): string {
  const grep = shJoin(['grep', '-E', '-e', `reason="${EVENTS}"`, '-e', `reason: '${EVENTS}'`]);
  return `${shJoin(['journalctl', '-u', node.unit, '--no-pager', '-n', '5000'])} | ${grep} | tail -n 20 || true`;
}

export async function readProgress(
  ctx: StepContext,
  since: number,
): Promise<ProgressReading & { source: 'api' | 'journal' | 'none' }> {
  const kube = ctx.ports.kube;
  if (kube && (await kube.readyz()).ok) {
    const ev = await kube.listEvents({
      fieldSelector: `involvedObject.kind=Node,involvedObject.name=${ctx.node.name}`,
    });
    if (ev.ok) return { ...progressFromEvents(ev.value, ctx.node.name, since), source: 'api' };
  }
  const r = await ctx.exec(ctx.node, journalProgressScript(ctx.node), 30);
  return r.outcome === 'ok'
    ? { ...progressFromJournal(r.stdout), source: 'journal' }
    : { done: 0, complete: false, error: null, source: 'none' };
}

export async function runReencryptWait(ctx: StepContext): Promise<HandlerResult> {
  const { step, node, ports } = ctx;
  if (step.step.kind !== 'wait' || step.step.until.condition !== 'reencrypt-finished')
    throw new Error(`bug: ${step.key} is not a reencrypt wait`);
  const stallSeconds = step.step.until.stallSeconds ?? DEFAULT_STALL_SECONDS;
  const intervalMs = (step.step.intervalSeconds ?? 5) * 1000;
  const deadline = ports.clock.now() + step.step.timeoutSeconds * 1000;
  const since = commandStartedAt(ctx);
  const counted = ports.kube ? await ports.kube.countSecrets() : null;
  const total = counted?.ok ? counted.value : null;
  const samples: { t: number; done: number }[] = [];
  const say = (line: string) =>
    ports.log.emit({ type: 'line', node: node.name, line: `[keyturn] ${line}`, stream: 'stdout' });
  let progress: ReencryptProgress = {
    done: 0,
    total,
    ratePerSecond: null,
    secondsLeft: null,
    stalledSeconds: 0,
    finished: false,
    source: 'none',
  };
  let lastSent: ReencryptProgress | null = null;
  let lastSaid = '';
  let warnedAt = 0;
  let stage = '';
  let wait = 250;
  for (;;) {
    const reading = await readProgress(ctx, since);
    const status = await readStatus(ctx, node);
    stage = status.ok ? status.value.stage : stage;
    const now = ports.clock.now();
    if (samples.length === 0 || reading.done !== samples[samples.length - 1].done)
      samples.push({ t: now, done: reading.done });
    if (samples.length > KEEP_SAMPLES) samples.splice(0, samples.length - KEEP_SAMPLES);
    if (ctx.execs.length > KEEP_EXECS) ctx.execs.splice(0, ctx.execs.length - KEEP_EXECS);
    const finished = stage === 'reencrypt_finished';
    progress = { ...estimate(samples, total, now), finished, source: reading.source };
    if (!sameProgress(lastSent, progress)) {
      ports.log.emit({ type: 'progress', node: node.name, progress, stallAfterSeconds: stallSeconds });
      lastSent = progress;
    }
    if (reading.error) {
      return failed(ctx, {
        check: 'reencrypt',
        message: `re-encryption failed on ${node.name}: ${reading.error}`,
        command: null,
        exitCode: null,
        evidence: [`SecretsUpdateError: ${reading.error}`, ...ctx.tails.recent(node.name, 20)],
        fix: `read \`journalctl -u ${node.unit} -n 300\` on ${node.name}; the secrets not rewritten still use the old key (kept in the config): fix the cause and run \`${node.distro} secrets-encrypt reencrypt\` again, or restore the pre-rotate etcd snapshot`,
      });
    }
    const line = describeProgress(progress);
    if (line !== lastSaid) {
      say(line);
      lastSaid = line;
    }
    if (finished) break;
    if (progress.stalledSeconds >= stallSeconds && now - warnedAt >= stallSeconds * 1000) {
      // Nothing moves at reencrypt_active: a rotate-keys that gave up on the reload (k3s#12373) never starts.
      const gaveUp =
        stage === 'reencrypt_active' && samples.every((s) => s.done === 0) ? await findReloadTimeout(ctx) : null;
      if (gaveUp) {
        const enc = await readServerEncryption(ctx, node);
        return failed(ctx, {
          check: 'reencrypt',
          message: `no re-encryption on ${node.name} for ${progress.stalledSeconds}s at reencrypt_active: its rotate-keys gave up waiting for the apiserver to reload the new config (k3s#12373), so nothing re-encrypts`,
          command: null,
          exitCode: null,
          evidence: [`${node.name} journal: ${gaveUp}`, ...ctx.tails.recent(node.name, 20)],
          fix: reloadTimeoutFix(ctx, enc.ok ? enc.value.provider : null),
        });
      }
      say(
        `warning: no re-encryption progress for ${progress.stalledSeconds}s (stage ${stage || 'unknown'}): check \`journalctl -u ${node.unit}\` on ${node.name}`,
      );
      warnedAt = now;
    }
    if (ctx.signal.aborted || now >= deadline) break;
    await ports.clock.sleep(Math.min(wait, Math.max(0, deadline - now)), ctx.signal);
    wait = Math.min(wait * 2, intervalMs);
  }
  const data = { reencrypt: progress, encryption: { stage } };
  if (progress.finished)
    return {
      status: 'done',
      summary: `${node.name} at reencrypt_finished: ${describeProgress(progress)}`,
      execs: ctx.execs.slice(-4),
      data,
    };
  const evidence = [
    `stage ${stage || 'unknown'}; ${describeProgress(progress)}; no progress for ${progress.stalledSeconds}s`,
    ...ctx.tails.recent(node.name, 20),
  ];
  return {
    ...failed(ctx, {
      check: 'reencrypt',
      message: `re-encryption on ${node.name} did not finish within ${step.step.timeoutSeconds}s`,
      command: null,
      exitCode: null,
      evidence,
      fix: fixFor('reencrypt', node, evidence, ctx.plan.recipe),
    }),
    execs: ctx.execs.slice(-4),
    data,
  };
}

// The re-encryption wait with fakes: a progress event on every poll whose reading changed (and only then), the
// log lines kept, the stall visible in the events, and the wait's own memory bounded however long it polls.
import { describe, expect, it } from 'vitest';
import { findRecipe } from '../../recipes/index.js';
import type { StepContext } from '../../src/engine/context.js';
import { makeExec } from '../../src/engine/context.js';
import { runReencryptWait } from '../../src/engine/encryption/reencrypt.js';
import type { ExecRecord, ReencryptProgress } from '../../src/engine/events.js';
import { planRun } from '../../src/engine/plan.js';
import type { Plan } from '../../src/engine/plan-types.js';
import type { LogEvent, RunPorts } from '../../src/engine/ports.js';
import { initialState } from '../../src/engine/reducer.js';
import { Tails } from '../../src/engine/tails.js';
import type { ExecResult, KubeEvent, KubeGateway } from '../../src/transports/types.js';
import { cluster } from './support/clusters.js';
import { FakeClock } from './support/ports.js';

function classicPlan(): Plan {
  const c = cluster('ha', 'k3s');
  for (const n of c.nodes) n.version = 'v1.29.12+k3s1';
  c.cluster.version = 'v1.29.12+k3s1';
  const r = planRun(findRecipe('rotate-encryption-keys')!, c, { runId: 'run-1' });
  if (!r.ok) throw new Error(r.refusal.reason);
  return r.plan;
}

/** One poll's answer: SecretsProgress count so far, whether the node is finished. */
interface Poll {
  done: number;
  finished?: boolean;
}

function waitCtx(polls: Poll[], total: number | null, journal = '') {
  const plan = classicPlan();
  const step = plan.blocks.find((b) => b.phase === 'reencrypt')!.steps.find((s) => s.kind === 'wait')!;
  const clock = new FakeClock();
  const startedAt = clock.now();
  let i = 0;
  const current = () => polls[Math.min(i, polls.length - 1)];
  const event = (reason: string, n: number): KubeEvent => ({
    namespace: 'default',
    involvedObject: { kind: 'Node', name: step.node },
    reason,
    message: `reencrypted ${n} secrets`,
    type: 'Normal',
    lastTimestamp: new Date(startedAt + 1000).toISOString(),
    count: 1,
  });
  const kube = {
    readyz: async () => ({ ok: true, value: 'ok' }),
    countSecrets: async () =>
      total === null
        ? { ok: false, failure: { kind: 'error', status: 403, detail: 'forbidden' } }
        : { ok: true, value: total },
    listEvents: async () => {
      const p = current();
      return {
        ok: true,
        value: p.finished
          ? [event('SecretsUpdateComplete', p.done)]
          : p.done > 0
            ? [event('SecretsProgress', p.done)]
            : [],
      };
    },
  } as unknown as KubeGateway;
  const res = (node: string, script: string, stdout: string): ExecResult => ({
    node,
    script,
    outcome: 'ok',
    code: 0,
    stdout,
    stderr: '',
    durationMs: 1,
  });
  const shell = (node: string) => ({
    node,
    run: async (script: string) => {
      if (script.includes("grep -F 'apiserver has not reloaded")) return res(node, script, journal);
      if (script.includes('sha256sum'))
        return res(node, script, `config-sha256=${'a'.repeat(64)}\nstate=start-${'b'.repeat(64)}\nprovider=aescbc\n`);
      // The status read ends a poll: the next poll sees the next answer.
      const p = current();
      i += 1;
      return res(
        node,
        script,
        JSON.stringify({
          stage: p.finished ? 'reencrypt_finished' : 'reencrypt_active',
          activekey: 'aescbckey-2',
          hashmatch: true,
        }),
      );
    },
    follow: async () => res(node, '', ''),
    dispose: async () => undefined,
  });
  const logs: LogEvent[] = [];
  const ports = {
    shell,
    kube,
    clock,
    confirm: null as never,
    journal: null as never,
    log: { emit: (e: LogEvent) => logs.push(e) },
  } as unknown as RunPorts;
  const execs: ExecRecord[] = [];
  const created = {
    type: 'run-created' as const,
    at: new Date(startedAt).toISOString(),
    runId: plan.runId,
    plan,
    operator: { user: 'u', host: 'h' },
    cluster: { server: null },
  };
  const signal = new AbortController().signal;
  const ctx: StepContext = {
    plan,
    state: initialState(created),
    step,
    node: plan.nodes.find((n) => n.name === step.node)!,
    ports,
    signal,
    tails: new Tails(ports.log),
    startedAtMs: startedAt,
    execs,
    exec: makeExec(ports, signal, execs),
  };
  return { ctx, logs, step };
}

const progressOf = (logs: LogEvent[]): ReencryptProgress[] =>
  logs.flatMap((l) => (l.type === 'progress' ? [l.progress] : []));

describe('re-encryption wait progress events', () => {
  it('sends a progress event on every poll whose reading changed, and keeps the log lines', async () => {
    const { ctx, logs, step } = waitCtx(
      [{ done: 0 }, { done: 50 }, { done: 150 }, { done: 400 }, { done: 1000, finished: true }],
      1000,
    );
    const r = await runReencryptWait(ctx);
    expect(r.status).toBe('done');
    const events = logs.filter((l) => l.type === 'progress');
    expect(events.every((e) => e.type === 'progress' && e.node === step.node && e.stallAfterSeconds === 120)).toBe(
      true,
    );
    const seen = progressOf(logs);
    expect(seen.map((p) => p.done)).toEqual([0, 50, 150, 400, 1000]);
    expect(seen.every((p) => p.total === 1000 && p.source === 'api')).toBe(true);
    expect(seen.at(-1)).toMatchObject({ done: 1000, finished: true });
    expect(seen.slice(0, -1).every((p) => !p.finished)).toBe(true);
    expect(seen[3].ratePerSecond).not.toBeNull();
    expect(seen[3].secondsLeft).not.toBeNull();
    const lines = logs.flatMap((l) => (l.type === 'line' ? [l.line] : []));
    expect(lines.some((l) => l.startsWith('[keyturn] reencrypted 400 of 1000 secrets'))).toBe(true);
    expect(lines.at(-1)).toContain('(finished)');
  });

  it('sends nothing for a poll that read exactly what the last one did', async () => {
    // The first retry comes 250 ms later: the same count, the same (rounded) stall time, the same reading.
    const { ctx, logs } = waitCtx([{ done: 50 }, { done: 50 }, { done: 100, finished: true }], 100);
    await runReencryptWait(ctx);
    expect(progressOf(logs).map((p) => p.done)).toEqual([50, 100]);
  });

  it('k3s#12373 left the node at reencrypt_active with nothing to do: the stall fails the wait with the way out', async () => {
    const stuck: Poll[] = Array.from({ length: 40 }, () => ({ done: 0 }));
    const line =
      'server-1 k3s[7]: time="2025-05-16T19:22:39Z" level=error msg="secret-encrypt error ID 22605: context deadline exceeded: apiserver has not reloaded encryption configuration (reload success: 1/1, reload timestamp 1747423239/1747423239)"';
    const { ctx } = waitCtx(stuck, 1000, `${line}\n`);
    const r = await runReencryptWait(ctx);
    expect(r.status).toBe('failed');
    if (r.status !== 'failed') return;
    expect(r.failure.message).toMatch(
      /^no re-encryption on \S+ for 1\d\ds at reencrypt_active: its rotate-keys gave up waiting for the apiserver to reload the new config \(k3s#12373\)/,
    );
    expect(r.failure.evidence[0]).toContain('apiserver has not reloaded encryption configuration');
    expect(r.failure.fix).toContain('secrets-encrypt reencrypt --force');
    // Without that journal line a stall is only a warning.
    const plain = waitCtx([...stuck, { done: 1000, finished: true }], 1000);
    expect((await runReencryptWait(plain.ctx)).status).toBe('done');
  });

  it('a stall shows in the events (stalledSeconds past the threshold) and in a warning line', async () => {
    const stuck: Poll[] = Array.from({ length: 25 }, () => ({ done: 200 }));
    const { ctx, logs } = waitCtx([...stuck, { done: 1000, finished: true }], 1000);
    await runReencryptWait(ctx);
    const seen = progressOf(logs);
    const worst = Math.max(...seen.map((p) => p.stalledSeconds));
    expect(worst).toBeGreaterThanOrEqual(120);
    expect(seen.at(-1)!.stalledSeconds).toBe(0);
    expect(logs.some((l) => l.type === 'line' && /warning: no re-encryption progress for \d+s/.test(l.line))).toBe(
      true,
    );
  });

  it('an unknown total still reports the count; a long wait keeps only the last command records', async () => {
    const many: Poll[] = Array.from({ length: 300 }, (_, k) => ({ done: k * 10 }));
    const { ctx, logs } = waitCtx([...many, { done: 3000, finished: true }], null);
    const r = await runReencryptWait(ctx);
    expect(r.status).toBe('done');
    expect(progressOf(logs).every((p) => p.total === null)).toBe(true);
    expect(ctx.execs.length).toBeLessThanOrEqual(16);
    expect(r.status === 'done' && r.execs.length).toBeLessThanOrEqual(4);
  });
});

// rotate-encryption-keys with fakes: flow choice by version/provider, refusals, the intermediate/last gate rule,
// mismatches naming nodes, progress parsing, and the command interpretation (CLI timeout = still running).
import { describe, expect, it } from 'vitest';
import { findRecipe } from '../../recipes/index.js';
import type { StepContext } from '../../src/engine/context.js';
import { makeExec } from '../../src/engine/context.js';
import {
  checkAllEncryptionHashes,
  checkServerStage,
  isLastControlPlaneOfPhase,
} from '../../src/engine/encryption/checks.js';
import { chooseEncryptionFlow, PANIC_RISK_PHRASE, supportsRotateKeys } from '../../src/engine/encryption/flow.js';
import { estimate, progressFromEvents, progressFromJournal } from '../../src/engine/encryption/reencrypt.js';
import { interpretOpResult } from '../../src/engine/handlers/ops.js';
import type { ExecRecord } from '../../src/engine/events.js';
import { planRun } from '../../src/engine/plan.js';
import type { Plan, PlannedStep } from '../../src/engine/plan-types.js';
import { initialState } from '../../src/engine/reducer.js';
import { Tails } from '../../src/engine/tails.js';
import type { ExecResult, KubeEvent, KubeGateway } from '../../src/transports/types.js';
import { cluster } from './support/clusters.js';
import { FakeClock } from './support/ports.js';

const recipe = findRecipe('rotate-encryption-keys')!;

function withVersion(topology: 'ha' | 'split', distro: 'k3s' | 'rke2', version: string) {
  const c = cluster(topology, distro);
  for (const n of c.nodes) n.version = version;
  c.cluster.version = version;
  return c;
}

function plan(topology: 'ha' | 'split', distro: 'k3s' | 'rke2', version: string, extra = {}): Plan {
  const r = planRun(recipe, withVersion(topology, distro, version), { runId: 'run-1', ...extra });
  if (!r.ok) throw new Error(r.refusal.reason);
  return r.plan;
}

const H = (c: string) => c.repeat(64);

describe('flow choice', () => {
  it('knows the rotate-keys gates per distro', () => {
    expect(
      ['v1.30.4+k3s1', 'v1.30.5+k3s1', 'v1.31.0+k3s1', 'v1.31.1+k3s1', 'v1.32.0+k3s1', 'v1.29.12+k3s1'].map((v) =>
        supportsRotateKeys('k3s', v),
      ),
    ).toEqual([false, true, false, true, true, false]);
    expect(
      ['v1.30.1+rke2r1', 'v1.30.2+rke2r1', 'v1.31.0+rke2r1', 'v1.29.15+rke2r1'].map((v) =>
        supportsRotateKeys('rke2', v),
      ),
    ).toEqual([false, true, true, false]);
  });

  it('plans rotate-keys on current releases and the classic flow on old ones, stage commands on a control-plane server', () => {
    const rk = plan('split', 'rke2', 'v1.32.5+rke2r1');
    expect(rk.flow).toBe('rotate-keys');
    const stage = (p: Plan) =>
      p.blocks.flatMap((b) => b.steps).filter((s) => s.step.kind === 'command' && s.step.run.op === 'secrets-encrypt');
    expect(stage(rk).map((s) => [s.node, s.command])).toEqual([['cp-1', 'rke2 secrets-encrypt rotate-keys']]);
    expect(rk.blocks.map((b) => b.phase)).not.toContain('prepare');

    const classic = plan('ha', 'k3s', 'v1.29.12+k3s1');
    expect(classic.flow).toBe('classic');
    expect(stage(classic).map((s) => s.command)).toEqual([
      'k3s secrets-encrypt prepare',
      'k3s secrets-encrypt rotate',
      'k3s secrets-encrypt reencrypt',
    ]);
    const phases = [...new Set(classic.blocks.map((b) => b.phase))];
    expect(phases).toEqual([
      'preflight',
      'backup',
      'snapshot',
      'prepare',
      'prepare-restart',
      'rotate',
      'rotate-restart',
      'reencrypt',
      'final-restart',
      'verify',
    ]);
    expect(classic.blocks.filter((b) => b.phase === 'prepare-restart').map((b) => b.node)).toEqual([
      'server-1',
      'server-2',
      'server-3',
    ]);
    // one node below the gate is enough for the classic flow
    const mixed = withVersion('ha', 'k3s', 'v1.32.5+k3s1');
    mixed.nodes.find((n) => n.name === 'server-3')!.version = 'v1.31.0+k3s1';
    const m = planRun(recipe, mixed, { runId: 'r' });
    expect(m.ok && m.plan.flow).toBe('classic');
  });

  it('refuses the classic flow with secretbox, and rotate-keys is fine with it', () => {
    const refused = planRun(recipe, withVersion('ha', 'k3s', 'v1.29.12+k3s1'), {
      runId: 'r',
      encryptionProvider: 'secretbox',
    });
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.refusal.reason).toContain('secretbox');
      expect(refused.refusal.overridePhrase).toBeUndefined();
    }
    expect(
      planRun(recipe, withVersion('ha', 'k3s', 'v1.32.5+k3s1'), { runId: 'r', encryptionProvider: 'secretbox' }).ok,
    ).toBe(true);
  });

  it('refuses RKE2 v1.32.3 on a split cluster unless the operator types the phrase, then asks for it again at the first node', () => {
    const refused = planRun(recipe, withVersion('split', 'rke2', 'v1.32.3+rke2r1'), { runId: 'r' });
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.refusal.reason).toMatch(/rke2#8236/);
    expect(refused.refusal.overridePhrase).toBe(PANIC_RISK_PHRASE);
    expect(planRun(recipe, withVersion('split', 'rke2', 'v1.32.3+rke2r1'), { runId: 'r', acceptRisk: 'yes' }).ok).toBe(
      false,
    );
    const accepted = planRun(recipe, withVersion('split', 'rke2', 'v1.32.3+rke2r1'), {
      runId: 'r',
      acceptRisk: PANIC_RISK_PHRASE,
    });
    expect(accepted.ok).toBe(true);
    if (!accepted.ok) return;
    expect(accepted.plan.warnings.join('\n')).toContain('risk accepted');
    expect(accepted.plan.blocks.find((b) => b.confirm === 'per-node')!.typedPhrase).toBe(PANIC_RISK_PHRASE);
    // not split, or fixed: no refusal
    expect(planRun(recipe, withVersion('ha', 'rke2', 'v1.32.3+rke2r1'), { runId: 'r' }).ok).toBe(true);
    expect(planRun(recipe, withVersion('split', 'rke2', 'v1.32.5+rke2r1'), { runId: 'r' }).ok).toBe(true);
    expect(chooseEncryptionFlow([]).ok).toBe(false);
  });
});

describe('progress', () => {
  const ev = (reason: string, message: string, at = '2025-06-01T12:00:10Z', name = 'cp-1'): KubeEvent => ({
    namespace: 'default',
    involvedObject: { kind: 'Node', name },
    reason,
    message,
    type: 'Normal',
    lastTimestamp: at,
    count: 1,
  });
  it('reads SecretsProgress events of the node since the command', () => {
    const since = Date.parse('2025-06-01T12:00:00Z');
    const events = [
      ev('SecretsProgress', 'reencrypted 50 secrets', '2025-06-01T11:00:00Z'),
      ev('SecretsProgress', 'reencrypted 100 secrets'),
      ev('SecretsProgress', 'reencrypted 900 secrets', undefined, 'cp-2'),
      ev('SecretsProgress', 'reencrypted 150 secrets'),
      ev('NodeReady', 'x'),
    ];
    expect(progressFromEvents(events, 'cp-1', since)).toEqual({ done: 150, complete: false, error: null });
    expect(
      progressFromEvents([...events, ev('SecretsUpdateComplete', 'reencrypted 180 secrets')], 'cp-1', since),
    ).toMatchObject({ done: 180, complete: true });
    expect(progressFromEvents([ev('SecretsUpdateError', 'failed to update secret x')], 'cp-1', since).error).toBe(
      'failed to update secret x',
    );
  });
  it('reads the same from klog journal lines', () => {
    const line = (r: string, m: string) =>
      `cp-1 rke2[12]: I0601 12:00:00.000000 12 event.go:389] "Event occurred" object="cp-1" fieldPath="" kind="Node" apiVersion="" type="Normal" reason="${r}" message="${m}"`;
    expect(
      progressFromJournal(
        [line('SecretsProgress', 'reencrypted 50 secrets'), line('SecretsProgress', 'reencrypted 100 secrets')].join(
          '\n',
        ),
      ),
    ).toEqual({ done: 100, complete: false, error: null });
  });
  it('estimates rate, time left and stalls', () => {
    const e = estimate(
      [
        { t: 0, done: 0 },
        { t: 10_000, done: 50 },
        { t: 20_000, done: 100 },
      ],
      1000,
      20_000,
    );
    expect(e).toMatchObject({ done: 100, total: 1000, ratePerSecond: 5, secondsLeft: 180, stalledSeconds: 0 });
    expect(
      estimate(
        [
          { t: 0, done: 0 },
          { t: 10_000, done: 50 },
        ],
        1000,
        130_000,
      ).stalledSeconds,
    ).toBe(120);
  });
});

// A StepContext on a planned step with a node shell answering by pattern and a gateway with annotations.
function fakeCtx(
  p: Plan,
  step: PlannedStep,
  files: Record<string, { config: string; state: string; annotation?: string }>,
  stdoutFor?: (node: string, script: string) => ExecResult | undefined,
  events: KubeEvent[] = [],
): StepContext {
  const clock = new FakeClock();
  const created = {
    type: 'run-created' as const,
    at: new Date(clock.now()).toISOString(),
    runId: p.runId,
    plan: p,
    operator: { user: 'u', host: 'h' },
    cluster: { server: null },
  };
  const res = (node: string, script: string, stdout: string, code = 0, stderr = ''): ExecResult => ({
    node,
    script,
    outcome: code === 0 ? 'ok' : 'exit',
    code,
    stdout,
    stderr,
    durationMs: 1,
  });
  const shell = (node: string) => ({
    node,
    run: async (script: string) => {
      const own = stdoutFor?.(node, script);
      if (own) return own;
      const f = files[node];
      if (script.includes('sha256sum') && f)
        return res(node, script, `config-sha256=${f.config}\nstate=${f.state}\nprovider=aescbc\n`);
      if (script.includes('secrets-encrypt status'))
        return res(node, script, JSON.stringify({ stage: 'x', activekey: 'k', hashmatch: true }));
      return res(node, script, '', 127, `no answer: ${script}`);
    },
    follow: async () => res(node, '', ''),
    dispose: async () => undefined,
  });
  const kube = {
    readyz: async () => ({ ok: true, value: 'ok' }),
    listEvents: async () => ({ ok: true, value: events }),
    getNode: async (name: string) => ({
      ok: true,
      value: {
        name,
        labels: {},
        annotations:
          files[name]?.annotation !== undefined
            ? { [`${p.distro}.io/encryption-config-hash`]: files[name].annotation! }
            : {},
        internalIP: null,
        kubeletVersion: '',
        providerID: null,
        conditions: [],
      },
    }),
  } as unknown as KubeGateway;
  const ports = { shell, kube, clock, confirm: null as never, journal: null as never, log: { emit: () => undefined } };
  const execs: ExecRecord[] = [];
  return {
    plan: p,
    state: initialState(created),
    step,
    node: p.nodes.find((n) => n.name === step.node)!,
    ports,
    signal: new AbortController().signal,
    tails: new Tails(ports.log),
    startedAtMs: clock.now(),
    execs,
    exec: makeExec(ports, new AbortController().signal, execs),
  };
}

const gateOf = (p: Plan, phase: string, node: string) =>
  p.blocks.find((b) => b.phase === phase && b.node === node)!.steps.find((s) => s.kind === 'gate')!;

describe('the intermediate / last control-plane gate rule', () => {
  const p = plan('split', 'rke2', 'v1.29.15+rke2r1'); // classic flow on split
  it('only the last control-plane server of a restart phase demands every hash', () => {
    expect(
      ['etcd-1', 'cp-1', 'cp-2'].map((n) => isLastControlPlaneOfPhase(fakeCtx(p, gateOf(p, 'prepare-restart', n), {}))),
    ).toEqual([false, false, true]);
    expect(isLastControlPlaneOfPhase(fakeCtx(p, gateOf(p, 'prepare', 'cp-1'), {}))).toBe(false);
  });

  it('an intermediate server passes with the others still at start; the last one fails naming the server that differs', async () => {
    const files = {
      'cp-1': { config: H('a'), state: `prepare-${H('a')}`, annotation: `prepare-${H('a')}` },
      'cp-2': { config: H('b'), state: `start-${H('b')}`, annotation: `start-${H('b')}` },
    };
    const mid = await checkServerStage(fakeCtx(p, gateOf(p, 'prepare-restart', 'cp-1'), files), 'prepare');
    expect(mid.status).toBe('pass');
    const stale = await checkServerStage(fakeCtx(p, gateOf(p, 'prepare-restart', 'cp-2'), files), 'prepare');
    expect(stale).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('cp-2 is at stage start, want prepare'),
    });
    const both = { ...files, 'cp-2': { config: H('a'), state: `prepare-${H('a')}`, annotation: `prepare-${H('a')}` } };
    expect((await checkServerStage(fakeCtx(p, gateOf(p, 'prepare-restart', 'cp-2'), both), 'prepare')).status).toBe(
      'pass',
    );
    // cp-2 is right, but cp-1 drifted since: the last gate names cp-1
    const drifted = {
      ...both,
      'cp-1': { config: H('a'), state: `prepare-${H('a')}`, annotation: `prepare-${H('c')}` },
    };
    const last = await checkServerStage(fakeCtx(p, gateOf(p, 'prepare-restart', 'cp-2'), drifted), 'prepare');
    expect(last.status).toBe('fail');
    expect(last.node).toBe('cp-1');
    expect(last.detail).toContain('cp-1');
    expect(last.detail).not.toMatch(/cp-2 differ/);
  });

  it('an etcd-only server has no annotation: skipped', async () => {
    expect((await checkServerStage(fakeCtx(p, gateOf(p, 'prepare-restart', 'etcd-1'), {}), 'prepare')).status).toBe(
      'skipped',
    );
  });

  it("the annotation hash must equal sha256 of the node's own config", async () => {
    const files = { 'cp-1': { config: H('d'), state: `prepare-${H('a')}`, annotation: `prepare-${H('a')}` } };
    expect(await checkServerStage(fakeCtx(p, gateOf(p, 'prepare-restart', 'cp-1'), files), 'prepare')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('does not match sha256'),
    });
  });

  it('an empty or hand-written annotation fails by name, not by falling back to the state file (upstream answers status with a 500)', async () => {
    const step = p.blocks.find((b) => b.phase === 'preflight')!.steps.find((s) => s.stepId === 'hashes')!;
    const good = { config: H('a'), state: `start-${H('a')}`, annotation: `start-${H('a')}` };
    for (const annotation of ['', 'garbage', `start-${H('a')}-x`]) {
      const files = { 'cp-1': good, 'cp-2': { ...good, annotation } };
      const r = await checkAllEncryptionHashes(fakeCtx(p, step, files), ['start', 'reencrypt_finished']);
      expect(r, annotation).toMatchObject({
        status: 'fail',
        node: 'cp-2',
        detail: expect.stringContaining(`annotation is not <stage>-<hash> on cp-2 (${JSON.stringify(annotation)})`),
      });
      expect(r.detail).toContain('restart cp-2');
      const own = await checkServerStage(fakeCtx(p, gateOf(p, 'prepare-restart', 'cp-2'), files), 'prepare');
      expect(own, annotation).toMatchObject({
        status: 'fail',
        node: 'cp-2',
        detail: expect.stringContaining('not <stage>-<hash>'),
      });
    }
  });

  it('preflight: a config edited by hand on one server fails naming it', async () => {
    const step = p.blocks.find((b) => b.phase === 'preflight')!.steps.find((s) => s.stepId === 'hashes')!;
    const files = {
      'cp-1': { config: H('a'), state: `start-${H('a')}`, annotation: `start-${H('a')}` },
      'cp-2': { config: H('e'), state: `start-${H('a')}`, annotation: `start-${H('a')}` },
    };
    const r = await checkAllEncryptionHashes(fakeCtx(p, step, files), ['start', 'reencrypt_finished']);
    expect(r).toMatchObject({ status: 'fail', node: 'cp-2' });
    const ok = { ...files, 'cp-2': files['cp-1'] };
    expect((await checkAllEncryptionHashes(fakeCtx(p, step, ok), ['start', 'reencrypt_finished'])).status).toBe('pass');
    expect((await checkAllEncryptionHashes(fakeCtx(p, step, ok), ['reencrypt_finished'])).status).toBe('fail');
  });
});

describe('stage command results', () => {
  const p = plan('ha', 'k3s', 'v1.29.12+k3s1');
  const step = p.blocks.find((b) => b.phase === 'reencrypt')!.steps[0];
  const op = step.step.kind === 'command' ? step.step.run : null;
  const r = (stderr: string): ExecResult => ({
    node: 'server-1',
    script: step.command!,
    outcome: 'exit',
    code: 1,
    stdout: '',
    stderr,
    durationMs: 1,
  });

  it('a reencrypt CLI timeout means still running', async () => {
    const res = await interpretOpResult(
      fakeCtx(p, step, {}),
      op!,
      r(
        'level=fatal msg="see server log for details: Put \\"https://127.0.0.1:6443/v1-k3s/encrypt/config\\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)"',
      ),
    );
    expect(res).toMatchObject({ status: 'done', summary: expect.stringContaining('keeps re-encrypting') });
  });

  it('an error ID is explained by the journal line, naming the nodes', async () => {
    const journal =
      'server-1 k3s[7]: time="x" level=error msg="secret-encrypt error ID 64661: hash does not match between server-1 and server-2"';
    const ctx = fakeCtx(p, step, {}, (node, script) =>
      script.includes("grep -F 'error ID 64661:'")
        ? { node, script, outcome: 'ok', code: 0, stdout: `${journal}\n`, stderr: '', durationMs: 1 }
        : undefined,
    );
    const res = await interpretOpResult(
      ctx,
      op!,
      r(
        'level=fatal msg="see server log for details: https://127.0.0.1:6443/v1-k3s/encrypt/config: 400 Bad Request secret-encrypt error ID 64661"',
      ),
    );
    expect(res?.status).toBe('failed');
    if (res?.status !== 'failed') return;
    expect(res.failure.message).toContain('hash does not match between server-1 and server-2');
    expect(res.failure.evidence[0]).toContain('server-1 journal');
  });
});

describe('a failed rotate-keys is checked against the server first (k3s#12373)', () => {
  const p = plan('ha', 'k3s', 'v1.32.5+k3s1');
  const step = p.blocks.find((b) => b.phase === 'rotate-keys')!.steps[0];
  const op = step.step.kind === 'command' ? step.step.run : null;
  // The CLI's last line and the server's journal line, as k3s#12373 shows them.
  const cli = 'time="2025-05-16T19:22:39Z" level=fatal msg="see server log for details: secret-encrypt error ID 22605"';
  const cause =
    'context deadline exceeded: apiserver has not reloaded encryption configuration (reload success: 1/1, reload timestamp 1747423239/1747423239)';
  const failedCli: ExecResult = {
    node: 'server-1',
    script: step.command!,
    outcome: 'exit',
    code: 1,
    stdout: '',
    stderr: cli,
    durationMs: 60_000,
  };
  const ctxWith = (stage: string, activekey: string, events: KubeEvent[] = []) => {
    const ctx = fakeCtx(
      p,
      step,
      { 'server-1': { config: H('n'), state: `start-${H('o')}` } },
      (node, script) => {
        const ok = (stdout: string): ExecResult => ({
          node,
          script,
          outcome: 'ok',
          code: 0,
          stdout,
          stderr: '',
          durationMs: 1,
        });
        if (script.includes("grep -F 'error ID 22605:'"))
          return ok(
            `server-1 k3s[7]: time="2025-05-16T19:22:39Z" level=error msg="secret-encrypt error ID 22605: ${cause}"\n`,
          );
        if (script.includes('secrets-encrypt status'))
          return ok(JSON.stringify({ stage, activekey, enable: true, hashmatch: true }));
        return undefined;
      },
      events,
    );
    return ctx;
  };
  const newKey = () =>
    `aescbckey-${new Date(Date.parse('2025-06-01T12:00:05Z')).toISOString().replace(/\.\d{3}Z$/, 'Z')}`;

  it('the new key is in place but nothing was re-encrypted: failed, with the way to finish it and no restart', async () => {
    const res = await interpretOpResult(ctxWith('reencrypt_active', newKey()), op!, failedCli);
    expect(res?.status).toBe('failed');
    if (res?.status !== 'failed') return;
    expect(res.failure.message).toContain('k3s#12373');
    expect(res.failure.message).toContain('no secret was re-encrypted (server-1 is at reencrypt_active');
    expect(res.failure.fix).toContain('restart no server');
    expect(res.failure.fix).toContain('`k3s secrets-encrypt reencrypt --force` on server-1');
    expect(res.failure.evidence[0]).toBe(`server-1 journal: ${cause}`);
  });

  it('the server re-encrypts after all (SecretsProgress since the command): the step is done, the wait follows it', async () => {
    const progress: KubeEvent = {
      reason: 'SecretsProgress',
      message: 'reencrypted 50 secrets',
      type: 'Normal',
      involvedObject: { kind: 'Node', name: 'server-1' },
      lastTimestamp: '2025-06-01T12:00:30Z',
    } as KubeEvent;
    const res = await interpretOpResult(ctxWith('reencrypt_active', newKey(), [progress]), op!, failedCli);
    expect(res).toMatchObject({
      status: 'done',
      summary: expect.stringContaining('server-1 is re-encrypting (50 secrets so far'),
    });
  });

  it('the server finished with the new key: done', async () => {
    const res = await interpretOpResult(ctxWith('reencrypt_finished', `AES-CBC ${newKey()}`), op!, failedCli);
    expect(res).toMatchObject({
      status: 'done',
      summary: expect.stringContaining('server-1 is at reencrypt_finished'),
    });
  });

  it("a refusal leaves the previous rotation's reencrypt_finished: still a failure, with the journal's cause", async () => {
    const refused: ExecResult = { ...failedCli, stderr: cli.replace('22605', '64661') };
    const ctx = fakeCtx(p, step, {}, (node, script) => {
      const ok = (stdout: string): ExecResult => ({
        node,
        script,
        outcome: 'ok',
        code: 0,
        stdout,
        stderr: '',
        durationMs: 1,
      });
      if (script.includes("grep -F 'error ID 64661:'"))
        return ok(
          'server-1 k3s[7]: level=error msg="secret-encrypt error ID 64661: hash does not match between server-1 and server-2"\n',
        );
      if (script.includes('secrets-encrypt status'))
        return ok(JSON.stringify({ stage: 'reencrypt_finished', activekey: 'aescbckey-2025-01-01T00:00:00Z' }));
      return undefined;
    });
    const res = await interpretOpResult(ctx, op!, refused);
    expect(res?.status === 'failed' && res.failure.message).toContain(
      'hash does not match between server-1 and server-2',
    );
  });
});

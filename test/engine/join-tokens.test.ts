// The join-token steps of rotate-ca, run for real with sh on this machine (the local transport): a node whose
// secure token sits in config.yaml, a config.yaml.d drop-in, a token-file and the unit's env file (named by
// `systemctl show -p EnvironmentFiles`, a stub here) is listed by the join-tokens gate before anything changes, and
// its update-token step moves every `K10<old>::` to `K10<new>::` in place, with a backup, the rest of each line
// kept byte for byte — and the secret is in no command, no output, no journalled record. A token in the unit's
// ExecStart, or one pinning an unknown CA, stops the run naming the file, the key and the hash to set.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findRecipe } from '../../recipes/index.js';
import type { StepContext } from '../../src/engine/context.js';
import { makeExec } from '../../src/engine/context.js';
import type { ExecRecord, RunEvent } from '../../src/engine/events.js';
import { runCommandStep } from '../../src/engine/handlers/command.js';
import { runGateCheck } from '../../src/engine/handlers/gate.js';
import { planRun } from '../../src/engine/plan.js';
import { renderOp } from '../../src/engine/commands.js';
import type { Plan } from '../../src/engine/plan-types.js';
import { applyEvent, initialState } from '../../src/engine/reducer.js';
import { Tails } from '../../src/engine/tails.js';
import { createLocalShell } from '../../src/transports/local-shell.js';
import { cluster } from './support/clusters.js';
import { FakeClock } from './support/ports.js';

const OLD = 'a1'.repeat(32);
const NEW = 'b2'.repeat(32);
const OTHER = 'c3'.repeat(32);
const SECRET = 'S3cr3t-never-printed';
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

interface NodeFiles {
  root: string;
  config: string;
  dropIn: string;
  tokenFile: string;
  envFile: string;
  env: Record<string, string>;
}

/** A node's files and a stub systemctl that names the env file and prints the unit (ExecStart optional). */
function nodeFiles(execStart = '/usr/local/bin/k3s agent'): NodeFiles {
  const root = mkdtempSync(path.join(tmpdir(), 'keyturn-tokens-'));
  dirs.push(root);
  const etc = path.join(root, 'etc');
  mkdirSync(path.join(etc, 'config.yaml.d'), { recursive: true });
  const f: NodeFiles = {
    root,
    config: path.join(etc, 'config.yaml'),
    dropIn: path.join(etc, 'config.yaml.d', '10-agent.yaml'),
    tokenFile: path.join(root, 'token'),
    envFile: path.join(root, 'k3s-agent.service.env'),
    env: {},
  };
  writeFileSync(
    f.config,
    `data-dir: /var/lib/rancher/k3s\ntoken: K10${OLD}::server:${SECRET}\ntoken-file: "${f.tokenFile}"\n`,
    { mode: 0o600 },
  );
  writeFileSync(f.dropIn, `agent-token: "K10${OLD}::${SECRET}"\n`, { mode: 0o640 });
  writeFileSync(f.tokenFile, `K10${OLD}::node:${SECRET}\n`, { mode: 0o600 });
  writeFileSync(f.envFile, `K3S_URL='https://10.0.0.1:6443'\nK3S_TOKEN='K10${OLD}::server:${SECRET}'\n`, {
    mode: 0o600,
  });
  const bin = path.join(root, 'bin');
  mkdirSync(bin);
  writeFileSync(
    path.join(bin, 'systemctl'),
    `#!/bin/sh
case "$1 $2" in
  "show -p") echo "EnvironmentFiles=${f.envFile} (ignore_errors=yes)" ;;
  cat*) printf '[Service]\\nExecStart=%s\\n' ${JSON.stringify(execStart)} ;;
esac
`,
  );
  chmodSync(path.join(bin, 'systemctl'), 0o755);
  f.env = { PATH: `${bin}:/usr/bin:/bin`, K3S_CONFIG_FILE: f.config };
  return f;
}

/** A node with no token anywhere (and a systemctl that knows no env file). */
function bareNode(): NodeFiles {
  const root = mkdtempSync(path.join(tmpdir(), 'keyturn-tokens-'));
  dirs.push(root);
  mkdirSync(path.join(root, 'bin'));
  writeFileSync(path.join(root, 'bin', 'systemctl'), '#!/bin/sh\nexit 0\n');
  chmodSync(path.join(root, 'bin', 'systemctl'), 0o755);
  const config = path.join(root, 'config.yaml');
  writeFileSync(config, 'data-dir: /var/lib/rancher/k3s\n');
  return {
    root,
    config,
    dropIn: '',
    tokenFile: '',
    envFile: '',
    env: { PATH: `${root}/bin:/usr/bin:/bin`, K3S_CONFIG_FILE: config },
  };
}

function plan(): Plan {
  const r = planRun(findRecipe('rotate-ca')!, cluster('split', 'k3s'), { runId: 'run-1' });
  if (!r.ok) throw new Error(r.refusal.reason);
  return r.plan;
}

/** A step context on `nodeName` whose node commands run with sh here, each node with its own files. */
function ctxFor(p: Plan, stepKey: string, files: Map<string, NodeFiles>, recorded = true): StepContext {
  const clock = new FakeClock();
  const created = {
    type: 'run-created' as const,
    at: new Date(clock.now()).toISOString(),
    runId: p.runId,
    plan: p,
    operator: { user: 'u', host: 'h' },
    cluster: { server: null },
  };
  const generate = p.blocks.find((b) => b.phase === 'prepare')!.steps.find((s) => s.stepId === 'generate')!;
  const done: RunEvent = {
    type: 'step-finished',
    at: created.at,
    key: generate.key,
    result: {
      status: 'done',
      summary: '',
      execs: [],
      data: { ca: { serverCa: 'f'.repeat(64), tokenHashes: { old: `K10${OLD}`, new: `K10${NEW}` } } },
    },
  };
  const state = recorded ? applyEvent(initialState(created), done) : initialState(created);
  const empty = bareNode();
  const shells = new Map(
    p.nodes.map((n) => [
      n.name,
      createLocalShell({ name: n.name, address: n.address, transport: 'local', env: (files.get(n.name) ?? empty).env }),
    ]),
  );
  const log = { emit: () => undefined };
  const ports = {
    shell: (node: string) => shells.get(node)!,
    kube: null,
    clock,
    confirm: null as never,
    journal: null as never,
    log,
  };
  const step = p.blocks.flatMap((b) => b.steps).find((s) => s.key === stepKey)!;
  const execs: ExecRecord[] = [];
  const signal = new AbortController().signal;
  return {
    plan: p,
    state,
    step,
    node: p.nodes.find((n) => n.name === step.node)!,
    ports,
    signal,
    tails: new Tails(log),
    startedAtMs: clock.now(),
    execs,
    exec: makeExec(ports, signal, execs),
  };
}

const keyOf = (p: Plan, phase: string, node: string, step: string) => `${p.recipe}/${node}/${phase}.${step}`;

describe('rotate-ca generate step (real sh, openssl)', () => {
  it('records the current and the next token CA hash by hashCA: file bytes of the single-cert CA, DER of the bundle root', async () => {
    const p = plan();
    const d = bareNode().root;
    const tls = path.join(d, 'server/tls');
    mkdirSync(path.join(tls, 'etcd'), { recursive: true });
    for (const t of ['client', 'server', 'request-header', 'etcd/peer', 'etcd/server']) {
      execFileSync(
        'sh',
        [
          '-c',
          `openssl ecparam -name prime256v1 -genkey -noout -out ${t}-ca.key 2>/dev/null && openssl req -new -x509 -key ${t}-ca.key -subj "/CN=k3s-${t.replace('/', '-')}-ca@1" -days 3650 -out ${t}-ca.crt 2>/dev/null`,
        ],
        { cwd: tls },
      );
    }
    execFileSync('sh', ['-c', 'openssl genrsa -out service.key 2048 2>/dev/null'], { cwd: tls });
    const ctx = ctxFor(p, keyOf(p, 'prepare', 'etcd-1', 'generate'), new Map(), false);
    ctx.node = { ...ctx.node, dataDir: d };
    ctx.step = { ...ctx.step, command: renderOp({ op: 'generate-ca', path: '<data-dir>/server/rotate-ca' }, ctx.node) };
    ctx.ports.clock = { now: () => Date.now(), sleep: async () => undefined };
    const r = await runCommandStep(ctx);
    expect(r.status, JSON.stringify(r)).toBe('done');
    if (r.status !== 'done') return;
    const sha = (cmd: string) => execFileSync('sh', ['-c', cmd], { encoding: 'utf8' }).trim();
    const bundle = path.join(d, 'server/rotate-ca/tls/server-ca.crt');
    const old = sha(`sha256sum ${path.join(tls, 'server-ca.crt')} | cut -d ' ' -f 1`);
    const root = sha(
      `awk 'BEGIN{c=0} /-----BEGIN CERTIFICATE/{c++} c==2{print} /-----END CERTIFICATE/ && c==2{exit}' ${bundle} | openssl x509 -outform DER | sha256sum | cut -d ' ' -f 1`,
    );
    expect(r.data?.ca?.tokenHashes).toEqual({ old: `K10${old}`, new: `K10${root}` });
    expect(r.data?.ca?.serverCa).toBe(sha(`sha256sum ${bundle} | cut -d ' ' -f 1`));
    expect(r.summary).toContain(`join-token CA hash K10${old} → K10${root}`);
  });
});

describe('rotate-ca join tokens (real sh)', () => {
  it('the gate lists every node carrying a token with the current CA hash, before anything changes', async () => {
    const p = plan();
    const files = new Map([
      ['agent-1', nodeFiles()],
      ['cp-1', nodeFiles()],
    ]);
    const ctx = ctxFor(p, keyOf(p, 'prepare', 'etcd-1', 'tokens'), files);
    const r = await runGateCheck(ctx, { check: 'join-tokens' });
    expect(r.status, r.detail).toBe('pass');
    expect(r.detail).toContain('2 node(s)');
    expect(r.detail).toContain('cp-1, agent-1');
    const ev = (r.evidence ?? []).join('\n');
    for (const where of [
      `${files.get('agent-1')!.config} token:`,
      `${files.get('agent-1')!.dropIn} agent-token:`,
      `${files.get('agent-1')!.tokenFile} (file):`,
      `${files.get('agent-1')!.envFile} K3S_TOKEN:`,
    ]) {
      expect(ev).toContain(`agent-1: ${where} K10${OLD.slice(0, 12)}… (current CA)`);
    }
    expect(JSON.stringify({ r, execs: ctx.execs })).not.toContain(SECRET);
    // nothing changed
    expect(readFileSync(files.get('agent-1')!.config, 'utf8')).toContain(`K10${OLD}::server:${SECRET}`);
  });

  it('update-token moves every K10<old>:: in place with a backup, keeps the secret and the modes, prints no secret', async () => {
    const p = plan();
    const f = nodeFiles();
    const before = new Map(
      [f.config, f.dropIn, f.tokenFile, f.envFile].map((file) => [file, readFileSync(file, 'utf8')]),
    );
    const ctx = ctxFor(p, keyOf(p, 'agents', 'agent-1', 'token'), new Map([['agent-1', f]]));
    expect(ctx.step.command).toContain('@OLD_TOKEN_CA_HASH@'); // the plan cannot know the hashes
    const r = await runCommandStep(ctx);
    expect(r.status, JSON.stringify(r)).toBe('done');
    if (r.status !== 'done') return;
    expect(r.summary).toContain(`join token moved to K10${NEW.slice(0, 12)}…`);
    for (const [file, text] of before) {
      expect(readFileSync(file, 'utf8'), file).toBe(text.replaceAll(`K10${OLD}::`, `K10${NEW}::`));
      const backups = readdirSync(path.dirname(file)).filter((n) => n.startsWith(`${path.basename(file)}.keyturn-`));
      expect(backups, file).toHaveLength(1);
      expect(readFileSync(path.join(path.dirname(file), backups[0]), 'utf8')).toBe(text);
    }
    expect(statSync(f.dropIn).mode & 0o777).toBe(0o640);
    expect(r.data?.ca?.tokenFiles?.sort()).toEqual([f.config, f.dropIn, f.tokenFile, f.envFile].sort());
    expect(ctx.execs[0].command).toContain(`OLD=${OLD}\nNEW=${NEW}\n`);
    expect(JSON.stringify({ r, execs: ctx.execs })).not.toContain(SECRET);

    // Again (a resumed run): nothing left to move, nothing touched.
    const again = ctxFor(p, keyOf(p, 'agents', 'agent-1', 'token'), new Map([['agent-1', f]]));
    const r2 = await runCommandStep(again);
    expect(r2.status === 'done' && r2.summary).toBe('no secure join token with the old CA hash on this node');
  });

  it('stops when the hashes were never recorded', async () => {
    const p = plan();
    const r = await runCommandStep(
      ctxFor(p, keyOf(p, 'agents', 'agent-1', 'token'), new Map([['agent-1', nodeFiles()]]), false),
    );
    expect(r.status === 'failed' && r.failure.message).toMatch(/recorded no token CA hashes/);
  });

  it('a token in the unit ExecStart stops the gate and the update step, naming the unit and the new hash', async () => {
    const p = plan();
    const f = nodeFiles(`/usr/local/bin/k3s agent --token K10${OLD}::server:${SECRET}`);
    const gate = await runGateCheck(ctxFor(p, keyOf(p, 'prepare', 'etcd-1', 'tokens'), new Map([['agent-2', f]])), {
      check: 'join-tokens',
    });
    expect(gate).toMatchObject({ status: 'fail', node: 'agent-2' });
    expect(gate.detail).toContain('ExecStart of k3s-agent passes a secure token');
    expect(JSON.stringify(gate)).not.toContain(SECRET);
    const step = await runCommandStep(ctxFor(p, keyOf(p, 'agents', 'agent-2', 'token'), new Map([['agent-2', f]])));
    expect(step.status).toBe('failed');
    if (step.status !== 'failed') return;
    expect(step.failure.check).toBe('join-tokens');
    expect(step.failure.fix).toContain(NEW);
    expect(JSON.stringify(step)).not.toContain(SECRET);
  });

  it('a token pinning neither the current nor the new CA stops the gate, naming file, key and the hash to set', async () => {
    const p = plan();
    const f = nodeFiles();
    writeFileSync(f.dropIn, `agent-token: K10${OTHER}::${SECRET}\n`);
    const gate = await runGateCheck(ctxFor(p, keyOf(p, 'prepare', 'etcd-1', 'tokens'), new Map([['cp-2', f]])), {
      check: 'join-tokens',
    });
    expect(gate).toMatchObject({ status: 'fail', node: 'cp-2' });
    expect(gate.detail).toContain(`agent-token in ${f.dropIn} pins CA hash K10${OTHER.slice(0, 12)}…`);
    expect(gate.detail).toContain(OLD);
  });
});

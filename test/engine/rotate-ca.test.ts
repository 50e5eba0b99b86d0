// rotate-ca with fakes: the plan (generate on one server, typed node name for the upload, servers etcd-first then
// agents, CA gates), the on-node openssl script's hygiene, and the CA gate naming a node that kept the old CA.
import { describe, expect, it } from 'vitest';
import { findRecipe } from '../../recipes/index.js';
import { checkCaConsistent } from '../../src/engine/ca/checks.js';
import { renderGenerateCa } from '../../src/engine/ca/script.js';
import type { StepContext } from '../../src/engine/context.js';
import { makeExec } from '../../src/engine/context.js';
import type { ExecRecord, RunEvent } from '../../src/engine/events.js';
import { planRun } from '../../src/engine/plan.js';
import type { Plan } from '../../src/engine/plan-types.js';
import { applyEvent, initialState } from '../../src/engine/reducer.js';
import { Tails } from '../../src/engine/tails.js';
import type { ExecResult } from '../../src/transports/types.js';
import { cluster } from './support/clusters.js';
import { FakeClock } from './support/ports.js';

function plan(): Plan {
  const r = planRun(findRecipe('rotate-ca')!, cluster('split', 'k3s'), { runId: 'run-1' });
  if (!r.ok) throw new Error(r.refusal.reason);
  return r.plan;
}

describe('rotate-ca plan', () => {
  it('generates and uploads on one etcd server with the node name typed, then restarts servers etcd-first, then agents', () => {
    const p = plan();
    const prepare = p.blocks.filter((b) => b.phase === 'prepare');
    expect(prepare.map((b) => [b.node, b.typeName])).toEqual([['etcd-1', true]]);
    const cmds = prepare[0].steps.map((s) => s.command?.split('\n')[0]);
    expect(prepare[0].steps.map((s) => s.stepId)).toEqual(['backup', 'snapshot', 'generate', 'tokens', 'rotate-ca']);
    expect(cmds[4]).toBe('k3s certificate rotate-ca --path /var/lib/rancher/k3s/server/rotate-ca');
    // every node moves its join token to the new CA hash right before its restart
    for (const b of p.blocks.filter((x) => x.phase === 'servers' || x.phase === 'agents')) {
      const ids = b.steps.map((s) => s.stepId);
      expect(ids.indexOf('token'), b.key).toBe(ids.indexOf('restart') - 1);
    }
    expect(p.blocks.filter((b) => b.phase === 'servers').map((b) => b.node)).toEqual([
      'etcd-1',
      'etcd-2',
      'etcd-3',
      'cp-1',
      'cp-2',
    ]);
    expect(p.blocks.filter((b) => b.phase === 'agents').map((b) => b.node)).toEqual(['agent-1', 'agent-2']);
  });

  it('the bundle script runs on the node with set -e and umask 077, quotes paths, and prints no key', () => {
    const p = plan();
    const node = { ...p.nodes[0], dataDir: "/var/lib/it's here" };
    const script = renderGenerateCa(node, `${node.dataDir}/server/rotate-ca`);
    expect(script.startsWith('set -e\numask 077\n')).toBe(true);
    expect(script).toContain(`DIR='/var/lib/it'\\''s here/server/rotate-ca'`);
    for (const line of script.split('\n')) if (/^\s*cat /.test(line)) expect(line, line).toContain(' > ');
    expect(script).not.toMatch(/(echo|printf)[^\n]*\.key\b/);
    expect(script).not.toMatch(/openssl [^\n]*-text/);
  });
});

describe('ca-consistent gate', () => {
  function ctxFor(p: Plan, nodeName: string, onNode: Record<string, string>): StepContext {
    const clock = new FakeClock();
    const created = {
      type: 'run-created' as const,
      at: new Date(clock.now()).toISOString(),
      runId: p.runId,
      plan: p,
      operator: { user: 'u', host: 'h' },
      cluster: { server: null },
    };
    const upload = p.blocks.find((b) => b.phase === 'prepare')!.steps.find((s) => s.stepId === 'rotate-ca')!;
    const finished: RunEvent = {
      type: 'step-finished',
      at: created.at,
      key: upload.key,
      result: {
        status: 'done',
        summary: '',
        execs: [],
        data: { ca: { serverCa: 'a'.repeat(64), tokenHash: `K10${'a'.repeat(64)}` } },
      },
    };
    const state = applyEvent(initialState(created), finished);
    const res = (node: string, script: string, stdout: string): ExecResult => ({
      node,
      script,
      outcome: 'ok',
      code: 0,
      stdout,
      stderr: '',
      durationMs: 1,
    });
    const ports = {
      shell: (node: string) => ({
        node,
        run: async (script: string) => res(node, script, `${onNode[node]}\n`),
        follow: async () => res(node, '', ''),
        dispose: async () => undefined,
      }),
      kube: null,
      clock,
      confirm: null as never,
      journal: null as never,
      log: { emit: () => undefined },
    };
    const step =
      p.blocks.find((b) => b.phase === 'servers' && b.node === nodeName)?.steps.find((s) => s.stepId === 'ca') ??
      p.blocks.find((b) => b.phase === 'agents' && b.node === nodeName)!.steps.find((s) => s.stepId === 'ca')!;
    const execs: ExecRecord[] = [];
    return {
      plan: p,
      state,
      step,
      node: p.nodes.find((n) => n.name === nodeName)!,
      ports,
      signal: new AbortController().signal,
      tails: new Tails(ports.log),
      startedAtMs: clock.now(),
      execs,
      exec: makeExec(ports, new AbortController().signal, execs),
    };
  }

  it('passes when the node holds the new server-ca, and names a server that kept the old one with k3s#11233', async () => {
    const p = plan();
    expect((await checkCaConsistent(ctxFor(p, 'cp-1', { 'cp-1': 'a'.repeat(64) }))).status).toBe('pass');
    const kept = await checkCaConsistent(ctxFor(p, 'cp-2', { 'cp-2': 'b'.repeat(64) }));
    expect(kept).toMatchObject({ status: 'fail', node: 'cp-2' });
    expect(kept.detail).toContain('k3s#11233');
    const agent = await checkCaConsistent(ctxFor(p, 'agent-1', { 'agent-1': 'b'.repeat(64) }));
    expect(agent.status).toBe('fail');
    expect(ctxFor(p, 'agent-1', {}).exec).toBeTypeOf('function');
  });
});

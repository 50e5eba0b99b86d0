import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/engine/events.js';
import { ScriptedConfirm } from './support/ports.js';
import { operator, setup, start } from './support/run.js';
import { createRun, driveRun } from '../../src/engine/driver.js';
import { planRun } from '../../src/engine/plan.js';
import { recoverRestartLoop } from '../../recipes/recover-restart-loop.js';
import { cluster } from './support/clusters.js';
import { FakeCluster } from './support/fake-shell.js';
import { FakeClock, harness } from './support/ports.js';

const finished = (events: RunEvent[]) =>
  events.filter((e): e is Extract<RunEvent, { type: 'step-finished' }> => e.type === 'step-finished');

describe('driveRun: rotate-certs', () => {
  it('rotates a split cluster one server at a time and verifies', async () => {
    const s = await setup('rotate-certs', 'split');
    const state = await start(s);
    expect(state.outcome).toMatchObject({ status: 'succeeded' });
    expect(s.fake.maxServersDownAtOnce()).toBe(1);
    // Per server: stop, rotate, start, in this order, servers in plan order.
    const mutating = s.fake.scripts.filter((x) => /^systemctl (stop|start|restart)|certificate rotate$/.test(x.script));
    expect(mutating.slice(0, 3)).toEqual([
      { node: 'etcd-1', script: 'systemctl stop rke2-server' },
      { node: 'etcd-1', script: 'rke2 certificate rotate' },
      { node: 'etcd-1', script: 'systemctl start rke2-server' },
    ]);
    expect([...new Set(mutating.map((x) => x.node))]).toEqual([
      'etcd-1',
      'etcd-2',
      'etcd-3',
      'cp-1',
      'cp-2',
      'agent-1',
      'agent-2',
    ]);
    expect(s.fake.scripts.some((x) => /systemctl \w+ rke2$/.test(x.script))).toBe(false);
    // Gates probed etcd on every etcd server, each about its own member on its own loopback with its own certs
    // (since k3s#8402 etcd serves HTTP to no peer): never a peer's address, never the unit's state.
    const probes = s.fake.scripts.filter((x) => x.script.includes('kt_etcd_health'));
    expect(new Set(probes.map((x) => x.node))).toEqual(new Set(['etcd-1', 'etcd-2', 'etcd-3']));
    expect(probes[0].script).toContain('KT_ETCD_TLS=/var/lib/rancher/rke2/server/tls/etcd');
    expect(probes.some((x) => /https?:\/\/(?!127\.0\.0\.1)[\d.]+:23/.test(x.script))).toBe(false);
    expect(s.fake.scripts.some((x) => x.script.includes('is-active'))).toBe(false);
    // A gate between servers costs one round trip in time: the etcd probe on every etcd server and one reading of
    // the certificates shared by the certificate checks, all at once; the unit's state is the settle step's last
    // sample, taken just before.
    const gate = finished(s.journal.events).find((e) => e.key === 'rotate-certs/cp-1/servers.gate')!;
    expect(gate.result.status).toBe('done');
    const gateExecs = gate.result.status === 'done' ? gate.result.execs.map((x) => x.command) : [];
    expect(gateExecs).toHaveLength(4);
    expect(
      gate.result.status === 'done' && gate.result.data?.gate?.find((g) => g.check === 'unit-active')?.detail,
    ).toMatch(/active, NRestarts 0 \(the settle step's last sample, 0 ms before\)/);
    expect(gateExecs.filter((c) => c.includes('kt_etcd_gw /v3/cluster/member/list'))).toHaveLength(3);
    // Settle took the default 150 s per server (the fake clock advanced).
    const settle = finished(s.journal.events).find((e) => e.key === 'rotate-certs/etcd-1/servers.settle')!;
    expect(settle.result.status).toBe('done');
    // Backups recorded with their paths.
    const backup = finished(s.journal.events).find((e) => e.key === 'rotate-certs/cp-1/servers.backup')!;
    expect(backup.result.status === 'done' && backup.result.data?.backups).toEqual([
      '/var/lib/rancher/rke2/server/tls.keyturn-run-1',
      '/var/lib/rancher/rke2/agent/certs.keyturn-run-1',
    ]);
    // The verify gate passed on every node.
    const verify = finished(s.journal.events).filter((e) => e.key.endsWith('verify.certs'));
    expect(verify).toHaveLength(7);
    expect(verify.every((e) => e.result.status === 'done')).toBe(true);
  });

  it('streams the node journal while it stops, starts and settles, and ends the tail', async () => {
    const s = await setup('rotate-certs', 'single');
    await start(s);
    expect(s.logs[0]).toEqual({
      type: 'tail-started',
      node: 'server-1',
      unit: 'rke2-server',
      command: 'journalctl -u rke2-server -f -n 0 --no-pager',
    });
    expect(s.logs.some((l) => l.type === 'line')).toBe(true);
    expect(s.logs.filter((l) => l.type === 'tail-stopped')).toHaveLength(1);
  });

  it("a gate reads the unit itself when the settle step's sample is not fresh (e.g. a resumed run)", async () => {
    const s = await setup('rotate-certs', 'single');
    const append = s.ports.journal.append.bind(s.ports.journal);
    // Time passes between the settle step and its gate (keyturn was restarted in between, say).
    s.ports.journal = {
      append: async (e) => (
        await append(e),
        e.type === 'step-finished' && e.key.endsWith('servers.settle') ? void (s.clock.t += 5_000) : undefined
      ),
    };
    const state = await start(s);
    expect(state.outcome.status).toBe('succeeded');
    const gate = finished(s.journal.events).find((e) => e.key === 'rotate-certs/server-1/servers.gate')!;
    const commands = gate.result.status === 'done' ? gate.result.execs.map((x) => x.command) : [];
    expect(commands.filter((c) => c.startsWith('systemctl show -p ActiveState,SubState,NRestarts'))).toHaveLength(1);
    expect(
      gate.result.status === 'done' && gate.result.data?.gate?.find((g) => g.check === 'unit-active')?.detail,
    ).toBe('rke2-server active, NRestarts 0');
  });

  it("a gate's checks run at once (its cost is the slowest round trip), reported in the recipe's order", async () => {
    const s = await setup('rotate-certs', 'split');
    // Every command takes a real moment; count how many of the cp-1 gate's commands are in flight together.
    const shellOf = s.ports.shell;
    let inGate = false;
    let inFlight = 0;
    let most = 0;
    s.ports.shell = (name) => {
      const shell = shellOf(name);
      return {
        ...shell,
        node: shell.node,
        async run(script, options) {
          if (!inGate) return shell.run(script, options);
          most = Math.max(most, ++inFlight);
          await new Promise((r) => setImmediate(r));
          try {
            return await shell.run(script, options);
          } finally {
            inFlight--;
          }
        },
      };
    };
    const append = s.ports.journal.append.bind(s.ports.journal);
    s.ports.journal = {
      append: async (e) => {
        await append(e);
        if (e.type === 'step-started') inGate = e.key === 'rotate-certs/cp-1/servers.gate';
      },
    };
    const state = await start(s);
    expect(state.outcome.status).toBe('succeeded');
    expect(most).toBe(4); // the etcd probe on each of the 3 etcd servers and the certificate reading, together
    const gate = finished(s.journal.events).find((e) => e.key === 'rotate-certs/cp-1/servers.gate')!;
    expect(gate.result.status === 'done' && gate.result.data?.gate?.map((g) => g.check)).toEqual([
      'unit-active',
      'node-ready',
      'etcd-quorum',
      'certs-fresh',
      'cas-unchanged',
    ]);
  });

  it('a failed gate stops the run: which check, which node, the evidence, the fix; nothing after runs', async () => {
    const s = await setup('rotate-certs', 'split', { crashLoop: ['cp-1'] });
    const state = await start(s);
    expect(state.outcome.status).toBe('failed');
    const f = state.outcome.status === 'failed' ? state.outcome.failure : null;
    expect(f).toMatchObject({ node: 'cp-1', check: 'unit-active', key: 'rotate-certs/cp-1/servers.settle' });
    expect(f!.evidence.join('\n')).toContain('authentication handshake failed');
    expect(f!.fix).toContain('recover-restart-loop');
    const after = s.fake.scripts.filter((x) => ['cp-2', 'agent-1', 'agent-2'].includes(x.node));
    expect(after).toEqual([]);
    expect(s.journal.events.at(-1)?.type).toBe('run-failed');
  });

  it('an unhealthy etcd member fails the etcd gate', async () => {
    const s = await setup('rotate-certs', 'ha', { unhealthyEtcd: ['server-3'] });
    const state = await start(s);
    expect(state.outcome.status === 'failed' && state.outcome.failure).toMatchObject({
      node: 'server-1',
      check: 'etcd-quorum',
    });
    expect(state.outcome.status === 'failed' && state.outcome.failure.evidence.join('\n')).toContain('RAFT NO LEADER');
    expect(s.fake.scripts.filter((x) => x.node === 'server-2' && x.script.startsWith('systemctl stop'))).toEqual([]);
  });

  it('skip is recorded; the skipped node is untouched and its checks are skipped, not failed', async () => {
    const confirm = new ScriptedConfirm((req) => (req.node === 'etcd-2' ? { answer: 'skip' } : { answer: 'run' }));
    const s = await setup('rotate-certs', 'split', { confirm });
    const state = await start(s);
    expect(state.outcome.status).toBe('succeeded');
    expect(s.journal.events).toContainEqual(
      expect.objectContaining({
        type: 'block-skipped',
        block: 'rotate-certs/etcd-2/servers',
        reason: 'skipped by the operator',
      }),
    );
    expect(
      s.fake.scripts.filter((x) => x.node === 'etcd-2' && /^systemctl (stop|start)|rotate$/.test(x.script)),
    ).toEqual([]);
    expect(s.journal.events).toContainEqual(
      expect.objectContaining({ type: 'block-skipped', block: 'rotate-certs/etcd-2/verify' }),
    );
  });

  it('quit stops safely between nodes: nothing half done, resumable', async () => {
    const confirm = new ScriptedConfirm((req) => (req.node === 'etcd-3' ? { answer: 'quit' } : { answer: 'run' }));
    const s = await setup('rotate-certs', 'split', { confirm });
    const state = await start(s);
    expect(state.outcome).toMatchObject({ status: 'stopped', reason: 'quit' });
    // etcd-3 was only read (the gates' etcd probe asks every etcd server about its own member), never changed.
    expect(s.fake.scripts.filter((x) => x.node === 'etcd-3' && !x.script.includes('@@keyturn-etcd@@'))).toEqual([]);
    expect(s.fake.transitions.some((t) => t.node === 'etcd-3')).toBe(false);
    expect([...s.fake.nodes.values()].every((n) => n.state === 'active')).toBe(true);
  });

  it('shows the exact commands per node in the confirmation', async () => {
    const s = await setup('rotate-certs', 'single');
    await start(s);
    const req = s.confirm.asked[0];
    expect(req.node).toBe('server-1');
    expect(req.requireTypedName).toBe(false);
    expect(req.steps.map((x) => x.command).filter(Boolean)).toContain('systemctl stop rke2-server');
  });

  it('refuses plan-only recipes', async () => {
    const s = await setup('rotate-ca', 'ha');
    const r = await createRun(s.ports, {
      plan: { ...s.plan, support: 'plan-only' },
      operator,
      cluster: { server: null },
    });
    expect(r.ok).toBe(false);
    expect(s.journal.events).toEqual([]);
  });
});

describe('driveRun: destructive confirmation', () => {
  it('asks again until the node name is typed, then quits after three wrong answers', async () => {
    const s = await setup('rotate-certs', 'single');
    // Make the first block destructive to exercise the typed-name path.
    s.plan.blocks[0].typeName = true;
    let n = 0;
    s.ports.confirm = new ScriptedConfirm(() => ({ answer: 'run', typedName: n++ < 1 ? 'server-9' : 'server-1' }));
    const ok = await start(s);
    expect(ok.outcome.status).toBe('succeeded');
    const asked = (s.ports.confirm as ScriptedConfirm).asked;
    expect(asked[1].retry).toContain('not the node name server-1');

    const s2 = await setup('rotate-certs', 'single');
    s2.plan.blocks[0].typeName = true;
    s2.ports.confirm = new ScriptedConfirm(() => ({ answer: 'run', typedName: 'nope' }));
    const quit = await start(s2);
    expect(quit.outcome).toMatchObject({ status: 'stopped', reason: 'quit' });
    expect(s2.fake.scripts).toEqual([]);
  });
});

describe('driveRun: recover-restart-loop', () => {
  it('stops everything, starts etcd servers one at a time until healthy, then control-plane, then agents', async () => {
    const s = await setup('recover-restart-loop', 'split');
    const state = await start(s);
    expect(state.outcome.status).toBe('succeeded');
    // The cluster shows no restart loop, so even the first node (an agent) is confirmed by typing its name.
    expect(s.confirm.asked[0]).toMatchObject({ node: 'agent-2', requireTypedName: true });
    // RKE2 servers are stopped with rke2-killall.sh (a unit stop leaves the etcd static pod running), agents with
    // systemctl stop; every server block asked for the typed node name.
    const svc = s.fake.scripts
      .filter((x) => /^systemctl (stop|start)/.test(x.script) || x.script.includes('rke2-killall.sh'))
      .map((x) => `${x.node}:${x.script.includes('rke2-killall.sh') ? 'killall' : x.script.split(' ')[1]}`);
    expect(svc).toEqual([
      'agent-2:stop',
      'agent-1:stop',
      'cp-2:killall',
      'cp-1:killall',
      'etcd-3:killall',
      'etcd-2:killall',
      'etcd-1:killall',
      'etcd-1:start',
      'etcd-2:start',
      'etcd-3:start',
      'cp-1:start',
      'cp-2:start',
      'agent-1:start',
      'agent-2:start',
    ]);
    // Servers for rke2-killall.sh; the first node (agent-2) too, since the cluster shows no restart loop.
    const stopAsks = s.confirm.asked.filter((r) => r.block.phase === 'stop');
    expect(stopAsks.filter((r) => r.requireTypedName).map((r) => r.node)).toEqual([
      'agent-2',
      'cp-2',
      'cp-1',
      'etcd-3',
      'etcd-2',
      'etcd-1',
    ]);
    // Each etcd server's member was seen down on the node itself before the next node.
    const down = finished(s.journal.events).filter(
      (e) => e.key.endsWith('/stop.etcd-down') && e.key.includes('/etcd-'),
    );
    expect(down.map((e) => e.result.status === 'done' && e.result.summary)).toEqual(
      Array(3).fill(expect.stringMatching(/^etcd member on etcd-\d stopped/)),
    );
    const gate1 = s.journal.events.find(
      (e) => e.type === 'step-finished' && e.key === 'recover-restart-loop/etcd-1/etcd.gate',
    );
    expect(
      gate1 && gate1.type === 'step-finished' && gate1.result.status === 'done' && gate1.result.data?.gate?.[0].status,
    ).toBe('skipped');
  });

  it('without the killall step the RKE2 etcd members keep running, and the run stops before starting anything', async () => {
    // The recipe as it was: a plain unit stop. The etcd-down wait catches the static pod it leaves running.
    const plainStop = structuredClone(recoverRestartLoop);
    const stop = plainStop.phases[0].steps.find((x) => x.id === 'stop')!;
    if (stop.kind !== 'command') throw new Error('stop is a command');
    stop.run = { op: 'service', action: 'stop' };
    const clock = new FakeClock();
    const r = planRun(plainStop, cluster('split', 'rke2'), { runId: 'run-1', gateTimeoutSeconds: 5 });
    if (!r.ok) throw new Error(r.refusal.reason);
    const fake = new FakeCluster(r.plan, { now: () => clock.now() });
    await fake.init();
    const h = harness(fake, clock);
    const created = await createRun(h.ports, { plan: r.plan, operator, cluster: { server: 'https://fake:6443' } });
    if (!created.ok) throw new Error(created.reason);
    const state = await driveRun(created.state, h.ports, { operator, resumed: false }, new AbortController().signal);
    expect(state.outcome.status === 'failed' && state.outcome.failure).toMatchObject({
      node: 'etcd-3',
      check: 'etcd-member-stopped',
      message: expect.stringContaining('etcd member on etcd-3'),
    });
    expect(fake.scripts.some((x) => x.script.startsWith('systemctl start'))).toBe(false);
  });
});

describe('abort', () => {
  it('an aborted run leaves the step running (resume checks it) and records the interruption', async () => {
    const s = await setup('rotate-certs', 'single');
    const ac = new AbortController();
    s.ports.clock.sleep = async () => {
      ac.abort();
    };
    const state = await start(s, ac.signal);
    expect(state.outcome).toMatchObject({ status: 'stopped', reason: 'interrupted' });
    expect(state.steps['rotate-certs/server-1/servers.settle'].status).toBe('running');
  });
});

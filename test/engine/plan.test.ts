import { describe, expect, it } from 'vitest';
import { RECIPES, findRecipe } from '../../recipes/index.js';
import { planRun } from '../../src/engine/plan.js';
import type { Plan } from '../../src/engine/plan-types.js';
import { renderPlanText } from '../../src/engine/render-plan.js';
import { cluster, node } from './support/clusters.js';

function plan(name: string, c = cluster('split'), opts = {}): Plan {
  const r = planRun(findRecipe(name)!, c, opts);
  if (!r.ok) throw new Error(r.refusal.reason);
  return r.plan;
}

const blockNodes = (p: Plan, phase: string) => p.blocks.filter((b) => b.phase === phase).map((b) => b.node);

describe('planRun order', () => {
  it('split: etcd-only, then control-plane-only, then agents', () => {
    const p = plan('rotate-certs');
    expect(blockNodes(p, 'servers')).toEqual(['etcd-1', 'etcd-2', 'etcd-3', 'cp-1', 'cp-2']);
    expect(blockNodes(p, 'agents')).toEqual(['agent-1', 'agent-2']);
    expect(p.blocks.map((b) => b.phase)).toEqual([
      ...Array(5).fill('servers'),
      ...Array(2).fill('agents'),
      ...Array(7).fill('verify'),
    ]);
  });

  it('large: etcd-only → etcd+cp → cp-only → agents, natural name order', () => {
    const p = plan('rotate-certs', cluster({ large: 12 }));
    expect(p.nodes.map((n) => n.name)).toEqual([
      'etcd-1',
      'etcd-2',
      'etcd-3',
      'server-1',
      'cp-1',
      'cp-2',
      ...Array.from({ length: 12 }, (_, i) => `agent-${i + 1}`),
    ]);
  });

  it('ha: the init node goes first among equals', () => {
    expect(blockNodes(plan('rotate-certs', cluster('ha')), 'servers')).toEqual(['server-1', 'server-2', 'server-3']);
    const ha = cluster('ha');
    ha.nodes = ha.nodes.map((n) => (n.name === 'server-3' ? { ...n, init: true } : n));
    expect(blockNodes(plan('rotate-certs', ha), 'servers')).toEqual(['server-3', 'server-1', 'server-2']);
  });

  it('single: one server, no agents', () => {
    const p = plan('rotate-certs', cluster('single'));
    expect(blockNodes(p, 'servers')).toEqual(['server-1']);
    expect(blockNodes(p, 'agents')).toEqual([]);
  });

  it('recover-restart-loop: stop all (agents first), etcd servers, then cp-only, then agents', () => {
    const p = plan('recover-restart-loop');
    expect(blockNodes(p, 'stop')).toEqual(['agent-2', 'agent-1', 'cp-2', 'cp-1', 'etcd-3', 'etcd-2', 'etcd-1']);
    expect(blockNodes(p, 'etcd')).toEqual(['etcd-1', 'etcd-2', 'etcd-3']);
    expect(blockNodes(p, 'control-plane')).toEqual(['cp-1', 'cp-2']);
    expect(blockNodes(p, 'agents')).toEqual(['agent-1', 'agent-2']);
    expect(p.blocks.filter((b) => b.phase === 'stop').every((b) => !b.rolling)).toBe(true);
  });
});

describe('planRun commands', () => {
  it('rke2: rke2-server / rke2-agent, never `systemctl stop rke2`', () => {
    const p = plan('rotate-certs', cluster('split', 'rke2'));
    const cmds = p.blocks.flatMap((b) => b.steps.map((s) => ({ node: b.node, key: s.key, command: s.command })));
    expect(cmds.find((c) => c.key === 'rotate-certs/etcd-1/servers.stop')?.command).toBe('systemctl stop rke2-server');
    expect(cmds.find((c) => c.key === 'rotate-certs/etcd-1/servers.rotate')?.command).toBe('rke2 certificate rotate');
    expect(cmds.find((c) => c.key === 'rotate-certs/etcd-1/servers.start')?.command).toBe(
      'systemctl start rke2-server',
    );
    expect(cmds.find((c) => c.key === 'rotate-certs/agent-1/agents.stop')?.command).toBe('systemctl stop rke2-agent');
    expect(cmds.find((c) => c.key === 'rotate-certs/agent-1/agents.rotate')?.command).toBe('rke2 certificate rotate');
    const all = cmds.map((c) => c.command ?? '').join('\n');
    expect(all).not.toMatch(/systemctl \S+ rke2(\s|$)/);
    expect(all).not.toContain('k3s');
  });

  it('k3s: k3s / k3s-agent units, k3s binary', () => {
    const p = plan('rotate-certs', cluster('ha', 'k3s'));
    const s = p.blocks.find((b) => b.node === 'server-1' && b.phase === 'servers')!;
    expect(s.steps.map((x) => x.command)).toEqual([
      expect.stringContaining('/var/lib/rancher/k3s/server/tls.keyturn-<run-id>'),
      'systemctl stop k3s',
      'k3s certificate rotate',
      'systemctl start k3s',
      null,
      null,
    ]);
    const a = p.blocks.find((b) => b.node === 'agent-1' && b.phase === 'agents')!;
    expect(a.steps.map((x) => x.command).slice(1, 4)).toEqual([
      'systemctl stop k3s-agent',
      'k3s certificate rotate',
      'systemctl start k3s-agent',
    ]);
    expect(a.steps[2].check).toBe('ls -1d /var/lib/rancher/k3s/agent/tls-* 2>/dev/null || true');
    expect(s.steps.map((x) => x.key)).toEqual(
      ['backup', 'stop', 'rotate', 'start', 'settle', 'gate'].map((id) => `rotate-certs/server-1/servers.${id}`),
    );
  });

  it('quotes data dirs from the inventory and names backups by run id', () => {
    const p = plan('rotate-certs', cluster('single'), {
      runId: 'r1',
      nodeFacts: { 'server-1': { dataDir: '/srv/my data/rke2' } },
    });
    const backup = p.blocks[0].steps[0].command!;
    expect(backup).toContain(`'/srv/my data/rke2/server/tls'/.`);
    expect(backup).toContain(`'/srv/my data/rke2/server/tls.keyturn-r1'`);
    expect(p.blocks[0].steps[2].check).toBe(`ls -1d '/srv/my data/rke2/server'/tls-* 2>/dev/null || true`);
  });

  it('settle defaults to 150 s and is configurable', () => {
    expect(plan('rotate-certs').settleSeconds).toBe(150);
    const p = plan('rotate-certs', cluster('split'), { settleSeconds: 45 });
    expect(p.blocks[0].steps.find((s) => s.kind === 'settle')?.detail).toContain('45s');
  });

  it('rotate-ca: destructive step makes the operator type the node name', () => {
    const p = plan('rotate-ca', cluster('ha'));
    const prep = p.blocks.find((b) => b.phase === 'prepare')!;
    expect(prep.node).toBe('server-1');
    expect(prep.typeName).toBe(true);
    expect(prep.steps.find((s) => s.stepId === 'rotate-ca')?.command).toBe(
      'rke2 certificate rotate-ca --path /var/lib/rancher/rke2/server/rotate-ca',
    );
    expect(p.support).toBe('full');
  });

  it('every recipe plans on every topology (or refuses with a value)', () => {
    for (const r of RECIPES) {
      for (const t of ['split', 'ha', 'single', { large: 3 }] as const) {
        const res = planRun(r, cluster(t));
        expect(res.ok, `${r.name} on ${JSON.stringify(t)}`).toBe(true);
        if (res.ok) expect(JSON.parse(JSON.stringify(res.plan))).toEqual(res.plan);
      }
    }
  });
});

describe('planRun refusals', () => {
  it('refuses a cluster without a reachable etcd server', () => {
    const c = cluster('split');
    for (const n of c.nodes) if (n.roles.includes('etcd')) n.reachable = false;
    const r = planRun(findRecipe('rotate-certs')!, c);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.refusal.reason).toContain('no reachable etcd server');
  });

  it('plans the classic encryption flow on a version without a safe rotate-keys', () => {
    const c = cluster('ha', 'k3s');
    for (const n of c.nodes) n.version = 'v1.29.12+k3s1';
    const r = planRun(findRecipe('rotate-encryption-keys')!, c);
    expect(r.ok && r.plan.flow).toBe('classic');
  });

  it('renew-expired-certs rotates explicitly only on releases without startup renewal', () => {
    const old = cluster('single', 'k3s');
    old.nodes[0].version = 'v1.18.8+k3s1';
    const withRotate = planRun(findRecipe('renew-expired-certs')!, old);
    const modern = planRun(findRecipe('renew-expired-certs')!, cluster('single', 'k3s'));
    const has = (r: typeof modern) =>
      r.ok && r.plan.blocks.some((b) => b.steps.some((s) => s.command === 'k3s certificate rotate'));
    expect(has(withRotate)).toBe(true);
    expect(has(modern)).toBe(false);
  });

  it('recipes that need every server refuse when a control-plane server is unreachable; rotate-certs warns', () => {
    const c = cluster('split');
    c.nodes = c.nodes.map((n) => (n.name === 'cp-2' ? { ...n, reachable: false } : n));
    for (const name of ['rotate-encryption-keys', 'rotate-ca']) {
      const r = planRun(findRecipe(name)!, c, { runId: 'r' });
      expect(r.ok).toBe(false);
      if (!r.ok)
        expect(r.refusal.reason).toMatch(
          new RegExp(`server\\(s\\) cp-2 not reachable, and ${name} needs every server: `),
        );
    }
    const certs = plan('rotate-certs', c);
    expect(certs.nodes.map((n) => n.name)).not.toContain('cp-2');
    expect(certs.warnings.join()).toContain('cp-2');
  });

  it('leaves unreachable agents out with a warning', () => {
    const c = cluster('split');
    c.nodes.push(node('agent-9', ['worker'], 'rke2', 9, { reachable: false }));
    const p = plan('rotate-certs', c);
    expect(p.nodes.map((n) => n.name)).not.toContain('agent-9');
    expect(p.warnings.join()).toContain('agent-9');
  });
});

describe('renderPlanText', () => {
  it('shows per node the exact commands and how it is confirmed', () => {
    const text = renderPlanText(plan('rotate-certs', cluster('split', 'k3s')));
    expect(text).toContain('-- etcd-1 [k3s, /var/lib/rancher/k3s] (confirm y/s/q)');
    expect(text).toContain('$ systemctl stop k3s');
    expect(text).toContain('$ k3s certificate rotate');
    expect(text).toContain('$ systemctl stop k3s-agent');
    expect(text).toContain('Settle time per server: 150s');
    expect(text.indexOf('-- etcd-3')).toBeLessThan(text.indexOf('-- cp-1'));
  });
});

describe('settle windows', () => {
  it("lets an explicit --settle shorten every window, agents included, but never lengthen a recipe's shorter one", async () => {
    const { settleSecondsOf } = await import('../../src/engine/describe.js');
    const agent = { id: 'settle', kind: 'settle' as const, title: 'Watch', seconds: 30 };
    const server = { id: 'settle', kind: 'settle' as const, title: 'Watch' };
    expect(settleSecondsOf(agent, 150)).toBe(30);
    expect(settleSecondsOf(agent, 2)).toBe(2);
    expect(settleSecondsOf(server, 2)).toBe(2);
    expect(settleSecondsOf(server, 150)).toBe(150);
  });
});

describe('whole-cluster recipes say when the scan does not show their situation', () => {
  const expiredLeaf = {
    path: 'server/tls/client-admin.crt',
    subject: 'CN=system:admin',
    issuer: 'CN=k3s-client-ca',
    notAfter: '2026-01-01T00:00:00Z',
    daysLeft: -3,
    status: 'expired' as const,
    isCA: false,
    sha256: 'ab',
  };
  const loop = {
    code: 'restart-loop',
    message: 'restarting every 5 s',
    evidence: 'NRestarts=12',
    recipe: 'recover-restart-loop',
  };
  const planned = (name: string, report = cluster('split')) => {
    const r = planRun(findRecipe(name)!, report);
    if (!r.ok) throw new Error(r.refusal.reason);
    return r.plan;
  };
  const firstAsked = (p: ReturnType<typeof planned>) => p.blocks.find((b) => b.confirm === 'per-node')!;

  it('renew-expired-certs with nothing expired: the warning comes first and the first node is confirmed by its name', () => {
    const p = planned('renew-expired-certs');
    expect(p.warnings[0]).toMatch(
      /^no expired certificate found on any node, and renew-expired-certs takes EVERY node down/,
    );
    expect(firstAsked(p).typeName).toBe(true);
    expect(renderPlanText(p)).toContain('! no expired certificate found');
  });

  it('renew-expired-certs with an expired leaf: no warning', () => {
    const report = cluster('split');
    report.nodes[0].certificates = [expiredLeaf];
    const p = planned('renew-expired-certs', report);
    expect(p.warnings.filter((w) => w.includes('EVERY node'))).toEqual([]);
  });

  it('recover-restart-loop on a healthy cluster warns; with a diagnosis that names it, it does not', () => {
    const healthy = planned('recover-restart-loop');
    expect(healthy.warnings[0]).toMatch(
      /^no restart loop detected on any node, and recover-restart-loop takes EVERY node down/,
    );
    expect(firstAsked(healthy).typeName).toBe(true);
    const report = cluster('split');
    report.nodes[1].diagnoses = [loop];
    const looping = planned('recover-restart-loop', report);
    expect(looping.warnings.filter((w) => w.includes('EVERY node'))).toEqual([]);
  });

  it('the plan header says when nodes go down together, instead of "one server at a time"', () => {
    expect(renderPlanText(planned('recover-restart-loop'))).toMatch(
      /This recipe takes nodes down together on purpose \("Stop every node/,
    );
    expect(renderPlanText(planned('rotate-certs'))).toContain(
      'One server is disrupted at a time; a failed gate stops the run.',
    );
  });
});

describe('stopping a node so its etcd member really stops (killall op)', () => {
  const stopBlock = (p: Plan, node: string) => p.blocks.find((b) => b.phase === 'stop' && b.node === node)!;

  for (const recipe of ['recover-restart-loop', 'renew-expired-certs']) {
    it(`${recipe} on rke2: servers run rke2-killall.sh (found on PATH, /usr/local/bin, /opt/rke2/bin, /usr/bin), typed name, backup first`, () => {
      const p = plan(recipe, cluster('split', 'rke2'));
      const etcd = stopBlock(p, 'etcd-1');
      expect(etcd.typeName).toBe(true);
      expect(etcd.steps.map((s) => s.stepId)).toEqual(['backup', 'stop', 'etcd-down']);
      const stop = etcd.steps[1];
      expect(stop.destructive).toBe(true);
      expect(stop.command).toContain('command -v rke2-killall.sh');
      expect(stop.command).toContain(
        '/usr/local/bin/rke2-killall.sh /opt/rke2/bin/rke2-killall.sh /usr/bin/rke2-killall.sh',
      );
      expect(stop.command).toContain('RKE2_DATA_DIR=/var/lib/rancher/rke2 "$k"');
      expect(stop.command).not.toMatch(/^systemctl stop/);
      const agent = stopBlock(p, 'agent-1');
      expect(agent.typeName).toBe(false);
      expect(agent.steps[1].command).toBe('systemctl stop rke2-agent');
      const text = renderPlanText(p);
      expect(text).toContain(
        'systemctl stop rke2-server would leave the etcd and kube-apiserver static pods running (KillMode=process): rke2-killall.sh stops the unit and kills every container on etcd-1, workloads included',
      );
      expect(text).toContain('-- etcd-1 [rke2-server, /var/lib/rancher/rke2] (confirm by typing the node name)');
      expect(text).toContain('[destructive: type the node name]');
    });

    it(`${recipe} on k3s: systemctl stop k3s stops etcd with the process; no typed name`, () => {
      const p = plan(recipe, cluster('split', 'k3s'));
      const etcd = stopBlock(p, 'etcd-1');
      expect(etcd.typeName).toBe(false);
      expect(etcd.steps[1].command).toBe('systemctl stop k3s');
      expect(renderPlanText(p)).toContain(
        'systemctl stop k3s stops the embedded etcd and apiserver with the k3s process',
      );
    });
  }
});

// Agents on releases before k3s#9785's fix (April 2024: v1.29.4, v1.28.9, v1.27.13; all of 1.30): `<prog>
// certificate rotate` fails there with upstream's message, so rotate-certs renews those agents by the restart alone
// (an agent fetches new certificates on every start) and still proves every leaf fresh.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { findRecipe } from '../../recipes/index.js';
import { planRun } from '../../src/engine/plan.js';
import { agentCertificateRotateWorks } from '../../lab/upstream-versions.js';
import { startLab, type LabHandle } from '../support/lab.js';
import { cluster } from './support/clusters.js';
import { driveLab } from './support/lab-drive.js';

describe('the first fixed release per minor', () => {
  it('k3s and rke2 agents rotate from v1.29.4, v1.28.9, v1.27.13 and every 1.30; never on 1.26', () => {
    const works = [
      'v1.29.4+k3s1',
      'v1.28.9+k3s1',
      'v1.27.13+k3s1',
      'v1.30.0+k3s1',
      'v1.29.4+rke2r1',
      'v1.28.9+rke2r1',
      'v1.27.13+rke2r1',
      'v1.33.1+rke2r1',
    ];
    const fails = [
      'v1.29.3+k3s1',
      'v1.28.8+k3s1',
      'v1.27.12+k3s1',
      'v1.26.15+k3s1',
      'v1.29.3+rke2r1',
      'v1.28.8+rke2r1',
      'v1.26.15+rke2r1',
      'v1.24.17+k3s1',
    ];
    expect(works.filter((v) => !agentCertificateRotateWorks(v))).toEqual([]);
    expect(fails.filter((v) => agentCertificateRotateWorks(v))).toEqual([]);
  });

  it('rotate-certs plans no agent rotate below v1.29.4 (restart only), and one from v1.29.4', () => {
    for (const [version, rotates] of [
      ['v1.29.3+k3s1', false],
      ['v1.28.8+k3s1', false],
      ['v1.29.4+k3s1', true],
      ['v1.32.5+k3s1', true],
    ] as const) {
      const c = cluster('split', 'k3s');
      c.cluster.version = version;
      for (const n of c.nodes) n.version = version;
      const r = planRun(findRecipe('rotate-certs')!, c);
      if (!r.ok) throw new Error(r.refusal.reason);
      const agent = r.plan.blocks.find((b) => b.phase === 'agents')!;
      expect(
        agent.steps
          .map((s) => s.command)
          .filter(Boolean)
          .slice(1),
        version,
      ).toEqual(
        rotates
          ? ['systemctl stop k3s-agent', 'k3s certificate rotate', 'systemctl start k3s-agent']
          : ['systemctl stop k3s-agent', 'systemctl start k3s-agent'],
      );
      // Servers always rotate.
      expect(
        r.plan.blocks.find((b) => b.phase === 'servers')!.steps.some((s) => s.command === 'k3s certificate rotate'),
      ).toBe(true);
    }
  });
});

describe('a k3s v1.29.3 lab (split)', () => {
  let lab: LabHandle | undefined;
  afterEach(async () => {
    await lab?.stop();
    lab = undefined;
  });

  it('an agent refuses `certificate rotate` as upstream did; rotate-certs renews every agent leaf by restart', async () => {
    lab = await startLab({ topology: 'split', distro: 'k3s', version: 'v1.29.3+k3s1', etcd: 'emulated', speed: 30 });
    const agentDir = lab.nodes.find((n) => n.name === 'agent-1')!.dataDir;
    const refused = await lab.run('agent-1', 'k3s certificate rotate');
    expect(refused.code).toBe(1);
    // Upstream's own line (k3s#9785, v1.29.3+k3s1), with the lab node's data dir for /var/lib/rancher/k3s.
    const upstream = /FATA\[0000\] (.+?)\s*$/m.exec(
      readFileSync(
        new URL('../fixtures/upstream/k3s-certificate-rotate-agent-fails-v1.29.3.txt', import.meta.url),
        'utf8',
      ),
    )![1];
    expect(refused.stderr).toContain(`level=fatal msg="${upstream.replace('/var/lib/rancher/k3s', agentDir)}"`);

    const { state } = await driveLab(lab, 'rotate-certs', 'old-agents');
    expect(state.outcome.status).toBe('succeeded');
    const rotates = (await lab.record()).filter(
      (e) => e.type === 'command' && e.prog === 'k3s' && e.argv[0] === 'certificate',
    );
    expect(
      rotates.filter((e) => 'node' in e && e.node?.startsWith('agent')).map((e) => ('code' in e ? e.code : null)),
    ).toEqual([1]);
    for (const a of ['agent-1', 'agent-2']) {
      const gate = state.steps[`rotate-certs/${a}/agents.gate`].result;
      expect(gate?.status === 'done' && gate.data?.gate?.find((g) => g.check === 'certs-fresh')?.status, a).toBe(
        'pass',
      );
    }
  }, 240_000);
});

// A fault injected before the third node: the run stops at that node's gate with the failure panel (check, node,
// evidence, fix), and nothing after it runs — the lab's record shows no command on any later node.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveBinaries } from '../support/binaries.js';
import { startLab, type LabHandle } from '../support/lab.js';
import { TmuxDriver, exitedWith } from './run-tmux.js';

const ok = haveBinaries('tmux');

describe.skipIf(!ok)('keyturn run stops at a failed gate (split rke2)', () => {
  let lab: LabHandle;
  const t = new TmuxDriver();
  beforeAll(async () => {
    lab = await startLab({ topology: 'split', distro: 'rke2', speed: 30 });
    await t.setup();
  }, 120_000);
  afterAll(async () => {
    await t.teardown();
    await lab?.stop();
  });

  it('an etcd server stopped behind its back fails the next etcd gate; later nodes are never touched', async () => {
    await t.start('run', lab, ['run', 'rotate-certs', '--settle', '1', '--gate-timeout', '15']);
    await t.waitFor('run', 'the plan preview', (s) => s.includes('Press enter to start'), 90_000);
    await t.send('run', 'Enter');
    let injectedAt = '';
    const { screen } = await t.answerAll('run', (s) => s.includes('press q to exit') || exitedWith(s) !== null, {
      // The gate retries until --gate-timeout (15 s) before it gives up.
      timeoutMs: 330_000,
      beforeNode: async (node) => {
        if (node === 'etcd-3') {
          injectedAt = new Date().toISOString();
          // `systemctl stop rke2-server` would leave its etcd static pod running: the killall script stops it.
          const r = await lab.run('etcd-1', 'rke2-killall.sh');
          expect(r.code).toBe(0);
        }
        return 'answer';
      },
    });
    expect(injectedAt).not.toBe('');
    expect(screen).toContain('✗ Stopped: check etcd-quorum failed on etcd-3');
    expect(screen).toMatch(/etcd-quorum failed on etcd-3: .*(unhealthy|answered)/);
    expect(screen).toContain('evidence');
    expect(screen).toMatch(/What to do: .*keyturn resume/);
    expect(screen).toContain('✗ etcd-3 · Healthy before the next server · failed: etcd-quorum');
    expect(screen).not.toMatch(/These steps will run on cp-1/);
    await t.send('run', 'q');
    const end = await t.waitFor('run', 'keyturn to exit', (s) => exitedWith(s) !== null);
    expect(exitedWith(end)).toBe(1);
    expect(end).toMatch(/✗ stopped at etcd-3: etcd-quorum — /);

    const later = new Set(lab.nodes.filter((n) => !n.roles.includes('etcd')).map((n) => n.name));
    const touched = (await lab.record()).filter(
      (e) => e.t >= injectedAt && 'node' in e && e.node !== undefined && later.has(e.node),
    );
    expect(touched).toEqual([]);
  }, 420_000);
});

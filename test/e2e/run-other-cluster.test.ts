// Two clusters whose nodes have the same names (etcd-1…, as in many real estates), one state dir. A run quit
// halfway on cluster A is not offered by the wizard on cluster B, and `keyturn resume` pointed at B refuses in one
// line naming both clusters — nothing runs on B. Pointed at A, the dashboard offers it and the report names A.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveBinaries } from '../support/binaries.js';
import { startLab, type LabHandle } from '../support/lab.js';
import { TmuxDriver, auditRecord, exitedWith, runState } from './run-tmux.js';

const ok = haveBinaries('tmux');

describe.skipIf(!ok)('a run belongs to its cluster', () => {
  let a: LabHandle;
  let b: LabHandle;
  const t = new TmuxDriver();
  beforeAll(async () => {
    [a, b] = await Promise.all([
      startLab({ topology: 'split', etcd: 'emulated', speed: 60 }),
      startLab({ topology: 'split', etcd: 'emulated', speed: 60 }),
    ]);
    await t.setup();
  }, 120_000);
  afterAll(async () => {
    await t.teardown();
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('quit on A at etcd-2; B neither offers nor resumes it; A does, and the report names A', async () => {
    expect(a.nodes.map((n) => n.name)).toEqual(b.nodes.map((n) => n.name));
    await t.start('run', a, ['run', 'rotate-certs', '--settle', '1']);
    await t.waitFor('run', 'the plan preview', (s) => s.includes('Press enter to start'), 90_000);
    await t.send('run', 'Enter');
    await t.answerAll('run', () => false, { beforeNode: async (node) => (node === 'etcd-2' ? 'stop' : 'answer') });
    await t.send('run', 'q');
    const quit = await t.waitFor('run', 'the run to stop', (s) => exitedWith(s) !== null);
    expect(exitedWith(quit)).toBe(1);
    const runId = /keyturn report (\S+)/.exec(quit)?.[1] ?? null;
    expect((await runState(t, runId)).cluster.caFingerprints?.length).toBeGreaterThan(0);

    const since = new Date().toISOString();
    await t.start('resume-b', b, ['resume']);
    const refused = await t.waitFor('resume-b', 'the refusal', (s) => exitedWith(s) !== null, 90_000);
    expect(exitedWith(refused)).toBe(1);
    const serverOf = (lab: LabHandle) => /server: (\S+)/.exec(readFileSync(lab.kubeconfig, 'utf8'))![1];
    expect(refused).toContain(`refusing to continue ${runId}: it was started on ${serverOf(a)}`);
    expect(refused).toContain(`and this is ${serverOf(b)}`);
    expect(
      (await b.record()).filter(
        (e) =>
          e.t >= since &&
          e.type === 'command' &&
          e.prog === 'systemctl' &&
          e.argv[0] !== 'show' &&
          e.argv[0] !== 'is-active',
      ),
    ).toEqual([]);

    await t.start('wizard-b', b, []);
    const dashB = await t.waitFor('wizard-b', 'the dashboard of B', (s) => s.includes('Earliest leaf expiry'), 90_000);
    expect(dashB).not.toContain('did not finish');
    await t.send('wizard-b', 'q');
    await t.waitFor('wizard-b', 'the wizard to exit', (s) => exitedWith(s) !== null);

    await t.start('wizard-a', a, []);
    await t.waitFor(
      'wizard-a',
      'the dashboard of A with the offer',
      (s) => s.includes('An earlier rotate-certs run did not finish'),
      90_000,
    );
    await t.send('wizard-a', 'q');
    await t.waitFor('wizard-a', 'the wizard to exit', (s) => exitedWith(s) !== null);

    const { markdown } = await auditRecord(t.stateDir, runId!);
    expect(markdown).toContain(`- **Cluster:** ${serverOf(a)} (server CA `);
  }, 300_000);
});

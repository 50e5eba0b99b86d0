// An operator quits a run halfway (q at a node's question); later the wizard opens on the dashboard with the
// unfinished run offered, `c` continues it in the same wizard, only the node that was left is asked and changed,
// and back on the dashboard the offer is gone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveBinaries } from '../support/binaries.js';
import { startLab, type LabHandle } from '../support/lab.js';
import { TmuxDriver, askedNode, exitedWith } from './run-tmux.js';

const ok = haveBinaries('tmux');

describe.skipIf(!ok)('the wizard offers an interrupted run and continues it (single rke2)', () => {
  let lab: LabHandle;
  const t = new TmuxDriver();
  beforeAll(async () => {
    lab = await startLab({ topology: 'single', distro: 'rke2', speed: 30 });
    await t.setup();
  }, 120_000);
  afterAll(async () => {
    await t.teardown();
    await lab?.stop();
  });

  it('q at agent-1, then the dashboard offers the run; c finishes it without touching server-1 again', async () => {
    const since = new Date().toISOString();
    await t.start('run', lab, ['run', 'rotate-certs', '--settle', '1']);
    await t.waitFor('run', 'the plan preview', (s) => s.includes('Press enter to start'), 90_000);
    await t.send('run', 'Enter');
    await t.answerAll('run', () => false, { beforeNode: async (node) => (node === 'agent-1' ? 'stop' : 'answer') });
    await t.send('run', 'q');
    const quit = await t.waitFor('run', 'the run to stop', (s) => exitedWith(s) !== null);
    expect(exitedWith(quit)).toBe(1);

    await t.start('wizard', lab, []);
    const offer = await t.waitFor(
      'wizard',
      'the dashboard with the offer',
      (s) => s.includes('An earlier rotate-certs run did not finish') && s.includes('Earliest leaf expiry'),
      90_000,
    );
    expect(offer).toMatch(/stopped \(quit\) · \d+ of \d+ steps done/);
    expect(offer).toContain('c continue the interrupted run');
    await t.send('wizard', 'c');
    const { screen, asked } = await t.answerAll('wizard', (s) => s.includes('press q to exit'));
    expect(asked).toEqual(['agent-1']);
    expect(screen).toContain('rotate-certs succeeded on every node');
    await t.send('wizard', 'q');
    const back = await t.waitFor(
      'wizard',
      'the dashboard without the offer',
      (s) => s.includes('Earliest leaf expiry') && !s.includes('did not finish') && askedNode(s) === null,
    );
    expect(back).not.toContain('continue the interrupted run');
    await t.send('wizard', 'q');
    expect(exitedWith(await t.waitFor('wizard', 'the wizard to exit', (s) => exitedWith(s) !== null))).toBe(0);

    const record = (await lab.record()).filter((e) => e.t >= since && e.type === 'command');
    const stops = (node: string) =>
      record.filter((e) => e.type === 'command' && e.node === node && e.prog === 'systemctl' && e.argv[0] === 'stop')
        .length;
    expect({ server: stops('server-1'), agent: stops('agent-1') }).toEqual({ server: 1, agent: 1 });
  }, 300_000);
});

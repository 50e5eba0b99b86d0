// keyturn SIGKILLed in the middle of a node, then `keyturn resume` finishes the run: the journal shows every step
// finished exactly once, and the lab's record shows no finished step (stop/start) repeated and none skipped.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { foldEvents } from '../../src/engine/reducer.js';
import { readJournal } from '../../src/journal/index.js';
import { haveBinaries } from '../support/binaries.js';
import { startLab, type LabHandle } from '../support/lab.js';
import { TmuxDriver, exitedWith } from './run-tmux.js';

const ok = haveBinaries('tmux');

describe.skipIf(!ok)('keyturn killed mid-node, then resumed (split rke2)', () => {
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

  it('SIGKILL after etcd-2 went down; resume re-asks for etcd-2, checks the step in flight and finishes', async () => {
    const since = new Date().toISOString();
    await t.start('run', lab, ['run', 'rotate-certs', '--settle', '1']);
    await t.waitFor('run', 'the plan preview', (s) => s.includes('Press enter to start'), 90_000);
    await t.send('run', 'Enter');
    await t.answerAll('run', (s) => s.includes('✓ etcd-2 · Stop the service'), { timeoutMs: 120_000 });
    const tree = await t.keyturnTree('run');
    process.kill(tree.pid, 'SIGKILL');
    for (const pid of tree.descendants) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    expect(exitedWith(await t.waitFor('run', 'keyturn to die', (s) => exitedWith(s) !== null))).toBe(137);

    await t.start('resume', lab, ['resume']);
    let sawResumed = false;
    const { screen } = await t.answerAll('resume', (s) => s.includes('press q to exit') || exitedWith(s) !== null, {
      beforeNode: async (node) => {
        if (node === 'etcd-2') sawResumed = (await t.screen('resume')).includes('ran in an earlier session');
        return 'answer';
      },
    });
    expect(screen).toContain('rotate-certs succeeded on every node');
    expect(sawResumed).toBe(true);
    await t.send('resume', 'q');
    expect(exitedWith(await t.waitFor('resume', 'keyturn to exit', (s) => exitedWith(s) !== null))).toBe(0);

    const [file] = (await readdir(path.join(t.stateDir, 'runs'))).filter((f) => f.endsWith('.jsonl'));
    const { events } = await readJournal(t.stateDir, path.basename(file, '.jsonl'));
    const state = foldEvents(events)!;
    expect(state.outcome.status).toBe('succeeded');
    expect(state.sessions).toBe(2);
    const finished = new Map<string, number>();
    for (const e of events) if (e.type === 'step-finished') finished.set(e.key, (finished.get(e.key) ?? 0) + 1);
    expect([...finished.entries()].filter(([, n]) => n > 1)).toEqual([]);
    expect(
      Object.entries(state.steps)
        .filter(([, s]) => s.status !== 'done')
        .map(([k]) => k),
    ).toEqual([]);

    const record = (await lab.record()).filter((e) => e.t >= since && e.type === 'command');
    for (const n of lab.nodes) {
      const count = (prog: string, arg: string) =>
        record.filter((e) => e.type === 'command' && e.node === n.name && e.prog === prog && e.argv[0] === arg).length;
      expect({ node: n.name, stop: count('systemctl', 'stop'), start: count('systemctl', 'start') }).toEqual({
        node: n.name,
        stop: 1,
        start: 1,
      });
      const rotates = count('rke2', 'certificate');
      if (n.name === 'etcd-2') expect(rotates).toBeGreaterThanOrEqual(1);
      else expect(rotates).toBe(1);
    }
  }, 420_000);
});

// `keyturn run rotate-certs --agent-wave 2` in tmux on a lab with four agents: one question per wave listing its
// nodes, the wave's tails in one pane prefixed by node; SIGKILL in the middle of a wave, then `keyturn resume`
// continues that wave node by node — the lab's record shows no agent stopped or started twice and none left out,
// and never two servers down at once. A wave whose gate fails on two agents names both.
import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { promisify } from 'node:util';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { foldEvents } from '../../src/engine/reducer.js';
import { readJournal } from '../../src/journal/index.js';
import { haveBinaries } from '../support/binaries.js';
import { startLab, type LabHandle } from '../support/lab.js';
import { cliArgs } from '../support/paths.js';
import { TmuxDriver, exitedWith, maxServersDown, serverNames } from './run-tmux.js';

const ok = haveBinaries('tmux');

async function journalOf(t: TmuxDriver) {
  const [file] = (await readdir(path.join(t.stateDir, 'runs'))).filter((f) => f.endsWith('.jsonl'));
  return (await readJournal(t.stateDir, path.basename(file, '.jsonl'))).events;
}

describe.skipIf(!ok)('agents in waves (large:7 rke2: 3 servers, 4 agents)', () => {
  let lab: LabHandle;
  const t = new TmuxDriver();
  beforeAll(async () => {
    lab = await startLab({ topology: 'large:7', distro: 'rke2', speed: 30 });
    await t.setup();
  }, 120_000);
  afterAll(async () => {
    await t.teardown();
    await lab?.stop();
  });

  it('keyturn plan --agent-wave shows the waves and the no-drain line; a bad value is one usage line, exit 2', async () => {
    const run = (wave: string) =>
      promisify(execFile)(
        process.execPath,
        [
          ...cliArgs,
          'plan',
          'rotate-certs',
          '--agent-wave',
          wave,
          '--kubeconfig',
          lab.kubeconfig,
          '--inventory',
          lab.inventory,
        ],
        { env: { ...process.env, KEYTURN_STATE_DIR: t.stateDir, KEYTURN_CONFIG_DIR: t.configDir } },
      ).then(
        (r) => ({ code: 0, ...r }),
        (e: { code: number; stdout: string; stderr: string }) => e,
      );
    const plan = await run('50%');
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('Agents in waves of at most 2 (2 waves)');
    expect(plan.stdout).toContain('== wave 1 of 2 (agents): agent-1, agent-2');
    expect(plan.stdout).toMatch(/Workloads keep running through an agent restart \(no drain\)/);
    expect(plan.stdout).toMatch(/keyturn run rotate-certs --agent-wave 50%/); // the suggested command runs the plan shown
    for (const bad of ['0', '-1', 'abc', '150%']) {
      const r = await run(bad);
      expect(r.code, bad).toBe(2);
      expect(r.stderr.trim().split('\n'), bad).toHaveLength(1);
      expect(r.stderr).toContain(`--agent-wave ${bad}:`);
      expect(r.stderr).toContain('e.g. --agent-wave 10 or --agent-wave 10%');
    }
  }, 120_000);

  it('asks once per wave, merges its tails; killed mid-wave, resume goes on node by node without repeats', async () => {
    const since = new Date().toISOString();
    await t.start('run', lab, ['run', 'rotate-certs', '--settle', '1', '--agent-wave', '2']);
    const preview = await t.waitFor('run', 'the plan preview', (s) => s.includes('Press enter to start'), 90_000);
    expect(preview).toContain('Agents in waves of at most 2 (2 waves)');
    await t.send('run', 'Enter');
    let waveQuestion = '';
    await t.answerAll('run', (s) => s.includes('(lines prefixed by node)') && /✓ agent-\d · Stop the agent/.test(s), {
      timeoutMs: 180_000,
      beforeNode: async (node) => {
        if (node.startsWith('wave')) waveQuestion = await t.screen('run');
        return 'answer';
      },
    });
    expect(waveQuestion).toMatch(/Wave 1 of 2: 2 nodes stopped, changed and started together: agent-1, agent-2/);
    expect(waveQuestion).toContain('s skip these nodes');
    const tree = await t.keyturnTree('run');
    for (const pid of [tree.pid, ...tree.descendants]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    expect(exitedWith(await t.waitFor('run', 'keyturn to die', (s) => exitedWith(s) !== null))).toBe(137);
    const killed = foldEvents(await journalOf(t))!;
    expect(killed.waves?.['rotate-certs/agents/wave-1']?.confirmedAt).toHaveLength(1);
    expect(killed.waves?.['rotate-certs/agents/wave-1']?.failed).toBeNull(); // killed before its verdict

    await t.start('resume', lab, ['resume']);
    const { screen, asked } = await t.answerAll(
      'resume',
      (s) => s.includes('press q to exit') || exitedWith(s) !== null,
      { timeoutMs: 180_000 },
    );
    expect(screen).toContain('rotate-certs succeeded on every node');
    // The interrupted wave went on node by node; the next wave was asked as a wave.
    expect(asked.filter((n) => n.startsWith('wave'))).toEqual(['wave 2 of 2']);
    expect(asked.filter((n) => n === 'agent-3' || n === 'agent-4')).toEqual([]);
    await t.send('resume', 'q');
    expect(exitedWith(await t.waitFor('resume', 'keyturn to exit', (s) => exitedWith(s) !== null))).toBe(0);

    const events = await journalOf(t);
    const state = foldEvents(events)!;
    expect(state.outcome.status).toBe('succeeded');
    const finished = new Map<string, number>();
    for (const e of events) if (e.type === 'step-finished') finished.set(e.key, (finished.get(e.key) ?? 0) + 1);
    expect([...finished.entries()].filter(([, n]) => n > 1)).toEqual([]);
    expect(Object.entries(state.steps).filter(([, s]) => s.status !== 'done')).toEqual([]);

    const record = (await lab.record()).filter((e) => e.t >= since);
    expect(maxServersDown(record, serverNames(lab), since)).toBe(1);
    for (const n of lab.nodes) {
      const count = (prog: string, arg: string) =>
        record.filter((e) => e.type === 'command' && e.node === n.name && e.prog === prog && e.argv[0] === arg).length;
      expect({ node: n.name, stop: count('systemctl', 'stop'), start: count('systemctl', 'start') }).toEqual({
        node: n.name,
        stop: 1,
        start: 1,
      });
    }
    // Wave 2's agents were down together: both stopped before either started again.
    const svc = record.filter((e) => e.type === 'command' && e.prog === 'systemctl' && e.node.match(/agent-[34]/));
    const firstStart = svc.findIndex((e) => e.type === 'command' && e.argv[0] === 'start');
    expect(svc.slice(0, firstStart).filter((e) => e.type === 'command' && e.argv[0] === 'stop')).toHaveLength(2);
  }, 480_000);

  it('the wizard asks the wave size on the plan preview (w cycles it, the plan is made again)', async () => {
    await t.start('wizard', lab, []);
    await t.waitFor('wizard', 'the dashboard', (s) => /source: /.test(s), 90_000);
    await t.send('wizard', 'p');
    let list = await t.waitFor('wizard', 'the recipe list', (s) => /Pick a recipe/.test(s));
    for (let i = 0; i < 6 && !/❯ rotate-certs/.test(list); i++) {
      await t.send('wizard', 'j');
      list = await t
        .waitFor('wizard', 'the selection to move', (s) => s !== list, 3_000)
        .catch(() => t.screen('wizard'));
    }
    await t.send('wizard', 'Enter');
    const preview = await t.waitFor('wizard', 'the plan preview', (s) => s.includes('Press enter to start'), 60_000);
    expect(preview).toContain('Agents: one at a time · w changes it (1 · 10% · 20% · 50%), as run --agent-wave does');
    expect(preview).not.toContain('Agents in waves');
    // 10% and 20% of 4 agents round up to 1 (one at a time); 50% is 2.
    for (const size of ['10%', '20%']) {
      await t.send('wizard', 'w');
      await t.waitFor(
        'wizard',
        `the ${size} choice`,
        (s) => s.includes(`w changes it`) && s.includes('one at a time'),
        5_000,
      );
    }
    await t.send('wizard', 'w');
    const waved = await t.waitFor('wizard', 'waves of 2', (s) => s.includes('waves of at most 2 of the 4'), 5_000);
    expect(waved).toContain('(--agent-wave 50%)');
    expect(waved).toContain('Agents in waves of at most 2 (2 waves)');
    await t.send('wizard', 'q');
    await t.waitFor('wizard', 'the dashboard again', (s) => /source: /.test(s) && !s.includes('Press enter to start'));
    await t.send('wizard', 'q');
    expect(exitedWith(await t.waitFor('wizard', 'keyturn to exit', (s) => exitedWith(s) !== null))).toBe(0);
  }, 240_000);

  it('one verdict for the wave: its failure names every node that failed it', async () => {
    // A settle long enough to kill both agents of the first wave while it watches them.
    await t.start('fail', lab, ['run', 'rotate-certs', '--settle', '15', '--agent-wave', '2']);
    await t.waitFor('fail', 'the plan preview', (s) => s.includes('Press enter to start'), 90_000);
    await t.send('fail', 'Enter');
    const started = (s: string) => /✓ agent-1 · Start the agent/.test(s) && /✓ agent-2 · Start the agent/.test(s);
    await t.answerAll('fail', started, { timeoutMs: 240_000 });
    await lab.fault('stop-service', [], 'agent-1');
    await lab.fault('stop-service', [], 'agent-2');
    const screen = await t.waitFor('fail', 'the failure', (s) => s.includes('press q to exit'), 120_000);
    expect(screen).toMatch(/✗ Stopped: check (\S+) failed on agent-1, agent-2/);
    expect(screen).toMatch(/2 nodes of wave 1 of 2 \(2 agents\) failed: agent-1 \(\S+\), agent-2 \(\S+\)/);
    await t.send('fail', 'q');
    expect(exitedWith(await t.waitFor('fail', 'keyturn to exit', (s) => exitedWith(s) !== null))).toBe(1);
  }, 300_000);
});

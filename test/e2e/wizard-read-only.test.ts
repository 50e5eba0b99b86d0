// `keyturn --read-only` in a real terminal against a lab: the header says READ-ONLY, no dangerous key is offered,
// a picked recipe shows its plan (ending with the command that runs it), and enter there — the key that starts a
// run in the normal wizard — does nothing: no run journal, no lock, and the lab's record has no command that
// changes a node and no service transition.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliArgs, repoRoot } from '../support/paths.js';
import { haveBinaries } from '../support/binaries.js';
import { startLab, type LabHandle } from '../support/lab.js';
import { listRuns } from '../../src/journal/index.js';
import type { RecordEntry } from '../../lab/contract.js';
import { TmuxDriver, exitedWith } from './run-tmux.js';

const ok = haveBinaries('tmux');
const exec = promisify(execFile);

/** Node commands that change something: a service stopped or started, certificates or keys rotated, files moved. */
function disruptive(e: RecordEntry): boolean {
  if (e.type === 'service') return true;
  if (e.type !== 'command') return false;
  if (e.prog === 'systemctl')
    return !['show', 'status', 'is-active', 'is-enabled', 'cat', 'list-units'].includes(e.argv[0]);
  if (e.prog.endsWith('-killall.sh') || e.prog.endsWith('-uninstall.sh')) return true;
  if (['rke2', 'k3s'].includes(e.prog))
    return ['certificate', 'secrets-encrypt'].includes(e.argv[0]) && e.argv[1] !== 'status';
  return ['cp', 'mv', 'rm', 'install', 'tee', 'chmod', 'ln'].includes(e.prog);
}

describe.skipIf(!ok)('the read-only wizard in tmux (split rke2)', () => {
  let lab: LabHandle;
  const t = new TmuxDriver();
  beforeAll(async () => {
    lab = await startLab({ topology: 'split', distro: 'rke2', speed: 20 });
    await t.setup();
  }, 120_000);
  afterAll(async () => {
    await t.teardown();
    await lab?.stop();
  });

  it('shows the plan and runs nothing when the run key is pressed', async () => {
    const since = new Date().toISOString();
    await t.start('ro', lab, ['--read-only'], {}, { columns: 120, rows: 40 });
    const dash = await t.waitFor('ro', 'the read-only dashboard', (s) => s.includes('scanned at'), 90_000);
    expect(dash.trimStart().split('\n')[0]).toBe('READ-ONLY · keys that change the cluster or its runs are off');
    expect(dash).not.toContain('⚠');
    await t.send('ro', 'p');
    await t.waitFor('ro', 'the recipe picker', (s) => s.includes('Pick a recipe'));
    // rotate-certs: the first recipe; the diagnoses suggest none on a healthy lab.
    await t.send('ro', 'Enter');
    const plan = await t.waitFor('ro', 'the plan', (s) => s.includes('Plan: '), 30_000);
    expect(plan).toContain('READ-ONLY');
    expect(plan).not.toContain('Press enter to start');
    // The run key of the normal wizard, pressed (twice) on the plan; then ? proves the keys were read.
    await t.send('ro', 'Enter');
    await t.send('ro', 'Enter');
    await t.send('ro', '?');
    const after = await t.waitFor('ro', 'the help overlay', (s) => s.includes('Keys on this screen'));
    expect(after).toContain('Plan: ');
    expect(after).not.toMatch(/These steps will run on|Press enter to start|⚠/);
    await t.send('ro', '?');
    await t.waitFor('ro', 'the help closed', (s) => !s.includes('Keys on this screen'));
    // Scrolled to its end, the plan says how to run it, with this session's options (keyturn-command.ts).
    let end = after;
    for (let i = 0; i < 20 && !end.includes('Run it with'); i++) {
      await t.send('ro', 'PageDown');
      end = await t.screen('ro');
    }
    end = await t.waitFor('ro', 'the plan end', (s) =>
      s.includes('Run it with: keyturn run rotate-certs --kubeconfig'),
    );
    await t.send('ro', 'q');
    const exited = await t.waitFor('ro', 'keyturn to exit', (s) => exitedWith(s) !== null);
    expect(exitedWith(exited)).toBe(0);

    expect(await listRuns(t.stateDir).catch(() => [])).toEqual([]);
    const record = (await lab.record()).filter((e) => e.t >= since);
    // The scan did reach every node (the record is not empty for a trivial reason) …
    expect(new Set(record.flatMap((e) => (e.type === 'command' ? [e.node] : []))).size).toBe(lab.nodes.length);
    // … and changed nothing.
    expect(record.filter(disruptive)).toEqual([]);
  }, 240_000);

  it('run, resume and abandon refuse a read-only session (KEYTURN_READ_ONLY or --read-only) in one line, exit 2', async () => {
    const since = new Date().toISOString();
    const cluster = ['--kubeconfig', lab.kubeconfig, '--inventory', lab.inventory];
    for (const [args, env] of [
      [['run', 'rotate-certs', ...cluster], { KEYTURN_READ_ONLY: '1' }],
      [['--read-only', 'resume', ...cluster], {}],
      [['abandon', 'RUN-1'], { KEYTURN_READ_ONLY: 'yes' }],
    ] as const) {
      const failed = await exec(process.execPath, [...cliArgs, ...args], {
        cwd: repoRoot,
        env: { ...process.env, KEYTURN_STATE_DIR: t.stateDir, ...env },
      }).then(
        () => null,
        (e: { code?: number; stdout?: string; stderr?: string }) => e,
      );
      expect(failed?.code, args.join(' ')).toBe(2);
      expect(failed?.stdout).toBe('');
      expect(failed?.stderr).toMatch(
        /^keyturn: \w+ changes the cluster or its runs and this session is read-only .*\n$/,
      );
    }
    expect((await lab.record()).filter((e) => e.t >= since)).toEqual([]);
  });
});

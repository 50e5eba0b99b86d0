// CLI conventions a person at a terminal relies on, in a real terminal (tmux) against a lab: NO_COLOR turns every
// colour off (capture-pane -e shows the escapes a terminal got), and ctrl-c — the key, or SIGINT — ends the wizard
// and a run with exit 130, after the run stopped cleanly (journal written, locks released).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLocalLock, listRuns } from '../../src/journal/index.js';
import { haveBinaries } from '../support/binaries.js';
import { startLab, type LabHandle } from '../support/lab.js';
import { askedNode, exitedWith, TmuxDriver } from './run-tmux.js';
import { cliArgs, repoRoot } from '../support/paths.js';

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

const ok = haveBinaries('tmux');
// Select Graphic Rendition: colours, bold, dim. Cursor movement and erasing are not colour.
const SGR = /\u001b\[[0-9;:]*m/;

describe.skipIf(!ok)('CLI conventions in a terminal', () => {
  const t = new TmuxDriver();
  let lab: LabHandle;

  beforeAll(async () => {
    // The tmux server (started by the first tmux command) inherits this environment: a FORCE_COLOR from the test
    // runner would decide for the wizard (an explicit FORCE_COLOR wins over NO_COLOR).
    delete process.env.FORCE_COLOR;
    await t.setup();
    lab = await startLab({ topology: 'split', etcd: 'emulated', speed: 20 });
  }, 120_000);

  afterAll(async () => {
    await t.teardown();
    await lab?.stop();
  });

  /** The pane with its escape sequences (what the terminal was sent), lines joined. */
  const withEscapes = (session: string) => t.tmux('capture-pane', '-p', '-e', '-J', '-t', session);
  const dashboard = (s: string) => lab.nodes.every((n) => s.includes(n.name)) && s.includes('scanned');

  it('NO_COLOR=1: the wizard and status send no colour; without it the wizard does (the check can see colour)', async () => {
    await t.start('plain', lab, [], { NO_COLOR: '1' });
    await t.start('colour', lab, []);
    await t.waitFor('plain', 'the dashboard', dashboard, 90_000);
    await t.waitFor('colour', 'the dashboard', dashboard, 90_000);
    const plain = await withEscapes('plain');
    expect(plain).not.toMatch(SGR);
    expect(await withEscapes('colour')).toMatch(SGR);
    await t.send('colour', 'q');
    expect(exitedWith(await t.waitFor('colour', 'the wizard to exit', (s) => exitedWith(s) !== null))).toBe(0);

    await t.start('status', lab, ['status'], { NO_COLOR: '1' });
    const status = await t.waitFor('status', 'status to finish', (s) => exitedWith(s) !== null, 90_000);
    expect(status).toContain('keyturn status:');
    expect(await withEscapes('status')).not.toMatch(SGR);

    // ctrl-c on the dashboard: the wizard closes and says it was interrupted, as other programs do.
    await t.send('plain', 'C-c');
    expect(exitedWith(await t.waitFor('plain', 'the wizard to exit', (s) => exitedWith(s) !== null))).toBe(130);
  }, 240_000);

  /** `keyturn run rotate-certs` up to its first node question. */
  async function atFirstNode(session: string): Promise<number> {
    await t.start(session, lab, ['run', 'rotate-certs', '--settle', '1']);
    await t.waitFor(session, 'the plan preview', (s) => s.includes('Press enter to start'), 90_000);
    await t.send(session, 'Enter');
    await t.waitFor(session, 'the first node question', (s) => askedNode(s) !== null, 60_000);
    expect(await readLocalLock(t.stateDir)).not.toBeNull();
    return (await t.keyturnTree(session)).pid;
  }

  async function expectStoppedCleanly(session: string): Promise<void> {
    const end = await t.waitFor(session, 'keyturn to exit', (s) => exitedWith(s) !== null, 60_000);
    expect(exitedWith(end), end).toBe(130);
    expect(end).toMatch(/resume with `keyturn resume/);
    // The clean stop happened before the exit: the workstation lock is gone, the journal says interrupted.
    expect(await readLocalLock(t.stateDir)).toBeNull();
    const runs = await listRuns(t.stateDir);
    const newest = runs.sort((a, b) => a.state.createdAt.localeCompare(b.state.createdAt)).at(-1)!;
    expect(newest.state.outcome).toMatchObject({ status: 'stopped', reason: 'interrupted' });
  }

  it('run: ctrl-c at a node question stops the run cleanly and exits 130', async () => {
    await atFirstNode('run-key');
    await t.send('run-key', 'C-c');
    await expectStoppedCleanly('run-key');
  }, 240_000);

  it('run: SIGINT (kill -INT) stops the run cleanly and exits 130', async () => {
    const pid = await atFirstNode('run-signal');
    process.kill(pid, 'SIGINT');
    await expectStoppedCleanly('run-signal');
  }, 240_000);

  it('wizard: SIGINT (kill -INT) closes it with exit 130', async () => {
    await t.start('wizard-signal', lab, []);
    await t.waitFor('wizard-signal', 'the dashboard', dashboard, 90_000);
    process.kill((await t.keyturnTree('wizard-signal')).pid, 'SIGINT');
    const end = await t.waitFor('wizard-signal', 'the wizard to exit', (s) => exitedWith(s) !== null, 30_000);
    expect(exitedWith(end), end).toBe(130);
  }, 180_000);

  it('demo: ctrl-c in its wizard exits 130 after the lab it started is gone', async () => {
    // Its own address block, away from the labs other test files start (127.20-219.x).
    const net = `127.240.${process.pid % 250}`;
    const cli = [process.execPath, ...cliArgs, 'demo', '--speed', '20', '--net', net].map(quote).join(' ');
    const command = `cd ${quote(repoRoot)} && KEYTURN_STATE_DIR=${quote(t.stateDir)} KEYTURN_CONFIG_DIR=${quote(t.configDir)} ${cli}; echo "keyturn exited $?"; sleep 900`;
    await t.tmux('new-session', '-d', '-s', 'demo', '-x', '170', '-y', '60', command);
    await t.waitFor(
      'demo',
      'the demo dashboard',
      (s) => s.includes('etcd-1') && s.includes('agent-2') && s.includes('scanned'),
      150_000,
    );
    // The lab and what it runs (etcd members): not tsx's own esbuild helper, which ends on its own after keyturn.
    const cmdline = (pid: number) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      } catch {
        return ''; // already gone
      }
    };
    const descendants = (await t.keyturnTree('demo')).descendants.filter(
      (pid) => cmdline(pid) !== '' && !/esbuild/.test(cmdline(pid)),
    );
    expect(descendants.map(cmdline).some((c) => c.includes(' lab up '))).toBe(true);
    await t.send('demo', 'C-c');
    const end = await t.waitFor('demo', 'the demo to exit', (s) => exitedWith(s) !== null, 60_000);
    expect(exitedWith(end), end).toBe(130);
    const alive = descendants.filter((pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    });
    expect(alive).toEqual([]);
  }, 240_000);
});

// `keyturn demo` in a real terminal (tmux), as a person tries it: while the lab starts, a line per stage is on
// screen before the dashboard (not seconds of blank screen); then a rotate-certs rehearsal on a small lab whose
// settle windows are keyturn's own, divided by the lab's --speed — read from what the screen says the total of each
// settle wait is, not from a clock — and the settle window offered on the plan preview as `run --settle` sets it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveBinaries } from '../support/binaries.js';
import { cliArgs, repoRoot } from '../support/paths.js';
import { exitedWith, TmuxDriver } from './run-tmux.js';

const ok = haveBinaries('tmux');
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const SPEED = 20;
const session = 'demo';

/** A progress line of the lab's start, as the demo prints it: "  1.9 s  starting 1 etcd servers". */
const STAGE =
  /^\s+\d+\.\d s {2}(generating the cluster CAs|writing \d+ nodes|API serving at|starting \d+ etcd servers|etcd quorum:)/m;
/** The dashboard's node table header (painted first frame or Ink's). */
const DASHBOARD = /NODE\s+ROLES/;

describe.skipIf(!ok)('keyturn demo in tmux', () => {
  const t = new TmuxDriver();
  beforeAll(async () => {
    await t.setup();
    const net = `127.${20 + (process.pid % 200)}.${240 + Math.floor(Math.random() * 10)}`;
    const cli = [process.execPath, ...cliArgs, 'demo', '--topology', 'single', '--speed', String(SPEED), '--net', net]
      .map(quote)
      .join(' ');
    const command = `cd ${quote(repoRoot)} && KEYTURN_STATE_DIR=${quote(t.stateDir)} KEYTURN_CONFIG_DIR=${quote(t.configDir)} ${cli}; echo "keyturn exited $?"; sleep 900`;
    await t.tmux('new-session', '-d', '-s', session, '-x', '170', '-y', '60', command);
  });
  afterAll(() => t.teardown());

  it('shows the lab starting, stage by stage, before the dashboard', async () => {
    const first = await t.waitFor(
      session,
      'a stage of the lab start or the dashboard',
      (s) => STAGE.test(s) || DASHBOARD.test(s) || exitedWith(s) !== null,
      90_000,
    );
    expect(first, 'the first thing on screen after the intro must be a stage line, not the dashboard').toMatch(STAGE);
    expect(first).not.toMatch(DASHBOARD);
    expect(first).toContain(`starting a single rke2 lab at speed ${SPEED}`);
    const dashboard = await t.waitFor(
      session,
      'the dashboard after the scan',
      (s) => /source: api/.test(s) || exitedWith(s) !== null,
      90_000,
    );
    expect(dashboard).toMatch(/source: api/);
    // Every stage stayed above it (in the pane's history: the dashboard fills the terminal), ending with the ready line.
    const history = await t.tmux('capture-pane', '-p', '-J', '-S', '-', '-t', session);
    expect(history).toMatch(/etcd quorum: 1 of 1 members healthy/);
    expect(history).toMatch(/lab ready: opening the wizard/);
  }, 200_000);

  it(`rotate-certs: the settle window is offered and changed on the preview, and each settle wait totals its window ÷ ${SPEED}`, async () => {
    await t.send(session, 'p');
    let list = await t.waitFor(session, 'the recipe list', (s) => /Pick a recipe/.test(s));
    for (let i = 0; i < 6 && !/❯ rotate-certs/.test(list); i++) {
      await t.send(session, 'j');
      list = await t.waitFor(session, 'the selection to move', (s) => s !== list, 3_000).catch(() => t.screen(session));
    }
    expect(list).toMatch(/❯ rotate-certs/);
    await t.send(session, 'Enter');
    const preview = await t.waitFor(session, 'the plan preview', (s) => s.includes('Press enter to start'), 60_000);
    // 150 s (the recipe's) ÷ 20 = 7.5, rounded up; agents: 30 s ÷ 20 = 1.5 → 2.
    expect(preview).toContain(`Settle window: 150 s per server (8 s in this rehearsal, at the lab's speed ${SPEED})`);
    expect(preview).toMatch(/watch rke2-server for 8s/);
    // s offers the next window, as `run --settle` would set it, and the plan is made again with it.
    await t.send(session, 's');
    const longer = await t.waitFor(
      session,
      'the next settle window',
      (s) => s.includes('Settle window: 300 s per server'),
      5_000,
    );
    expect(longer).toContain('(15 s in this rehearsal');
    expect(longer).toMatch(/watch rke2-server for 15s/);
    // Round the choices back to the recipe's window, one key and its answer at a time.
    for (const next of ['60 s', '30 s', '150 s']) {
      await t.send(session, 's');
      await t.waitFor(session, `the ${next} window`, (s) => s.includes(`Settle window: ${next} per server`), 5_000);
    }
    await t.send(session, 'Enter');

    const totals = new Map<string, Set<number>>();
    const watch = (s: string) => {
      const node = /These steps will run on (\S+)/.exec(s)?.[1] ?? /^\s*(server-1|agent-1)\b/m.exec(s)?.[1];
      for (const m of s.matchAll(/Watch for restarts (\d+) s of (\d+) s/g)) {
        const unit = /journalctl -u (rke2-server|rke2-agent)/.exec(s)?.[1] ?? node ?? '?';
        totals.set(unit, new Set([...(totals.get(unit) ?? []), Number(m[2])]));
      }
    };
    const { screen } = await t.answerAll(
      session,
      (s) => (watch(s), s.includes('press q to exit') || exitedWith(s) !== null),
      { timeoutMs: 180_000 },
    );
    expect(screen).toContain('rotate-certs succeeded on every node');
    // What the screen said each settle wait's total was: the server's window and the agent's, both ÷ 20.
    expect(totals.get('rke2-server')).toEqual(new Set([8]));
    expect(totals.get('rke2-agent')).toEqual(new Set([2]));

    await t.send(session, 'q');
    await t.waitFor(
      session,
      'the dashboard again',
      (s) => /source: api/.test(s) && !s.includes('press q to exit'),
      60_000,
    );
    await t.send(session, 'q');
    const end = await t.waitFor(session, 'the demo to exit', (s) => exitedWith(s) !== null, 60_000);
    expect(exitedWith(end)).toBe(0);
  }, 400_000);
});

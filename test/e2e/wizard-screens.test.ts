// The wizard's screens in a small real terminal (tmux, 80×24) against the lab: the dashboard keeps its most
// important rows on screen and redraws when the terminal is resized (no key sent); keys sent together in one write
// all count; ctrl-c quits from the plan preview; with the API down the banner stays and the recipe the diagnoses
// name is the one highlighted in the picker.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveBinaries } from '../support/binaries.js';
import { startLab, type LabHandle } from '../support/lab.js';
import { TmuxDriver, askedNode, exitedWith } from './run-tmux.js';

const ok = haveBinaries('tmux');
const SMALL = { columns: 80, rows: 24 };

const lines = (screen: string) => screen.trimEnd().split('\n');
/** The first non-empty line on screen: the dashboard's header must be it, never scrolled away. */
const firstLine = (screen: string) => lines(screen).find((l) => l.trim() !== '') ?? '';
const selectedRow = (screen: string) => /^› (\S+)/m.exec(screen)?.[1];
const selectedRecipe = (screen: string) => /^❯ (\S+)/m.exec(screen)?.[1];

describe.skipIf(!ok)('wizard screens in an 80×24 terminal', () => {
  const t = new TmuxDriver();
  let lab: LabHandle;

  beforeAll(async () => {
    await t.setup();
    lab = await startLab({ topology: 'split', distro: 'rke2', speed: 20 });
  }, 120_000);

  afterAll(async () => {
    await t.teardown();
    await lab?.stop();
  });

  it('the header and the node table stay on screen at 80×24, and a resize redraws without a key', async () => {
    const names = lab.nodes.map((n) => n.name);
    await t.start('dash', lab, [], {}, SMALL);
    const dash = await t.waitFor('dash', 'the dashboard', (s) => s.includes('scanned at'), 90_000);
    expect(firstLine(dash)).toMatch(/^rke2 v\S+ · 7 nodes · source: /);
    expect(dash.match(/NODE\s+ROLES/g)).toHaveLength(1);
    for (const n of names) expect(dash).toMatch(new RegExp(`^[› ] ${n}\\s`, 'm'));
    expect(dash).toMatch(/\bleader ★/); // the ETCD column fits 80 columns
    expect(dash).toContain('q quit');
    expect(lines(dash).length).toBeLessThanOrEqual(SMALL.rows);
    expect(dash).not.toContain('etcd-quorum'); // the passing checks gave way

    // Taller: the passing checks come back, no key sent.
    await t.tmux('resize-window', '-t', 'dash', '-x', '120', '-y', '50');
    const tall = await t.waitFor('dash', 'the redraw at 120×50', (s) => s.includes('✓ etcd-quorum'), 10_000);
    expect(firstLine(tall)).toMatch(/^rke2 /);
    expect(tall.match(/NODE\s+ROLES/g)).toHaveLength(1);
    // Smaller again: the header is still the first line, drawn once.
    await t.tmux('resize-window', '-t', 'dash', '-x', '80', '-y', '24');
    const small = await t.waitFor(
      'dash',
      'the redraw at 80×24',
      (s) => !s.includes('etcd-quorum') && s.includes('scanned at'),
      10_000,
    );
    expect(firstLine(small)).toMatch(/^rke2 /);
    expect(small.match(/NODE\s+ROLES/g)).toHaveLength(1);
    expect(small).toContain('q quit');
  }, 150_000);

  it('keys sent in one write all count: jj moves twice, j j Enter picks the third recipe; ctrl-c quits the plan preview', async () => {
    // A size where every row fits whatever the layout: this test is about keys, not about the screen's size.
    await t.start('keys', lab, [], {}, { columns: 120, rows: 50 });
    const before = await t.waitFor('keys', 'the dashboard', (s) => s.includes('scanned at'), 90_000);
    expect(selectedRow(before)).toBe('etcd-1');
    await t.send('keys', 'jj');
    await t.waitFor('keys', 'the selection two rows down', (s) => selectedRow(s) === 'etcd-3', 10_000);
    await t.send('keys', 'p');
    const list = await t.waitFor('keys', 'the recipe list', (s) => s.includes('Pick a recipe'));
    // A healthy cluster suggests nothing: the first recipe is highlighted.
    expect(selectedRecipe(list)).toBe('rotate-certs');
    await t.send('keys', 'j', 'j', 'Enter');
    const preview = await t.waitFor(
      'keys',
      'the plan preview of the third recipe',
      (s) => s.includes('Press enter to start') || /keyturn run · \S+/.test(s),
      60_000,
    );
    expect(preview).toMatch(/keyturn run · rotate-ca/);
    await t.waitFor('keys', 'the plan preview', (s) => s.includes('Press enter to start'), 60_000);
    await t.send('keys', 'C-c');
    const end = await t.waitFor('keys', 'the wizard to exit', (s) => exitedWith(s) !== null, 15_000);
    // (The exit code of a ctrl-c is the CLI's business; here: the wizard ended, from the preview, changing nothing.)
    expect(exitedWith(end)).not.toBeNull();
  }, 150_000);

  it('the run screen shows every node of the run with its state on one line of 80 columns', async () => {
    // Its own state dir: the run is left unfinished on purpose, and must not be offered on the other dashboards.
    const r = new TmuxDriver();
    await r.setup();
    try {
      await r.start('strip', lab, ['run', 'rotate-certs', '--settle', '1'], {}, { columns: 80, rows: 60 });
      await r.waitFor('strip', 'the plan preview', (s) => s.includes('Press enter to start'), 90_000);
      await r.send('strip', 'Enter');
      const first = await r.waitFor('strip', 'the first node question', (s) => askedNode(s) !== null, 90_000);
      expect(askedNode(first)).toBe('etcd-1');
      // The strip is the one line with the node in progress (finished steps above it say "✓ node · step").
      const stripOf = (screen: string) => lines(screen).find((l) => /(^| )▶ \S/.test(l)) ?? '';
      expect(stripOf(first)).toMatch(
        /^▶ etcd-1 {2}→ etcd-2 {2}· etcd-3 {2}· cp-1 {2}· cp-2 {2}· agent-1 {2}· agent-2$/,
      );
      await r.send('strip', 'y');
      const second = await r.waitFor('strip', 'the second node question', (s) => askedNode(s) === 'etcd-2', 120_000);
      expect(stripOf(second)).toMatch(/^✓ etcd-1 {2}▶ etcd-2 {2}→ etcd-3 {2}· cp-1/);
      await r.send('strip', 'q');
      await r.waitFor('strip', 'keyturn to exit', (s) => exitedWith(s) !== null, 60_000);
    } finally {
      await r.teardown();
    }
  }, 300_000);

  it("with the API down after a parallel restart: the banner and the table stay at 80×24; the diagnoses' recipe is preselected", async () => {
    await lab.fault('parallel-restart');
    await t.start('down', lab, [], {}, SMALL);
    const dash = await t.waitFor('down', 'the dashboard', (s) => s.includes('scanned at'), 120_000);
    expect(firstLine(dash)).toMatch(/^rke2 /);
    expect(dash).toContain('KUBERNETES API UNREACHABLE');
    expect(dash.match(/NODE\s+ROLES/g)).toHaveLength(1);
    for (const n of lab.nodes.map((x) => x.name)) expect(dash).toMatch(new RegExp(`^[› ] ${n}\\s`, 'm'));
    expect(dash).toContain('Checks that need attention');
    await t.send('down', 'p');
    const list = await t.waitFor('down', 'the recipe list', (s) => s.includes('Pick a recipe'));
    expect(selectedRecipe(list)).toBe('recover-restart-loop');
    await t.send('down', 'q');
    await t.waitFor('down', 'the wizard to exit', (s) => exitedWith(s) !== null, 15_000);
  }, 200_000);
});

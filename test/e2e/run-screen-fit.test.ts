// The run screen fits the terminal (issue #14 items 6 and 8): at 80×24, a node question whose block has many
// commands keeps the run's header, the node strip and the y/s/q question on screen; the command list is cut to what
// is left, with "+N more" lines. rotate-ca's first question (a generated openssl script and its upload) is taller
// than 24 rows.
import { describe, expect, it } from 'vitest';
import { haveBinaries } from '../support/binaries.js';
import { exitedWith, labPerTest } from './run-tmux.js';

const ok = haveBinaries('tmux', 'openssl');
const SIZE = { columns: 80, rows: 24 };

describe.skipIf(!ok)('the run screen at 80×24', () => {
  const { t, start } = labPerTest();

  it('keeps the header, the node strip and the question visible while a tall node block is offered', async () => {
    const lab = await start({ topology: 'ha', distro: 'rke2', etcd: 'emulated', speed: 200 });
    await t.start('fit', lab, ['run', 'rotate-ca', '--settle', '1'], {}, SIZE);
    const preview = await t.waitFor(
      'fit',
      'the plan preview',
      (s) => s.includes('Press enter to start') || exitedWith(s) !== null,
      90_000,
    );
    expect(exitedWith(preview), preview).toBeNull();
    await t.send('fit', 'Enter');
    // The question's last line (the typed-name prompt or y/s/q) is on screen: the block is offered.
    const screen = await t.waitFor(
      'fit',
      'a node question',
      (s) => /Type the node name|Run them\? y run/.test(s) || exitedWith(s) !== null,
      90_000,
    );
    const lines = screen.trimEnd().split('\n');
    expect(lines.length, screen).toBeLessThanOrEqual(SIZE.rows);
    expect(screen, screen).toMatch(/keyturn run · rotate-ca · run /);
    // The strip: the node asked about, marked as the run's current or next node.
    expect(screen, screen).toMatch(/[▶→] server-1/);
    expect(screen, screen).toMatch(/These steps will run on server-1, in order:/);
    expect(screen, screen).toMatch(/\+\d+ more (lines|steps)/);
    expect(screen, screen).toMatch(/enter|y run|esc/);
    // Ended before the next test: its run would otherwise still hold this workstation's run lock.
    await t.send('fit', 'C-c');
    const ended = await t.waitFor('fit', 'keyturn to exit', (s) => exitedWith(s) !== null, 60_000);
    expect(exitedWith(ended), ended).toBe(130);
  });

  it('rotate-certs: the y/s/q question, then the steps in flight and the log tail, under the header and strip', async () => {
    const lab = await start({ topology: 'ha', distro: 'rke2', etcd: 'emulated', speed: 200 });
    await t.start('certs', lab, ['run', 'rotate-certs', '--settle', '30'], {}, SIZE);
    const preview = await t.waitFor(
      'certs',
      'the plan preview',
      (s) => s.includes('Press enter to start') || exitedWith(s) !== null,
      90_000,
    );
    expect(exitedWith(preview), preview).toBeNull();
    await t.send('certs', 'Enter');
    const question = await t.waitFor(
      'certs',
      'the y/s/q question',
      (s) => /Run them\? y run · s skip this node · q quit/.test(s) || exitedWith(s) !== null,
      90_000,
    );
    const fits = (screen: string) => {
      expect(screen.trimEnd().split('\n').length, screen).toBeLessThanOrEqual(SIZE.rows);
      expect(screen, screen).toMatch(/keyturn run · rotate-certs · run /);
      expect(screen, screen).toMatch(/[▶→✓] server-1/);
    };
    fits(question);
    expect(question).toMatch(/These steps will run on server-1, in order:/);
    await t.send('certs', 'y');
    // server-1 is worked on: its steps and its journal's tail, header and strip still on top.
    const working = await t.waitFor(
      'certs',
      'the log tail',
      (s) => /journalctl -u rke2-server/.test(s) || exitedWith(s) !== null,
      90_000,
    );
    fits(working);
    await t.send('certs', 'C-c');
  });
});

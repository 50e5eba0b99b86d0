// `keyturn run rotate-certs` in tmux against a split rke2 lab, answered like a person: every node confirmed with
// y. The lab's record proves the order (etcd → control-plane → agents) and at most one server down at a time; a
// second `keyturn run` started meanwhile (another workstation) is refused with the holder's name.
import os from 'node:os';
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveBinaries } from '../support/binaries.js';
import { startLab, type LabHandle } from '../support/lab.js';
import { TmuxDriver, cliJson, exitedWith, maxServersDown, serverNames, stopOrder, tierOf } from './run-tmux.js';

const ok = haveBinaries('tmux');

describe.skipIf(!ok)('keyturn run rotate-certs in tmux (split rke2)', () => {
  let lab: LabHandle;
  const t = new TmuxDriver();
  let otherState = '';

  beforeAll(async () => {
    lab = await startLab({ topology: 'split', distro: 'rke2', speed: 30 });
    await t.setup();
    otherState = await mkdtemp(path.join(os.tmpdir(), 'kt-run-other-'));
  }, 120_000);

  afterAll(async () => {
    await t.teardown();
    await lab?.stop();
    if (otherState) await rm(otherState, { recursive: true, force: true });
  });

  it('previews, asks before each node, rotates in order with one server down at a time; a second run is refused', async () => {
    const since = new Date().toISOString();
    await t.start('run', lab, ['run', 'rotate-certs', '--settle', '1']);
    const preview = await t.waitFor('run', 'the plan preview', (s) => s.includes('Press enter to start'), 90_000);
    expect(preview).toContain('systemctl stop rke2-server');
    expect(preview).toContain('rke2 certificate rotate');
    await t.send('run', 'Enter');

    let refusal = '';
    const { screen, asked } = await t.answerAll('run', (s) => s.includes('press q to exit') || exitedWith(s) !== null, {
      beforeNode: async (node) => {
        if (node !== 'etcd-2') return 'answer';
        // Another operator (another state dir: another workstation) tries to run while etcd-2 is asked about.
        await t.start('other', lab, ['run', 'rotate-certs', '--settle', '1'], { KEYTURN_STATE_DIR: otherState });
        refusal = await t.waitFor('other', 'the second run to be refused', (s) => exitedWith(s) !== null, 90_000);
        return 'answer';
      },
    });
    expect(exitedWith(refusal)).toBe(1);
    const holder = `${os.userInfo().username}@${os.hostname()}`;
    expect(refusal, refusal).toMatch(
      new RegExp(
        `refusing to start: .*held by ${holder.replace(/[.]/g, '\\.')} \\(run \\S+-rotate-certs-\\S+\\) until \\S+`,
      ),
    );
    expect(refusal.match(/refusing to start/g)).toHaveLength(1);

    expect(screen).toContain('rotate-certs succeeded on every node');
    expect(asked).toEqual(
      lab.nodes
        .filter((n) => n.roles.length > 0)
        .map((n) => n.name)
        .sort(
          (a, b) =>
            tierOf(lab.nodes.find((n) => n.name === a)!.roles) - tierOf(lab.nodes.find((n) => n.name === b)!.roles) ||
            a.localeCompare(b, 'en', { numeric: true }),
        ),
    );
    await t.send('run', 'q');
    const end = await t.waitFor('run', 'keyturn to exit', (s) => exitedWith(s) !== null);
    expect(exitedWith(end)).toBe(0);
    expect(end).toMatch(/keyturn report \S+-rotate-certs-/);

    const record = await lab.record();
    const order = stopOrder(record, since);
    const tiers = order.map((n) => tierOf(lab.nodes.find((x) => x.name === n)!.roles));
    expect(order).toHaveLength(lab.nodes.length);
    expect([...tiers].sort((a, b) => a - b)).toEqual(tiers);
    expect(maxServersDown(record, serverNames(lab), since)).toBe(1);

    const status = (await cliJson(lab, ['status', '--json'], { KEYTURN_CONFIG_DIR: t.configDir })) as {
      checks: { id: string; status: string; detail: string }[];
    };
    expect(status.checks.filter((c) => c.status !== 'pass')).toEqual([]);
  }, 420_000);
});

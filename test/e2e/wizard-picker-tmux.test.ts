// The wizard's cluster picker in tmux (#17): a kubeconfig with two labs (rke2 and k3s, each its own --net) and a
// context nothing answers at. No --context: the wizard asks which cluster first, with each one's summary from its
// scan and an unreadable one as an entry with why; enter opens the highlighted cluster's dashboard, q quits.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveBinaries } from '../support/binaries.js';
import { startLab, type LabHandle } from '../support/lab.js';
import { deadPort, writeMultiKubeconfig } from '../support/multi-kubeconfig.js';
import { cliArgs, repoRoot } from '../support/paths.js';
import { exitedWith, TmuxDriver } from './run-tmux.js';

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const rowOf = (text: string, context: string) =>
  text.split('\n').find((l) => new RegExp(`^[❯ ] ${context} `).test(l)) ?? '';

describe.skipIf(!haveBinaries('tmux'))('wizard: cluster picker', () => {
  const driver = new TmuxDriver();
  let rke2: LabHandle;
  let k3s: LabHandle;
  let dir = '';
  let kubeconfig = '';

  beforeAll(async () => {
    await driver.setup();
    dir = await mkdtemp(path.join(os.tmpdir(), 'kt-picker-'));
    [rke2, k3s] = await Promise.all([
      startLab({ topology: 'single', distro: 'rke2', etcd: 'emulated' }),
      startLab({ topology: 'split', distro: 'k3s', etcd: 'emulated' }),
    ]);
    kubeconfig = await writeMultiKubeconfig(
      path.join(dir, 'kubeconfig'),
      [
        { context: 'prod-rke2', kubeconfig: rke2.kubeconfig },
        { context: 'edge-k3s', kubeconfig: k3s.kubeconfig },
      ],
      [{ context: 'gone', server: `https://127.0.0.1:${await deadPort()}` }],
    );
  }, 180_000);

  afterAll(async () => {
    await driver.teardown();
    await Promise.allSettled([rke2?.stop(), k3s?.stop()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const start = async (session: string) => {
    const cli = [process.execPath, ...cliArgs, '--kubeconfig', kubeconfig].map(quote).join(' ');
    const command = `cd ${quote(repoRoot)} && KEYTURN_STATE_DIR=${quote(driver.stateDir)} KEYTURN_CONFIG_DIR=${quote(driver.configDir)} ${cli}; echo "keyturn exited $?"; sleep 900`;
    await driver.tmux('new-session', '-d', '-s', session, '-x', '170', '-y', '45', command);
  };

  it('lists every context with its summary, the dead one with why; enter on the second opens its dashboard', async () => {
    await start('pick');
    const scanned = await driver.waitFor(
      'pick',
      'all three clusters scanned',
      (t) => /\(3 of 3 scanned\)/.test(t),
      90_000,
    );
    // The API's facts for each lab; its nodes are not reachable without an inventory (ssh to the lab addresses).
    expect(rowOf(scanned, 'prod-rke2')).toMatch(/^❯ prod-rke2 +rke2 v1\.32\.5\+rke2r1 +0\/2 reached .*CA \? .*enc /);
    expect(rowOf(scanned, 'edge-k3s')).toMatch(/^ {2}edge-k3s +k3s v[\d.]+\+k3s\d +0\/7 reached /);
    expect(rowOf(scanned, 'gone')).toMatch(
      /NOT READ: the API is down and no node could be reached \(the API server https:\/\/127\.0\.0\.1:\d+ is not reachable \(ECONNREFUSED/,
    );
    // The highlighted cluster's expiry timeline (its nodes' bars) is under the list.
    expect(scanned).toMatch(/Earliest leaf expiry \(days left\)\nserver-1 +no certificates read/);
    await driver.send('pick', 'j');
    const moved = await driver.waitFor('pick', 'the selection on edge-k3s', (t) => /^❯ edge-k3s/m.test(t));
    expect(moved).toMatch(/Earliest leaf expiry \(days left\)\netcd-1 /);
    await driver.send('pick', 'Enter');
    // The k3s lab's dashboard: its 7 nodes, its version in the header.
    const dash = await driver.waitFor(
      'pick',
      'edge-k3s dashboard',
      (t) => /^k3s v[\d.]+\+k3s\d · 7 nodes/m.test(t),
      60_000,
    );
    expect(dash).toMatch(/agent-2/);
    expect(dash).not.toMatch(/Clusters in the kubeconfig/);
    await driver.send('pick', 'q');
    const end = await driver.waitFor('pick', 'keyturn to exit', (t) => exitedWith(t) !== null);
    expect(exitedWith(end)).toBe(0);
  }, 180_000);

  it('q in the picker quits (exit 0); with --context there is no picker', async () => {
    await start('quit');
    await driver.waitFor('quit', 'the picker', (t) => /Clusters in the kubeconfig/.test(t), 60_000);
    await driver.send('quit', 'q');
    const end = await driver.waitFor('quit', 'keyturn to exit', (t) => exitedWith(t) !== null);
    expect(exitedWith(end)).toBe(0);

    const cli = [
      process.execPath,
      ...cliArgs,
      '--kubeconfig',
      kubeconfig,
      '--context',
      'prod-rke2',
      '--inventory',
      rke2.inventory,
    ]
      .map(quote)
      .join(' ');
    await driver.tmux(
      'new-session',
      '-d',
      '-s',
      'direct',
      '-x',
      '170',
      '-y',
      '45',
      `cd ${quote(repoRoot)} && KEYTURN_STATE_DIR=${quote(driver.stateDir)} KEYTURN_CONFIG_DIR=${quote(driver.configDir)} ${cli}; echo "keyturn exited $?"; sleep 900`,
    );
    const dash = await driver.waitFor(
      'direct',
      'the rke2 dashboard',
      (t) => /^rke2 v1\.32\.5\+rke2r1 · 2 nodes/m.test(t) && /server-1 .*active/.test(t),
      60_000,
    );
    expect(dash).not.toMatch(/Clusters in the kubeconfig/);
    await driver.send('direct', 'q');
    expect(exitedWith(await driver.waitFor('direct', 'keyturn to exit', (t) => exitedWith(t) !== null))).toBe(0);
  }, 180_000);
});

// The real wizard in a real terminal (tmux) against a real lab, started the way users start it (bin/keyturn.js, the
// bundle): discovery over the lab's API and local node shells, keys sent one at a time, each followed by waiting
// for the screen that answers it.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveBinaries } from '../support/binaries.js';
import { startLab, type LabHandle } from '../support/lab.js';
import { repoRoot } from '../support/paths.js';

const run = promisify(execFile);
const ok = haveBinaries('tmux');
const socket = `kt-e2e-${process.pid}`;
const session = 'wizard';

async function tmux(...args: string[]): Promise<string> {
  const { stdout } = await run('tmux', ['-L', socket, ...args]);
  return stdout;
}

// -J: a line the terminal wrapped comes back as the one line that was written.
const screenOf = (target: string) => tmux('capture-pane', '-p', '-J', '-t', target);

async function waitForScreenOf(
  target: string,
  what: string,
  predicate: (text: string) => boolean,
  timeoutMs = 30_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  for (;;) {
    text = await screenOf(target);
    if (predicate(text)) return text;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; screen:\n${text}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const waitForScreen = (what: string, predicate: (text: string) => boolean, timeoutMs = 30_000) =>
  waitForScreenOf(session, what, predicate, timeoutMs);

/** One key, then the screen that answers it: list components drop keys typed faster than a render. */
async function press(key: string, what: string, predicate: (text: string) => boolean): Promise<string> {
  await tmux('send-keys', '-t', session, key);
  return waitForScreen(what, predicate);
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const selectedRow = (text: string) => /^› (\S+)/m.exec(text)?.[1];

describe.skipIf(!ok)('wizard in tmux against the lab', () => {
  let lab: LabHandle;
  let configDir: string;

  beforeAll(async () => {
    lab = await startLab({ topology: 'split', distro: 'rke2', speed: 20 });
    configDir = await mkdtemp(path.join(os.tmpdir(), 'kt-e2e-conf-'));
    // Slow nodes: the node list must be on screen (from the inventory) while the scan is still waiting for them.
    await lab.fault('latency', ['1500']);
    const cli = [
      process.execPath,
      path.join(repoRoot, 'bin/keyturn.js'),
      '--kubeconfig',
      lab.kubeconfig,
      '--inventory',
      lab.inventory,
    ]
      .map(quote)
      .join(' ');
    // The trailing echo tells us the process ended and how; the sleep keeps the pane readable for that.
    // CI=true on purpose: Ink would draw only a final frame, but a person at a terminal must see the wizard live.
    const command = `cd ${quote(repoRoot)} && CI=true KEYTURN_CONFIG_DIR=${quote(configDir)} ${cli}; echo "keyturn exited $?"; sleep 600`;
    await tmux('new-session', '-d', '-s', session, '-x', '160', '-y', '50', command);
  }, 120_000);

  afterAll(async () => {
    await tmux('kill-server').catch(() => {});
    await lab?.stop();
    if (configDir) await rm(configDir, { recursive: true, force: true });
  });

  it('shows every node in rotation order, opens a node, goes back, picks nothing and quits', async () => {
    const names = lab.nodes.map((n) => n.name);
    expect(names).toHaveLength(7);
    const first = await waitForScreen(
      'the node list before the scan ends',
      (t) => names.every((n) => t.includes(n)),
      90_000,
    );
    expect(first).toContain('7 nodes from the inventory');
    expect(first.match(/scanning…/g)?.length).toBe(7);
    expect(first).not.toContain('scanned at');
    expect(first.match(/NODE\s+ROLES/g)).toHaveLength(1);
    // The first frame is painted before Ink loads; once Ink draws (its spinner has moved on from the first frame's
    // ⠋) the painted one must be gone: one table, one title, nothing left above or below.
    const live = await waitForScreen(
      'Ink drawing the node list',
      (t) => /^[⠙⠹⠸⠼⠴⠦⠧⠇⠏] scanning 7 nodes/m.test(t),
      30_000,
    );
    expect(live.match(/NODE\s+ROLES/g)).toHaveLength(1);
    // (By now the title may say the list came from the API.)
    expect(live.match(/^7 nodes from /gm)).toHaveLength(1);
    expect(live.match(/scanning…/g)).toHaveLength(7);
    expect(live.trimStart().startsWith('7 nodes from '), live).toBe(true);
    await lab.fault('latency', ['0']);
    const dashboard = await waitForScreen(
      'all 7 nodes on the dashboard',
      (t) => names.every((n) => t.includes(n)) && t.includes('scanned at'),
      90_000,
    );

    const rank = (roles: string[]) => (roles.includes('etcd') ? 0 : roles.includes('control-plane') ? 1 : 2);
    const expected = [...lab.nodes].sort(
      (a, b) => rank(a.roles) - rank(b.roles) || a.name.localeCompare(b.name, 'en', { numeric: true }),
    );
    const positions = expected.map((n) => dashboard.search(new RegExp(`^[› ] ${n.name}\\s`, 'm')));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(dashboard).toContain('etcd servers');
    expect(dashboard).toContain('control-plane servers');
    expect(dashboard).toContain('agents');
    expect(dashboard).toContain('leader ★');
    expect(dashboard).toContain('Earliest leaf expiry');
    expect(dashboard).toMatch(/✓ etcd-quorum/);
    expect(selectedRow(dashboard)).toBe(expected[0].name);

    const second = expected[1];
    await press('j', `selection on ${second.name}`, (t) => selectedRow(t) === second.name);
    const detail = await press('Enter', 'node detail', (t) => t.includes('Certificates ('));
    expect(detail).toMatch(new RegExp(`^${second.name} ${second.address.replace(/\./g, '\\.')} · etcd`, 'm'));
    expect(detail).toContain('rke2-server active');
    expect(detail).toMatch(new RegExp(`member ${second.name}\\S* healthy`));
    expect(detail).toContain('server/tls/etcd/peer-server-client.crt');
    expect(detail).toMatch(/agent\/client-kubelet\.crt\s+system:node:/);
    expect(detail).toContain('esc/b back');

    const back = await press('Escape', 'dashboard again', (t) => t.includes('Earliest leaf expiry'));
    expect(selectedRow(back)).toBe(second.name);

    await press('p', 'recipe list', (t) => t.includes('Pick a recipe') && t.includes('rotate-encryption-keys'));
    await press('b', 'dashboard after the recipe list', (t) => t.includes('Earliest leaf expiry'));

    const end = await press('q', 'the wizard to exit', (t) => /keyturn exited \d+/.test(t));
    expect(end).toContain('keyturn exited 0');
  }, 180_000);

  it('a broken kubeconfig next to a good inventory: one line names the file, exit 2, no screen left behind', async () => {
    const badConfig = path.join(configDir, 'broken-kubeconfig');
    await writeFile(badConfig, 'apiVersion: v1\nclusters: [ {name: x, cluster: {server: 42\n');
    const cli = [
      process.execPath,
      path.join(repoRoot, 'bin/keyturn.js'),
      '--kubeconfig',
      badConfig,
      '--inventory',
      lab.inventory,
    ]
      .map(quote)
      .join(' ');
    await tmux(
      'new-session',
      '-d',
      '-s',
      'bad',
      '-x',
      '160',
      '-y',
      '50',
      `cd ${quote(repoRoot)} && KEYTURN_CONFIG_DIR=${quote(configDir)} ${cli}; echo "keyturn exited $?"; sleep 600`,
    );
    const end = await waitForScreenOf('bad', 'the wizard to exit', (t) => /keyturn exited \d+/.test(t));
    expect(end).toContain('keyturn exited 2');
    const lines = end.split('\n').filter((l) => l.trim() !== '');
    expect(lines, end).toHaveLength(2);
    expect(lines[0]).toMatch(/^keyturn: .*broken-kubeconfig/);
    expect(end).not.toContain('scanning…');
  }, 60_000);
});

// `npm run build:binary` (issue #17): keyturn as one executable for a bastion. Built once here (bin/build-binary.mjs:
// the CLI bundled into one module, put into Node's own binary with --build-sea), then run with a PATH that holds
// neither node nor npm — only what keyturn itself runs (tmux, ssh, etcd for the lab, kubectl for the plugin) — and
// with no node_modules beside it: --help, a lab started by the binary itself, `status` on it, the wizard in tmux,
// and `kubectl keyturn` through the kubectl-keyturn link.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findBinary, haveBinaries } from '../support/binaries.js';
import { awaitReady, terminate } from '../support/lab.js';
import { repoRoot } from '../support/paths.js';

const exec = promisify(execFile);
const ok = haveBinaries('tmux', 'kubectl', 'etcd', 'curl');
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

describe.skipIf(!ok)('the single keyturn binary, with no node and no npm on PATH', () => {
  let tmp = '';
  let bin = '';
  let binary = '';
  let env: NodeJS.ProcessEnv = {};
  let lab: ChildProcess | undefined;
  let labDir = '';
  const socket = `kt-binary-${process.pid}`;

  beforeAll(async () => {
    await exec(process.execPath, [path.join(repoRoot, 'bin/build-binary.mjs')], { cwd: repoRoot, maxBuffer: 16 << 20 });
    tmp = await mkdtemp(path.join(os.tmpdir(), 'kt-binary-'));
    // The binary and its link copied away from the repository: nothing under node_modules is within reach.
    bin = path.join(tmp, 'bin');
    await mkdir(bin);
    binary = path.join(bin, 'keyturn');
    await copyFile(path.join(repoRoot, 'dist/binary/keyturn'), binary);
    await symlink('keyturn', path.join(bin, 'kubectl-keyturn'));
    for (const tool of ['tmux', 'ssh', 'etcd', 'etcdctl', 'kubectl', 'sh']) {
      const found = findBinary(tool);
      if (found) await symlink(found, path.join(bin, tool));
    }
    labDir = path.join(tmp, 'lab');
    env = {
      HOME: tmp,
      PATH: bin,
      TERM: 'xterm-256color',
      KEYTURN_CONFIG_DIR: path.join(tmp, 'config'),
      KEYTURN_STATE_DIR: path.join(tmp, 'state'),
    };
  }, 600_000);

  afterAll(async () => {
    await exec('tmux', ['-L', socket, 'kill-server']).catch(() => {});
    if (lab) await terminate(lab);
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('the PATH it runs with finds no node and no npm', async () => {
    const { stdout } = await exec(
      '/bin/sh',
      ['-c', 'for c in node npm keyturn kubectl-keyturn; do command -v "$c" || echo "no $c"; done'],
      { env },
    );
    expect(stdout.trim().split('\n')).toEqual(['no node', 'no npm', binary, path.join(bin, 'kubectl-keyturn')]);
  });

  it('--help', async () => {
    const { stdout } = await exec(binary, ['--help'], { env, cwd: tmp });
    expect(stdout).toMatch(/^Usage: keyturn \[options\] \[command\]/);
    expect(stdout).toContain('completion');
  });

  it('starts a lab itself (lab up), reads it with status, and opens the wizard on it in tmux', async () => {
    const net = `127.${20 + (process.pid % 200)}.251`;
    lab = spawn(binary, ['lab', 'up', '--dir', labDir, '--net', net, '--speed', '20'], {
      env,
      cwd: tmp,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(await awaitReady(lab, 120_000)).toMatch(/^lab ready: 7 nodes/);
    const cluster = [
      '--kubeconfig',
      path.join(labDir, 'kubeconfig'),
      '--inventory',
      path.join(labDir, 'inventory.yaml'),
    ];

    // status: the API read through the Kubernetes client inside the binary, the nodes through the lab's shells.
    const { stdout } = await exec(binary, ['status', ...cluster, '-o', 'json'], { env, cwd: tmp }).catch(
      (e: { stdout: string }) => e,
    );
    const report = JSON.parse(stdout) as {
      cluster: { apiReachable: boolean; source: string };
      nodes: { name: string; reachable: boolean }[];
    };
    expect(report.cluster).toMatchObject({ apiReachable: true, source: 'api' });
    expect(report.nodes.every((n) => n.reachable)).toBe(true);
    expect(report.nodes.map((n) => n.name).sort()).toEqual([
      'agent-1',
      'agent-2',
      'cp-1',
      'cp-2',
      'etcd-1',
      'etcd-2',
      'etcd-3',
    ]);

    const envWords = Object.entries(env)
      .map(([k, v]) => `${k}=${quote(v ?? '')}`)
      .join(' ');
    const command = `cd ${quote(tmp)} && env -i ${envWords} ${[binary, ...cluster].map(quote).join(' ')}; echo "keyturn exited $?"; sleep 600`;
    await exec('tmux', ['-L', socket, 'new-session', '-d', '-s', 'wizard', '-x', '160', '-y', '50', command]);
    const deadline = Date.now() + 90_000;
    let screen = '';
    while (!(screen.includes('etcd-1') && screen.includes('agent-2') && screen.includes('scanned at'))) {
      if (Date.now() > deadline) throw new Error(`the wizard did not show the scanned lab; screen:\n${screen}`);
      await new Promise((r) => setTimeout(r, 200));
      screen = (await exec('tmux', ['-L', socket, 'capture-pane', '-p', '-J', '-t', 'wizard'])).stdout;
    }
    expect(screen).not.toContain('keyturn exited');
    await exec('tmux', ['-L', socket, 'send-keys', '-t', 'wizard', 'q']);
    while (!screen.includes('keyturn exited')) {
      if (Date.now() > deadline) throw new Error(`the wizard did not quit on q; screen:\n${screen}`);
      await new Promise((r) => setTimeout(r, 200));
      screen = (await exec('tmux', ['-L', socket, 'capture-pane', '-p', '-J', '-t', 'wizard'])).stdout;
    }
    expect(screen).toContain('keyturn exited 0');
  }, 240_000);

  it('is a kubectl plugin: kubectl finds kubectl-keyturn on PATH, and its help names `kubectl keyturn`', async () => {
    const list = await exec('kubectl', ['plugin', 'list'], { env, cwd: tmp });
    expect(list.stdout).toContain(path.join(bin, 'kubectl-keyturn'));
    const { stdout } = await exec('kubectl', ['keyturn', '--help'], { env, cwd: tmp });
    expect(stdout).toMatch(/^Usage: kubectl keyturn \[options\] \[command\]/);
  });
});

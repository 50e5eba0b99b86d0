// The package as npm ships it: `npm pack`, then `npm install -g` of the tarball into a temporary prefix with runtime
// dependencies only (no esbuild, no tsx), and the installed `keyturn` runs --help, a status scan of a lab and the
// demo in a terminal. A tarball without dist/, or a prepare script that needs a dev dependency, fails here.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusReport } from '../../src/model/status.js';
import { haveBinaries } from '../support/binaries.js';
import { startLab, waitFor, type LabHandle } from '../support/lab.js';
import { repoRoot } from '../support/paths.js';

const exec = promisify(execFile);
const ok = haveBinaries('tmux', 'npm');

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(file: string, args: string[], env: Record<string, string> = {}, cwd = os.tmpdir()): Promise<Ran> {
  try {
    const { stdout, stderr } = await exec(file, args, {
      cwd,
      env: { ...process.env, ...env },
      maxBuffer: 32 << 20,
      timeout: 240_000,
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

describe.skipIf(!ok)('the npm package: packed, installed with runtime dependencies only, run', () => {
  let work = '';
  let prefix = '';
  let keyturn = '';
  let packed: string[] = [];
  let lab: LabHandle | undefined;
  /** PATH without the checkout's node_modules/.bin: the installed keyturn must not lean on dev tools. */
  const PATH = '/usr/local/bin:/usr/bin:/bin';

  beforeAll(async () => {
    if (!existsSync(path.join(repoRoot, 'dist/bundle/cli.js')))
      throw new Error('dist/bundle is missing: run `npm run build` (npm test does) first');
    work = mkdtempSync(path.join(os.tmpdir(), 'kt-pack-'));
    prefix = path.join(work, 'prefix');
    // --ignore-scripts: `npm test` has just built dist/, and a rebuild here would pull the bundle from under the
    // tests running beside this one.
    const pack = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], {}, repoRoot);
    expect(pack.code, pack.stderr).toBe(0);
    const [info] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
    packed = info.files.map((f) => f.path);
    const install = await run('npm', [
      'install',
      '-g',
      '--prefix',
      prefix,
      '--omit=dev',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      path.join(work, info.filename),
    ]);
    expect(install.code, install.stderr).toBe(0);
    keyturn = path.join(prefix, 'bin/keyturn');
  }, 300_000);

  afterAll(async () => {
    await lab?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('the tarball holds the launcher and the bundle, not the sources', () => {
    expect(packed).toContain('bin/keyturn.js');
    expect(packed).toContain('dist/bundle/cli.js');
    expect(packed.filter((f) => f.startsWith('src/') || f.startsWith('test/'))).toEqual([]);
  });

  it('installs without dev dependencies', () => {
    const installed = path.join(prefix, 'lib/node_modules/keyturn/node_modules');
    for (const dev of ['esbuild', 'tsx', 'vitest', 'typescript', 'ink-testing-library'])
      expect(existsSync(path.join(installed, dev)), dev).toBe(false);
    expect(existsSync(path.join(installed, '@kubernetes/client-node'))).toBe(true);
  });

  it('keyturn --help', async () => {
    const r = await run(keyturn, ['--help'], { PATH });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\s+status\b/m);
  });

  it('keyturn status --json scans a lab: every node reached, every check passing', async () => {
    lab = await startLab({ topology: 'split', etcd: 'emulated' });
    const config = mkdtempSync(path.join(work, 'conf-'));
    const r = await run(keyturn, ['status', '--json', '--kubeconfig', lab.kubeconfig, '--inventory', lab.inventory], {
      PATH,
      KEYTURN_CONFIG_DIR: config,
    });
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout) as StatusReport;
    expect(report.nodes.map((n) => n.name).sort()).toEqual(lab.nodes.map((n) => n.name).sort());
    expect(report.checks.filter((c) => c.status !== 'pass')).toEqual([]);
    expect(r.code).toBe(0);
    await lab.stop();
    lab = undefined;
  }, 180_000);

  it('keyturn demo opens the wizard on its lab in a terminal and quits cleanly', async () => {
    const socket = `kt-pack-${process.pid}`;
    const tmux = (...args: string[]) => run('tmux', ['-L', socket, ...args]);
    const net = `127.${20 + (process.pid % 200)}.253`;
    const env = `PATH=${PATH} KEYTURN_CONFIG_DIR=${path.join(work, 'demo-conf')} KEYTURN_STATE_DIR=${path.join(work, 'demo-state')}`;
    try {
      const started = await tmux(
        'new-session',
        '-d',
        '-s',
        'demo',
        '-x',
        '160',
        '-y',
        '50',
        `env ${env} ${keyturn} demo --speed 20 --net ${net}; echo "keyturn exited $?"; sleep 600`,
      );
      expect(started.code, started.stderr).toBe(0);
      const screen = () => tmux('capture-pane', '-p', '-J', '-t', 'demo').then((r) => r.stdout);
      const table = await waitFor(
        'the wizard with the lab nodes',
        async () => {
          const s = await screen();
          return /etcd-1/.test(s) && /agent-1/.test(s) && !/scanning/.test(s) ? s : undefined;
        },
        120_000,
      );
      expect(table).not.toMatch(/ERR_MODULE_NOT_FOUND|Error:/);
      await tmux('send-keys', '-t', 'demo', 'q');
      const end = await waitFor(
        'keyturn to exit',
        async () => {
          const s = await screen();
          return /keyturn exited \d+/.test(s) ? s : undefined;
        },
        60_000,
      );
      expect(end).toContain('keyturn exited 0');
    } finally {
      await tmux('kill-server');
    }
  }, 240_000);
});

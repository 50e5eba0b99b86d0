// The launcher users run (bin/keyturn.js → the bundle in dist/bundle, built by `npm test` and `npm ci`): every
// other test spawns it too (test/support/paths.ts); this one proves the launcher itself — help, a full status scan of
// the lab (the Kubernetes client loaded from outside the bundle, node shells, checks), and a usage error.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusReport } from '../src/model/status.js';
import { startLab, type LabHandle } from './support/lab.js';
import { repoRoot } from './support/paths.js';

const exec = promisify(execFile);
const launcher = path.join(repoRoot, 'bin/keyturn.js');

async function keyturn(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [launcher, ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      maxBuffer: 32 << 20,
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

describe('bin/keyturn.js (the bundle)', () => {
  let lab: LabHandle;
  let configDir = '';

  beforeAll(async () => {
    if (!existsSync(path.join(repoRoot, 'dist/bundle/cli.js'))) {
      throw new Error('dist/bundle/cli.js is missing: run `npm run build` (npm test does) before this test');
    }
    configDir = mkdtempSync(path.join(os.tmpdir(), 'kt-launcher-'));
    lab = await startLab({ topology: 'split', etcd: 'emulated' });
  }, 120_000);

  afterAll(async () => {
    await lab?.stop();
    if (configDir) rmSync(configDir, { recursive: true, force: true });
  });

  it('prints help with every command', async () => {
    const { code, stdout } = await keyturn(['--help']);
    expect(code).toBe(0);
    for (const command of ['status', 'plan', 'run', 'resume', 'report', 'lab', 'demo'])
      expect(stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
  });

  it('scans the lab: every node reached, every check passing', async () => {
    const { code, stdout, stderr } = await keyturn(
      ['status', '--json', '--kubeconfig', lab.kubeconfig, '--inventory', lab.inventory],
      { KEYTURN_CONFIG_DIR: configDir },
    );
    expect(stderr).toBe('');
    const report = JSON.parse(stdout) as StatusReport;
    expect(report.cluster).toMatchObject({ source: 'api', apiReachable: true, distro: 'rke2' });
    expect(report.nodes.map((n) => n.name).sort()).toEqual(lab.nodes.map((n) => n.name).sort());
    expect(report.nodes.filter((n) => !n.reachable || n.certificates.length === 0)).toEqual([]);
    expect(report.checks.filter((c) => c.status !== 'pass')).toEqual([]);
    expect(code).toBe(0);
  });

  it('answers like other CLIs: --version, help <command>, an unknown command with the nearest one, exit codes in --help', async () => {
    const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    expect(await keyturn(['--version'])).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
    expect(await keyturn(['-V'])).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
    const help = await keyturn(['help', 'status']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: keyturn status/);
    const typo = await keyturn(['stauts']);
    expect(typo).toMatchObject({ code: 2, stdout: '' });
    expect(typo.stderr).toMatch(
      /^keyturn: unknown command 'stauts' \(did you mean 'status'\?\); commands: status, plan, run, [^\n]*\n$/,
    );
    const unknown = await keyturn(['frobnicate']);
    expect(unknown).toMatchObject({ code: 2, stdout: '' });
    expect(unknown.stderr).toMatch(/^keyturn: unknown command 'frobnicate'; commands: /);
    const top = await keyturn(['--help']);
    expect(top.stdout).toMatch(/Exit codes:\n\s+0 [^\n]+\n\s+1 [^\n]+\n\s+2 /);
  });

  it('turns an unknown recipe into one line and exit 2', async () => {
    const { code, stdout, stderr } = await keyturn(
      ['plan', 'rotate-everything', '--kubeconfig', lab.kubeconfig, '--inventory', lab.inventory],
      { KEYTURN_CONFIG_DIR: configDir },
    );
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/rotate-everything/);
  });

  it("loads Ink's layout engine without Node's fetch (the build's Yoga patch; undici costs ~150 ms of startup)", async () => {
    // A fresh process, so that its list of loaded internal modules says only what loading Ink's chunk did.
    const script = [
      "import { readdirSync, readFileSync } from 'node:fs';",
      "import path from 'node:path';",
      'const dir = process.argv[1];',
      "const chunk = readdirSync(dir).find((f) => f.endsWith('.js') && readFileSync(path.join(dir, f), 'utf8').includes('node_modules/yoga-layout/dist/binaries/'));",
      "if (!chunk) throw new Error('no chunk holds Yoga');",
      // Evaluating the chunk instantiates Yoga's WebAssembly (a top-level await): the path under test.
      'await import(path.join(dir, chunk));',
      'console.log(JSON.stringify({ chunk, undici: process.moduleLoadList.filter((m) => m.includes("undici")) }));',
    ].join('\n');
    const { stdout } = await exec(process.execPath, [
      '--input-type=module',
      '-e',
      script,
      path.join(repoRoot, 'dist/bundle'),
    ]);
    const loaded = JSON.parse(stdout) as { chunk: string; undici: string[] };
    expect(loaded.chunk).toMatch(/\.js$/);
    expect(loaded.undici).toEqual([]);
  });
});

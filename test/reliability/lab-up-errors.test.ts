// `lab up` and `demo` on addresses another lab holds, or on a directory that cannot be made: one line naming the
// flag and the fix, exit 2, no stack, nothing left running or written. Spawns the built launcher, as users run it.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveBinaries } from '../support/binaries.js';
import { startLab, type LabHandle } from '../support/lab.js';
import { repoRoot } from '../support/paths.js';

const exec = promisify(execFile);
const launcher = path.join(repoRoot, 'bin/keyturn.js');

async function keyturn(args: string[], timeout = 60_000): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [launcher, ...args], { cwd: repoRoot, timeout });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

/** The last stderr line is the one error line; nothing looks like a stack frame. */
function expectOneLine(stderr: string, ...parts: string[]): void {
  expect(stderr, stderr).not.toMatch(/^\s+at /m);
  const last = stderr.trim().split('\n').at(-1) ?? '';
  expect(last).toMatch(/^keyturn: /);
  for (const p of parts) expect(last).toContain(p);
}

describe('lab up and demo where the addresses are taken', () => {
  let lab: LabHandle;
  let work = '';
  beforeAll(async () => {
    lab = await startLab({ topology: 'split', etcd: 'emulated' });
    work = mkdtempSync(path.join(os.tmpdir(), 'kt-labup-'));
  }, 120_000);
  afterAll(async () => {
    await lab?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('a second lab on the same --net: one line naming --net, exit 2, its directory left empty', async () => {
    const dir = path.join(work, 'same-net');
    const r = await keyturn(['lab', 'up', '--dir', dir, '--net', lab.net, '--etcd', 'emulated']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expectOneLine(r.stderr, `--net ${lab.net}`, 'pass another --net');
    expect(readdirSync(dir)).toEqual([]);
  });

  it("a second lab on the first one's API port: one line naming --api-port, exit 2", async () => {
    const port = new URL(/server: (\S+)/.exec(readFileSync(lab.kubeconfig, 'utf8'))![1]).port;
    const free = `${lab.net.split('.').slice(0, 2).join('.')}.${(Number(lab.net.split('.')[2]) + 101) % 250}`;
    const r = await keyturn([
      'lab',
      'up',
      '--dir',
      path.join(work, 'same-port'),
      '--net',
      free,
      '--api-port',
      port,
      '--etcd',
      'emulated',
    ]);
    expect(r.code).toBe(2);
    expectOneLine(r.stderr, `--api-port ${port}`, 'already in use');
  });

  it('demo on a busy --net says so in one line and exits 2', async () => {
    // The demo wants a terminal: script(1) gives it one.
    if (!haveBinaries('script')) throw new Error('script (util-linux) is needed for this test');
    const r = await exec('script', ['-qec', `${process.execPath} ${launcher} demo --net ${lab.net}`, '/dev/null'], {
      cwd: repoRoot,
      timeout: 90_000,
    }).then(
      (ok) => ({ code: 0, out: ok.stdout }),
      (e: { code?: number; stdout?: string }) => ({ code: e.code ?? -1, out: e.stdout ?? '' }),
    );
    expect(r.code).toBe(2);
    expect(r.out).not.toMatch(/^\s+at /m);
    expect(r.out).toContain(`--net ${lab.net}: the lab's node addresses are in use`);
  }, 120_000);
});

describe('lab up --dir that cannot be made', () => {
  it.each([
    ['/proc/keyturn-lab', 'cannot create'],
    ['/etc/hostname/lab', 'is not a directory'],
  ])('%s: one line, exit 2, promptly', async (dir, what) => {
    const r = await keyturn(['lab', 'up', '--dir', dir], 20_000);
    expect(r.code).toBe(2);
    expectOneLine(r.stderr, `--dir ${dir}`, what);
  });
});

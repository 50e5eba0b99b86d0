// The harness around the tests: the unit/system split, the guard that keeps system processes out of the unit
// project, the stale-dist check, and the summary reporter's slowest files and closing line.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { staleness } from './support/built.js';
import { repoRoot } from './support/paths.js';
import { splitTestFiles } from './support/projects.js';
import SummaryReporter from './support/summary-reporter.js';

describe('test projects', () => {
  const { unit, system } = splitTestFiles(repoRoot);

  it('puts every test file in exactly one project', () => {
    expect(unit.filter((f) => system.includes(f))).toEqual([]);
    expect(unit.length).toBeGreaterThan(40);
    expect(system.length).toBeGreaterThan(40);
  });

  it('makes files that start labs, sshd, tmux or the CLI (directly or through a helper) system tests', () => {
    for (const file of [
      'test/e2e/run-k3s.test.ts', // startLab + run-tmux
      'test/transports/ssh-shell.test.ts', // sshd
      'test/conformance/e2e-rotateca.test.ts', // through test/conformance's helper
      'test/journal/abandon-command.test.ts', // spawns the launcher
      'test/reliability/run-faults-interrupt.test.ts', // the bundled kill child
      'test/build/bundle-patches.test.ts', // test/build
    ])
      expect(system, file).toContain(file);
    for (const file of [
      'test/util/closest.test.ts',
      'test/engine/plan-unit.test.ts',
      'test/screens/App.test.tsx',
      'test/test-harness.test.ts',
    ])
      expect(unit, file).toContain(file);
  });

  it('refuses, in the unit project, to start a system process', () => {
    // This file is a unit test, so test/support/unit-guard.ts wraps child_process here.
    expect(() => spawnSync('tmux', ['-V'])).toThrow(/unit test started `tmux -V`: a system process/);
    expect(() => spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'keyturn.js'), '--version'])).toThrow(
      /system process/,
    );
    expect(spawnSync('sh', ['-c', 'echo ok'], { encoding: 'utf8' }).stdout).toBe('ok\n');
  });
});

describe('stale dist', () => {
  it('rebuilds an output that is missing or older than any of its inputs, not one that is newer', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kt-stale-'));
    const input = path.join(dir, 'in.ts');
    const output = path.join(dir, 'out.js');
    writeFileSync(input, 'x');
    expect(staleness(output, [dir])).toMatch(/is missing$/);
    writeFileSync(output, 'y');
    utimesSync(input, new Date(1_000_000), new Date(1_000_000));
    utimesSync(dir, new Date(1_000_000), new Date(1_000_000));
    expect(staleness(output, [input])).toBeNull();
    utimesSync(input, new Date(), new Date(Date.now() + 5_000));
    expect(staleness(output, [input])).toMatch(/is older than its sources$/);
  });
});

describe('summary reporter', () => {
  const mod = (file: string, ms: number, states: string[]) => ({
    relativeModuleId: file,
    project: { name: 'system' },
    state: () => (states.includes('failed') ? 'failed' : 'passed'),
    diagnostic: () => ({ setupDuration: 0, collectDuration: 100, duration: ms - 100 }),
    children: { allTests: () => states.map((s) => ({ result: () => ({ state: s }) }))[Symbol.iterator]() },
  });

  it('prints the 10 slowest files, slowest first, then the closing line CI reads, unchanged', () => {
    const written: string[] = [];
    const spy = vi
      .spyOn(process.stdout, 'write')
      .mockImplementation((chunk: string | Uint8Array) => (written.push(String(chunk)), true));
    try {
      const modules = Array.from({ length: 12 }, (_, i) =>
        mod(`test/f${i}.test.ts`, (i + 1) * 1000, i === 3 ? ['failed', 'passed'] : ['passed', 'skipped']),
      );
      new SummaryReporter().onTestRunEnd(modules as never);
    } finally {
      spy.mockRestore();
    }
    const out = written.join('');
    const listed = [...out.matchAll(/^\s+([\d.]+) s {2}(\S+)/gm)].map((m) => [m[1], m[2]]);
    expect(listed.length).toBe(10);
    expect(listed[0]).toEqual(['12.0', 'test/f11.test.ts']);
    expect(listed[9]).toEqual(['3.0', 'test/f2.test.ts']);
    expect(out.endsWith('\ntests: 12 passed, 1 failed, 11 skipped\n')).toBe(true);
  });
});

import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import type { InventoryNode } from '../../src/model/inventory.js';
import { FOLLOW_KEPT_BYTES } from '../../src/transports/exec-result.js';
import { createLocalShell } from '../../src/transports/local-shell.js';
import { describeShellContract } from './shell-contract.js';

const baseNode: InventoryNode = { name: 'local-1', address: '127.0.0.1', transport: 'local' };

describeShellContract('local shell', true, () => (patch) => createLocalShell({ ...baseNode, ...patch }));

describe('local shell specifics', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kt-local-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('resolves `sh` through node.env.PATH, as the lab relies on', async () => {
    const bin = path.join(dir, 'bin');
    const record = path.join(dir, 'sh-ran.log');
    mkdirSync(bin, { recursive: true });
    writeFileSync(path.join(bin, 'sh'), `#!/bin/sh\necho "wrapper saw: $*" >> '${record}'\nexec /bin/sh "$@"\n`);
    chmodSync(path.join(bin, 'sh'), 0o755);
    const shell = createLocalShell({ ...baseNode, env: { PATH: `${bin}:${process.env.PATH}` } });
    const result = await shell.run('echo via-wrapper');
    expect(result).toMatchObject({ outcome: 'ok', stdout: 'via-wrapper\n' });
    expect(readFileSync(record, 'utf8')).toBe('wrapper saw: -c echo via-wrapper\n');
  });

  it('reports a shell that cannot start as a connection failure, not a throw', async () => {
    const shell = createLocalShell({ ...baseNode, env: { PATH: path.join(dir, 'empty-path') } });
    const result = await shell.run('true');
    expect(result.outcome).toBe('connection');
    expect(result.stderr).toMatch(/ENOENT/);
  });

  it('keeps only the tail of huge output', async () => {
    const shell = createLocalShell(baseNode);
    const result = await shell.run("head -c 6000000 /dev/zero | tr '\\0' a; echo END");
    expect(result.outcome).toBe('ok');
    expect(result.stdout.length).toBe(4 * 1024 * 1024);
    expect(result.stdout.endsWith('aaaEND\n')).toBe(true);
  });

  it('a follow hands every line over and keeps only the last 64 KiB of its own output', async () => {
    const shell = createLocalShell(baseNode);
    let count = 0;
    let last = '';
    const result = await shell.follow('i=0; while [ $i -lt 20000 ]; do echo "line $i of the tail"; i=$((i+1)); done', {
      signal: new AbortController().signal,
      onLine: (line) => {
        count++;
        last = line;
      },
    });
    expect(count).toBe(20000);
    expect(last).toBe('line 19999 of the tail');
    expect(result.stdout.length).toBeLessThanOrEqual(FOLLOW_KEPT_BYTES);
    expect(result.stdout.length).toBeGreaterThan(FOLLOW_KEPT_BYTES - 100);
    expect(result.stdout.endsWith('line 19999 of the tail\n')).toBe(true);
  });

  it('rejects an env name that is not a variable name when the shell is built', () => {
    expect(() => createLocalShell({ ...baseNode, env: { 'A;touch x': '1' } })).toThrow(UsageError);
  });
});

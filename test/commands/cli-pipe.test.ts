// A reader that stops early (`keyturn --help | head -1`) closes the pipe under keyturn: that is the reader's
// choice, not an error to report with a stack trace.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cliArgs } from '../support/paths.js';

describe('stdout closed by its reader', () => {
  it('keyturn --help into a pipe closed after one line: no stack, no error, exit 0', async () => {
    const child = spawn(process.execPath, [...cliArgs, '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const firstLine = await new Promise<string>((resolve) => {
      child.stdout.once('data', (d: Buffer) => {
        child.stdout.destroy(); // what `head -1` does after its line
        resolve(d.toString().split('\n')[0]);
      });
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(firstLine).toBe('Usage: keyturn [options] [command]');
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});

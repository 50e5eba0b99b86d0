// The behaviour every NodeShell must have, run against the local shell and against ssh to a real sshd.
// Every "is it gone?" check uses a random marker in the command's argv and pgrep on this machine (the sshd is local).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import type { InventoryNode } from '../../src/model/inventory.js';
import type { NodeShell } from '../../src/transports/types.js';
import { shJoin } from '../../src/util/shell-quote.js';
import { REMOVED_MARK } from '../../src/util/untrusted-text.js';

const execFileAsync = promisify(execFile);

/** Builds a shell for a node; `patch` adds env or renames the node. */
export type ShellFactory = (patch?: Partial<InventoryNode>) => NodeShell;

export function uniqueToken(): string {
  return randomBytes(6).toString('hex');
}

/** A sleep whose argv is unique, e.g. `sleep 987.123456`, so pgrep can find exactly this process. */
export function uniqueSleep(): { script: string; pattern: string } {
  const digits = String(Math.floor(Math.random() * 1e9)).padStart(9, '0');
  return { script: `sleep 987.${digits}`, pattern: `987\\.${digits}` };
}

export async function processesMatching(pattern: string): Promise<string[]> {
  try {
    const { stdout } = await execFileAsync('pgrep', ['-a', '-f', pattern]);
    return stdout.split('\n').filter(Boolean);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

export function describeShellContract(name: string, available: boolean, makeShell: () => ShellFactory): void {
  describe.skipIf(!available)(`${name}: NodeShell contract`, () => {
    const shells: NodeShell[] = [];
    const shell = (patch?: Partial<InventoryNode>) => {
      const created = makeShell()(patch);
      shells.push(created);
      return created;
    };
    afterEach(async () => {
      await Promise.all(shells.splice(0).map((s) => s.dispose()));
    });

    it('runs a script and reports stdout, stderr and the exit code', async () => {
      const result = await shell().run('echo out; echo err >&2; exit 3');
      expect(result).toMatchObject({ outcome: 'exit', code: 3, stdout: 'out\n', stderr: 'err\n' });
      expect(result.durationMs).toBeGreaterThanOrEqual(0);
      const ok = await shell().run('printf ok');
      expect(ok).toMatchObject({ outcome: 'ok', code: 0, stdout: 'ok', stderr: '' });
    });

    it('applies the node env and feeds stdin', async () => {
      const result = await shell({ env: { KT_GREETING: 'hello node' } }).run('printf "%s|" "$KT_GREETING"; cat', {
        stdin: 'from stdin\n',
      });
      expect(result.stdout).toBe('hello node|from stdin\n');
    });

    it('passes hostile names, env values and arguments verbatim and runs none of them', async () => {
      const pwned = `/tmp/pwned-${uniqueToken()}`;
      const hostile = `;touch ${pwned}; $(touch ${pwned}) \`touch ${pwned}\` 'q' "dq" \\ \n;touch ${pwned}\n$HOME *`;
      const node = shell({ name: `n1;touch ${pwned}`, env: { KT_HOSTILE: hostile } });
      const fromEnv = await node.run('printf "%s" "$KT_HOSTILE"');
      const fromArgs = await node.run(shJoin(['printf', '%s', hostile]));
      expect(fromEnv).toMatchObject({ outcome: 'ok', stdout: hostile, node: `n1;touch ${pwned}` });
      expect(fromArgs).toMatchObject({ outcome: 'ok', stdout: hostile });
      expect(existsSync(pwned)).toBe(false);
    });

    it('reports a missing program as command-missing', async () => {
      const result = await shell().run(`keyturn-no-such-program-${uniqueToken()} --version`);
      expect(result.outcome).toBe('command-missing');
      expect(result.code).toBe(127);
    });

    it('stops a command that outlives its timeout, and the process is gone', async () => {
      const sleep = uniqueSleep();
      const result = await shell().run(`${sleep.script}; echo finished`, { timeoutMs: 1500 });
      expect(result).toMatchObject({ outcome: 'timeout', code: null, stdout: '' });
      expect(await processesMatching(sleep.pattern)).toEqual([]);
    });

    it('stops a command when the caller aborts, and a pre-aborted signal runs nothing', async () => {
      const sleep = uniqueSleep();
      const result = await shell().run(sleep.script, { signal: AbortSignal.timeout(1500) });
      expect(result.outcome).toBe('aborted');
      expect(await processesMatching(sleep.pattern)).toEqual([]);

      const marker = `/tmp/kt-not-run-${uniqueToken()}`;
      const controller = new AbortController();
      controller.abort();
      const skipped = await shell().run(`touch ${marker}`, { signal: controller.signal });
      expect(skipped.outcome).toBe('aborted');
      expect(existsSync(marker)).toBe(false);
    });

    it('decodes invalid UTF-8 with replacement characters instead of failing', async () => {
      const result = await shell().run("printf '\\377\\376ok'");
      expect(result.outcome).toBe('ok');
      expect(result.stdout).toBe('\uFFFD\uFFFDok');
    });

    // Node output is untrusted (issue #15): OSC 0 (window title), OSC 52 (clipboard), SGR and cursor moves never
    // leave the transport; each leaves a visible mark, and newlines, tabs and UTF-8 come through for the parsers.
    const HOSTILE =
      "printf 'a\\033]0;pwned\\007b\\tc ✓\\n\\033]52;c;cHduZWQ=\\007\\033[31mred\\033[0m\\033[2A\\033[2K\\r\\n'";
    const CLEAN = `a${REMOVED_MARK}b\tc ✓\n${REMOVED_MARK}${REMOVED_MARK}red${REMOVED_MARK}${REMOVED_MARK}${REMOVED_MARK}\n`;

    it('neutralises escape sequences in stdout and stderr, keeping newlines, tabs and UTF-8', async () => {
      const result = await shell().run(`${HOSTILE}; ${HOSTILE} >&2; exit 1`);
      expect(result).toMatchObject({ outcome: 'exit', stdout: CLEAN, stderr: CLEAN });
    });

    it('follow() neutralises escape sequences in every line', async () => {
      const lines: Array<[string, string]> = [];
      await shell().follow(`${HOSTILE}; ${HOSTILE} >&2`, {
        signal: new AbortController().signal,
        onLine: (line, stream) => lines.push([stream, line]),
      });
      const expected = CLEAN.split('\n').slice(0, 2);
      expect(lines.filter(([s]) => s === 'stdout').map(([, l]) => l)).toEqual(expected);
      expect(lines.filter(([s]) => s === 'stderr').map(([, l]) => l)).toEqual(expected);
    });

    it('follow() delivers whole lines (partial last line, CRLF) when the command ends by itself', async () => {
      const lines: Array<[string, string]> = [];
      const result = await shell().follow("printf 'a\\r\\nb\\n'; printf 'warn\\n' >&2; printf 'c'", {
        signal: new AbortController().signal,
        onLine: (line, stream) => lines.push([stream, line]),
      });
      expect(result.outcome).toBe('ok');
      expect(lines.filter(([s]) => s === 'stdout').map(([, l]) => l)).toEqual(['a', 'b', 'c']);
      expect(lines.filter(([s]) => s === 'stderr').map(([, l]) => l)).toEqual(['warn']);
    });

    it('follow() ends the followed process itself when the signal aborts', async () => {
      const sleep = uniqueSleep();
      const controller = new AbortController();
      const lines: string[] = [];
      const result = await shell().follow(`echo ready; ${sleep.script}`, {
        signal: controller.signal,
        onLine: (line) => {
          lines.push(line);
          if (line === 'ready') controller.abort();
        },
      });
      expect(result.outcome).toBe('aborted');
      expect(lines).toEqual(['ready']); // no marker or wrapper noise
      expect(await processesMatching(sleep.pattern)).toEqual([]);
    });
  });
}

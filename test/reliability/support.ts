// Shared by the reliability tests: run the built CLI in a sandbox (its own HOME, settings and state dirs, no
// KUBECONFIG from the caller), and a "tripwire" node whose shell leaves a marker file if keyturn ever runs on it.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { cliArgs, repoRoot } from '../support/paths.js';

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Sandbox {
  dir: string;
  home: string;
  configDir: string;
  stateDir: string;
  /** A path inside the sandbox. */
  file(name: string): string;
  write(name: string, text: string | Buffer): string;
  /** The environment every CLI run gets (`extra` on top; undefined removes a variable). */
  env(extra?: Record<string, string | undefined>): Record<string, string>;
  cli(args: string[], env?: Record<string, string | undefined>): Promise<CliResult>;
}

const CLI_DEADLINE_MS = 120_000;

export function makeSandbox(prefix = 'kt-rel-'): Sandbox {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  const home = path.join(dir, 'home');
  const configDir = path.join(dir, 'config');
  const stateDir = path.join(dir, 'state');
  mkdirSync(home);
  const file = (name: string) => path.join(dir, name);
  return {
    dir,
    home,
    configDir,
    stateDir,
    file,
    write(name, text) {
      const target = file(name);
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, text);
      return target;
    },
    env(extra = {}) {
      const base: Record<string, string | undefined> = {
        ...process.env,
        HOME: home,
        KEYTURN_CONFIG_DIR: configDir,
        KEYTURN_STATE_DIR: stateDir,
        KUBECONFIG: undefined,
        XDG_STATE_HOME: undefined,
        XDG_CONFIG_HOME: undefined,
        FORCE_COLOR: '0',
        ...extra,
      };
      return Object.fromEntries(Object.entries(base).filter((e): e is [string, string] => e[1] !== undefined));
    },
    cli(args, env = {}) {
      return runCli(args, this.env(env));
    },
  };
}

export function runCli(args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...cliArgs, ...args], {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    const timer = setTimeout(() => child.kill('SIGKILL'), CLI_DEADLINE_MS);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
}

/**
 * The bad-input contract: exit 2, nothing on stdout (no partial JSON), and stderr exactly one line
 * "keyturn: ..." that contains every `mentions` (the input's name and the fix).
 */
export function expectOneLineError(result: CliResult, mentions: (string | RegExp)[]): string {
  const context = `exit ${result.code}\nstdout: ${JSON.stringify(result.stdout)}\nstderr: ${JSON.stringify(result.stderr)}`;
  expect(result.code, context).toBe(2);
  expect(result.stdout, context).toBe('');
  expect(result.stderr, context).toMatch(/^keyturn: [^\n]+\n$/);
  const line = result.stderr.trimEnd();
  for (const m of mentions) {
    if (typeof m === 'string') expect(line, context).toContain(m);
    else expect(line, context).toMatch(m);
  }
  return line;
}

/**
 * A node that runs through the `local` transport with a PATH whose `sh` first touches `marker`: if keyturn ever
 * runs anything on it, the marker exists. Returns the inventory entry as YAML flow text.
 */
export function tripwireNode(box: Sandbox, name = 'tripwire'): { entry: string; marker: string; fired: () => boolean } {
  const bin = box.file(`${name}-bin`);
  const marker = box.file(`${name}.fired`);
  mkdirSync(bin, { recursive: true });
  const sh = path.join(bin, 'sh');
  writeFileSync(sh, `#!/bin/sh\n: > ${JSON.stringify(marker)}\nexec /bin/sh "$@"\n`);
  chmodSync(sh, 0o755);
  const entry = `{name: ${name}, address: 127.0.0.1, roles: [worker], distro: rke2, transport: local, env: {PATH: ${JSON.stringify(`${bin}:/usr/bin:/bin`)}}}`;
  return { entry, marker, fired: () => existsSync(marker) };
}

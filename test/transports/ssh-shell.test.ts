import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import type { InventoryNode } from '../../src/model/inventory.js';
import { createSshShell } from '../../src/transports/ssh-shell.js';
import { haveBinaries } from '../support/binaries.js';
import { startSshd, type TestSshd } from '../support/sshd.js';
import { describeShellContract, processesMatching, uniqueSleep, uniqueToken } from './shell-contract.js';

const available = haveBinaries('sshd', 'ssh', 'ssh-keygen', 'pgrep');
let sshd: TestSshd;
/** Short on purpose: control sockets must fit in a unix socket path. */
const controlRoot = mkdtempSync('/tmp/kt-ctl-');

function sshNode(patch: Partial<InventoryNode> = {}): InventoryNode {
  return {
    name: 'ssh-1',
    address: sshd.host,
    transport: 'ssh',
    ssh: { port: sshd.port, user: sshd.user, identityFile: sshd.identityFile, options: sshd.sshOptions },
    ...patch,
  };
}

function freshControlDir(): string {
  return mkdtempSync(path.join(controlRoot, 'c'));
}

beforeAll(async () => {
  if (available) sshd = await startSshd();
});
afterAll(async () => {
  await sshd?.stop();
  rmSync(controlRoot, { recursive: true, force: true });
});

// One control dir for the contract tests: they share a master connection, as a real session does.
describeShellContract('ssh shell', available, () => {
  const controlDir = path.join(controlRoot, 'shared');
  return (patch) => createSshShell(sshNode(patch), { controlDir });
});

describe.skipIf(!available)('ssh shell specifics', () => {
  it('reuses one connection for many commands through the control socket', async () => {
    const controlDir = freshControlDir();
    const acceptedBefore = countAccepted();
    const shell = createSshShell(sshNode(), { controlDir });
    const first = await shell.run('echo one');
    const second = await shell.run('echo two');
    const third = await shell.run('echo three');
    expect([first, second, third].map((r) => r.stdout)).toEqual(['one\n', 'two\n', 'three\n']);
    expect(countAccepted() - acceptedBefore).toBe(1);
    expect(readdirSync(controlDir)).toHaveLength(1); // the master's socket
    await shell.dispose();
    expect(readdirSync(controlDir)).toHaveLength(0);
  });

  it('refuses an unknown host key: connection failure, host-key message, nothing run', async () => {
    const emptyKnownHosts = path.join(freshControlDir(), 'known_hosts');
    writeFileSync(emptyKnownHosts, '');
    const marker = `/tmp/kt-hostkey-${uniqueToken()}`;
    const node = sshNode();
    const shell = createSshShell(
      { ...node, ssh: { ...node.ssh, options: [`UserKnownHostsFile=${emptyKnownHosts}`] } },
      { controlDir: freshControlDir() }, // a fresh dir: an existing master would skip the host-key check
    );
    const result = await shell.run(`touch ${marker}`);
    expect(result.outcome).toBe('connection');
    expect(result.code).toBe(255);
    expect(result.stderr).toMatch(/host key verification failed/i);
    expect(existsSync(marker)).toBe(false);
    await shell.dispose();
  });

  it('reports a refused connection as a connection failure', async () => {
    const shell = createSshShell(sshNode({ ssh: { port: 1, options: sshd.sshOptions } }), {
      controlDir: freshControlDir(),
      connectTimeoutSeconds: 3,
    });
    const result = await shell.run('true');
    expect(result.outcome).toBe('connection');
    expect(result.stderr).toMatch(/refused/i);
  });

  it('reports a connection dropped mid-command as a connection failure, not a throw', async () => {
    const sleep = uniqueSleep();
    const shell = createSshShell(sshNode(), { controlDir: freshControlDir() });
    const result = await shell.follow(`echo running; ${sleep.script}`, {
      signal: new AbortController().signal,
      onLine: (line) => {
        if (line === 'running') void dropAllConnections();
      },
    });
    expect(result.outcome).toBe('connection');
    expect(result.code).toBe(255);
    // The node-side sleep is orphaned by the drop; end it so it does not outlive the test.
    await killMatching(sleep.pattern);
    await shell.dispose();
  });

  describe('a one-shot command (a status scan)', () => {
    it('is one ssh process that opens no master, and leaves nothing for dispose to stop', async () => {
      const controlDir = freshControlDir();
      const ssh = loggingSsh();
      const before = countAccepted();
      const shell = createSshShell(sshNode(), { controlDir, sshBinary: ssh.binary });
      const result = await shell.run('echo once', { oneShot: true });
      expect(result).toMatchObject({ outcome: 'ok', stdout: 'once\n' });
      expect(readdirSync(controlDir)).toEqual([]); // no master's socket
      await shell.dispose();
      const calls = ssh.calls();
      expect(calls, calls.join('\n---\n')).toHaveLength(1);
      expect(calls[0]).toContain('ControlMaster=no');
      expect(calls[0]).not.toMatch(/ControlPersist| -G | -N | -O /);
      expect(countAccepted() - before).toBe(1);
    });

    it('rides a master that is already up instead of connecting again', async () => {
      const controlDir = freshControlDir();
      const shell = createSshShell(sshNode(), { controlDir });
      expect((await shell.run('true')).outcome).toBe('ok'); // a session command: opens the master
      const before = countAccepted();
      expect(await shell.run('echo ride', { oneShot: true })).toMatchObject({ outcome: 'ok', stdout: 'ride\n' });
      expect(countAccepted() - before).toBe(0);
      await shell.dispose();
      expect(readdirSync(controlDir)).toHaveLength(0);
    });

    it('still checks the host key: an unknown one is a connection failure and nothing runs', async () => {
      const emptyKnownHosts = path.join(freshControlDir(), 'known_hosts');
      writeFileSync(emptyKnownHosts, '');
      const marker = `/tmp/kt-hostkey-${uniqueToken()}`;
      const node = sshNode();
      const shell = createSshShell(
        { ...node, ssh: { ...node.ssh, options: [`UserKnownHostsFile=${emptyKnownHosts}`] } },
        { controlDir: freshControlDir() },
      );
      const result = await shell.run(`touch ${marker}`, { oneShot: true });
      expect(result).toMatchObject({ outcome: 'connection', code: 255 });
      expect(result.stderr).toMatch(/host key verification failed/i);
      expect(existsSync(marker)).toBe(false);
    });

    it('on timeout is ended on the node too, without opening a master to do it', async () => {
      const controlDir = freshControlDir();
      const sleep = uniqueSleep();
      const shell = createSshShell(sshNode(), { controlDir });
      const result = await shell.run(`echo up; ${sleep.script}`, { oneShot: true, timeoutMs: 1_500 });
      expect(result.outcome).toBe('timeout');
      expect(await processesMatching(sleep.pattern)).toEqual([]);
      expect(readdirSync(controlDir)).toEqual([]);
    });
  });

  it('dispose stops the master once: a second dispose starts no ssh', async () => {
    const controlDir = freshControlDir();
    const ssh = loggingSsh();
    const shell = createSshShell(sshNode(), { controlDir, sshBinary: ssh.binary });
    expect((await shell.run('true')).outcome).toBe('ok');
    await shell.dispose();
    await shell.dispose();
    expect(ssh.calls().filter((argv) => / -O stop /.test(argv))).toHaveLength(1);
    expect(readdirSync(controlDir)).toHaveLength(0);
  });

  it('rejects a control dir too long for a unix socket path', () => {
    expect(() => createSshShell(sshNode(), { controlDir: `/tmp/${'x'.repeat(80)}` })).toThrow(UsageError);
  });

  it('rejects an env name that is not a variable name', () => {
    expect(() => createSshShell(sshNode({ env: { 'X Y': '1' } }), { controlDir: freshControlDir() })).toThrow(
      /not a valid variable name/,
    );
  });
});

describe.skipIf(!available)('ssh shell: one master connection per target', () => {
  // A server that, like a busy one, drops connections beyond 2 that are not yet authenticated: a burst of parallel
  // first connections fails here unless they wait for one master connection.
  let busy: TestSshd;
  beforeAll(async () => {
    busy = await startSshd({ maxStartups: '2' });
  });
  afterAll(async () => {
    await busy?.stop();
  });

  const busyNode = (name = 'busy-1', address: string = busy.host): InventoryNode => ({
    name,
    address,
    transport: 'ssh',
    ssh: {
      port: busy.port,
      user: busy.user,
      identityFile: busy.identityFile,
      options: [...busy.sshOptions, 'HostName=127.0.0.1'],
    },
  });
  const accepted = () => countAccepted(busy);
  /** What ssh itself says when connections race or are dropped. */
  const SSH_TROUBLE = /ControlSocket|multiplexing|mux_client|control master|kex_exchange|Connection (closed|reset)/;

  it('8 commands and a log follow started at once on a fresh target all succeed over one connection (3 rounds)', async () => {
    for (let round = 0; round < 3; round++) {
      const before = accepted();
      const shell = createSshShell(busyNode(), { controlDir: freshControlDir() });
      const sleep = uniqueSleep();
      const stop = new AbortController();
      const followed: string[] = [];
      const followedStderr: string[] = [];
      const firstLine = deferred<void>();
      const following = shell.follow(`echo following; ${sleep.script}`, {
        signal: stop.signal,
        onLine: (line, stream) => {
          // The node's login shell may print its own complaints on stderr (as for the commands below).
          if (stream === 'stderr') return void followedStderr.push(line);
          followed.push(line);
          firstLine.resolve();
        },
      });
      const runs = await Promise.all(Array.from({ length: 8 }, (_, i) => shell.run(`echo command-${i}`)));
      expect(
        runs.map((r) => [r.outcome, r.stdout]),
        `round ${round}`,
      ).toEqual(Array.from({ length: 8 }, (_, i) => ['ok', `command-${i}\n`]));
      // (Not stderr === '': the node's login shell may print its own complaints.)
      for (const r of runs) expect(r.stderr).not.toMatch(SSH_TROUBLE);
      await firstLine.promise;
      expect(followed).toEqual(['following']);
      for (const line of followedStderr) expect(line).not.toMatch(SSH_TROUBLE);
      stop.abort();
      expect((await following).outcome).toBe('aborted');
      expect(await processesMatching(sleep.pattern)).toEqual([]);
      expect(accepted() - before, `round ${round}: connections accepted`).toBe(1);
      await shell.dispose();
    }
  });

  it('shells of three inventory names for the same host, port and user share one master', async () => {
    const controlDir = freshControlDir();
    const before = accepted();
    const shells = ['alias-a', 'alias-b', 'alias-c'].map((name) =>
      createSshShell(busyNode(name, `${name}.invalid`), { controlDir }),
    );
    const results = await Promise.all(
      shells.flatMap((shell) => [1, 2, 3].map((i) => shell.run(`echo ${shell.node}-${i}`))),
    );
    expect(results.map((r) => [r.outcome, r.stdout])).toEqual(
      shells.flatMap((shell) => [1, 2, 3].map((i) => ['ok', `${shell.node}-${i}\n`])),
    );
    for (const r of results) expect(r.stderr).not.toMatch(SSH_TROUBLE);
    expect(accepted() - before).toBe(1);
    expect(readdirSync(controlDir)).toHaveLength(1);
    await Promise.all(shells.map((shell) => shell.dispose()));
    expect(readdirSync(controlDir)).toHaveLength(0);
  });

  it("one shell's dispose does not cut off a command another shell runs through the same master", async () => {
    const controlDir = freshControlDir();
    const mark = path.join(freshControlDir(), 'go-on');
    const [a, b] = [
      createSshShell(busyNode('keeper'), { controlDir }),
      createSshShell(busyNode('leaver'), { controlDir }),
    ];
    expect((await b.run('true')).outcome).toBe('ok');
    const lines: string[] = [];
    const started = deferred<void>();
    const running = a.follow(`echo first; while [ ! -e ${mark} ]; do sleep 0.1; done; echo second`, {
      signal: new AbortController().signal,
      onLine: (line) => {
        lines.push(line);
        if (line === 'first') started.resolve();
      },
    });
    await started.promise;
    await b.dispose();
    writeFileSync(mark, '');
    const result = await running;
    expect(result).toMatchObject({ outcome: 'ok', stdout: 'first\nsecond\n' });
    expect(lines).toEqual(['first', 'second']);
    await a.dispose();
  });

  it('dispose ends a command still running, on the node too', async () => {
    const shell = createSshShell(busyNode(), { controlDir: freshControlDir() });
    const sleep = uniqueSleep();
    const started = deferred<void>();
    const running = shell.follow(`echo up; ${sleep.script}`, {
      signal: new AbortController().signal,
      onLine: () => started.resolve(),
    });
    await started.promise;
    expect((await processesMatching(sleep.pattern)).length).toBeGreaterThan(0);
    await shell.dispose();
    expect((await running).outcome).toBe('aborted');
    expect(await processesMatching(sleep.pattern)).toEqual([]);
  });

  describe('a multiplexing failure', () => {
    // An ssh in front of the real one that fails a node command with OpenSSH's mux messages, once.
    function flakySsh(when: 'before-start' | 'after-start'): string {
      const dir = freshControlDir();
      const once = path.join(dir, 'failed-once');
      const script = path.join(dir, 'ssh');
      const fail = `printf '%s\\n' 'mux_client_request_session: read from master failed: Broken pipe' 'Failed to connect to new control master' >&2; exit 255`;
      writeFileSync(
        script,
        [
          '#!/bin/sh',
          `case "$*" in *keyturn-remote-pgid*) if [ ! -e ${once} ]; then : > ${once}; ${when === 'after-start' ? 'ssh "$@"; ' : ''}${fail}; fi;; esac`,
          'exec ssh "$@"',
          '',
        ].join('\n'),
      );
      chmodSync(script, 0o755);
      return script;
    }

    it('before the command started on the node: tried once more, and it runs once', async () => {
      const ran = path.join(freshControlDir(), 'ran');
      const shell = createSshShell(busyNode(), { controlDir: freshControlDir(), sshBinary: flakySsh('before-start') });
      const result = await shell.run(`echo ran >> ${ran}; echo done`);
      expect(result).toMatchObject({ outcome: 'ok', stdout: 'done\n' });
      expect(result.stderr).not.toMatch(SSH_TROUBLE);
      expect(readFileSync(ran, 'utf8')).toBe('ran\n');
      await shell.dispose();
    });

    it('after the command started on the node: reported as a connection failure, never run twice', async () => {
      const ran = path.join(freshControlDir(), 'ran');
      const shell = createSshShell(busyNode(), { controlDir: freshControlDir(), sshBinary: flakySsh('after-start') });
      const result = await shell.run(`echo ran >> ${ran}`);
      expect(result.outcome).toBe('connection');
      expect(result.stderr).toMatch(/Failed to connect to new control master/);
      expect(readFileSync(ran, 'utf8')).toBe('ran\n');
      await shell.dispose();
    });
  });
});

/** An `ssh` in front of the real one that notes each command line it is started with (the real ssh does the work). */
function loggingSsh(): { binary: string; calls: () => string[] } {
  const dir = freshControlDir();
  const log = path.join(dir, 'calls');
  const binary = path.join(dir, 'ssh');
  writeFileSync(binary, ['#!/bin/sh', `printf 'CALL  %s \\n' "$*" >> ${log}`, 'exec ssh "$@"', ''].join('\n'));
  chmodSync(binary, 0o755);
  return {
    binary,
    calls: () =>
      existsSync(log)
        ? readFileSync(log, 'utf8')
            .split(/^CALL /m)
            .filter(Boolean)
        : [],
  };
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

function countAccepted(server: TestSshd = sshd): number {
  return server
    .log()
    .split('\n')
    .filter((line) => line.startsWith('Accepted publickey')).length;
}

async function dropAllConnections(): Promise<void> {
  for (const pid of await sshd.connectionPids()) process.kill(pid, 'SIGKILL');
}

async function killMatching(pattern: string): Promise<void> {
  for (const line of await processesMatching(pattern)) process.kill(Number(line.split(' ')[0]), 'SIGKILL');
}

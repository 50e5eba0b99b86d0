import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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

  it('rejects a control dir too long for a unix socket path', () => {
    expect(() => createSshShell(sshNode(), { controlDir: `/tmp/${'x'.repeat(80)}` })).toThrow(UsageError);
  });

  it('rejects an env name that is not a variable name', () => {
    expect(() => createSshShell(sshNode({ env: { 'X Y': '1' } }), { controlDir: freshControlDir() })).toThrow(
      /not a valid variable name/,
    );
  });
});

function countAccepted(): number {
  return sshd.log().split('\n').filter((line) => line.startsWith('Accepted publickey')).length;
}

async function dropAllConnections(): Promise<void> {
  for (const pid of await sshd.connectionPids()) process.kill(pid, 'SIGKILL');
}

async function killMatching(pattern: string): Promise<void> {
  for (const line of await processesMatching(pattern)) process.kill(Number(line.split(' ')[0]), 'SIGKILL');
}

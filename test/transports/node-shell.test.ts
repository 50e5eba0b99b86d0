import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { InventoryNode } from '../../src/model/inventory.js';
import { createNodeShell, describeFailure } from '../../src/transports/node-shell.js';
import type { ExecResult } from '../../src/transports/types.js';
import { repoRoot } from '../support/paths.js';

const sshNode: InventoryNode = { name: 'etcd-1', address: '10.0.0.1', transport: 'ssh' };
const localNode: InventoryNode = { name: 'lab-1', address: '127.0.10.1', transport: 'local' };

function result(patch: Partial<ExecResult>): ExecResult {
  return {
    node: 'etcd-1',
    script: 'systemctl restart rke2-server',
    outcome: 'ok',
    code: 0,
    stdout: '',
    stderr: '',
    durationMs: 1500,
    ...patch,
  };
}

describe('createNodeShell', () => {
  it('picks the transport the inventory names', async () => {
    const controlDir = mkdtempSync('/tmp/kt-ns-');
    const local = createNodeShell(localNode, { controlDir });
    expect(local.node).toBe('lab-1');
    expect(await local.run('echo local')).toMatchObject({ outcome: 'ok', stdout: 'local\n' });
    const ssh = createNodeShell(sshNode, { controlDir });
    expect(ssh.node).toBe('etcd-1');
    rmSync(controlDir, { recursive: true, force: true });
  });

  it('throws for a transport the inventory loader should have rejected (a bug, not a state)', () => {
    expect(() =>
      createNodeShell({ ...localNode, transport: 'telnet' as never }, { controlDir: '/tmp/kt-never-made' }),
    ).toThrow(/telnet/);
  });
});

describe('describeFailure', () => {
  it('explains each outcome in one line, with the stderr tail', () => {
    const lines = [
      describeFailure(
        result({
          outcome: 'connection',
          code: 255,
          stderr: 'ssh: connect to host 10.0.0.1 port 22: Connection refused\r\n',
        }),
        sshNode,
      ),
      describeFailure(
        result({
          outcome: 'exit',
          code: 1,
          stderr: 'Job for rke2-server.service failed.\nSee "journalctl -xeu rke2-server".\n',
        }),
      ),
      describeFailure(result({ outcome: 'command-missing', code: 127, stderr: 'sh: 1: rke2: not found\n' }), sshNode),
      describeFailure(result({ outcome: 'timeout', code: null, durationMs: 30_000 }), sshNode),
      describeFailure(result({ outcome: 'aborted', code: null }), sshNode),
      describeFailure(result({ outcome: 'connection', code: null, stderr: 'sh: spawn sh ENOENT' }), {
        ...localNode,
        name: 'etcd-1',
      }),
      describeFailure(result({ outcome: 'ok' })),
    ];
    expect(lines).toEqual([
      'node etcd-1 (10.0.0.1) unreachable over SSH: ssh: connect to host 10.0.0.1 port 22: Connection refused',
      'node etcd-1: `systemctl restart rke2-server` failed with exit code 1: Job for rke2-server.service failed. | See "journalctl -xeu rke2-server".',
      'node etcd-1 (10.0.0.1): a program in `systemctl restart rke2-server` is not installed or not on PATH (exit 127): sh: 1: rke2: not found',
      'node etcd-1 (10.0.0.1): `systemctl restart rke2-server` timed out after 30.0 s and was stopped',
      'node etcd-1 (10.0.0.1): `systemctl restart rke2-server` was cancelled after 1.5 s',
      'node etcd-1 (127.0.10.1): could not start a local shell: sh: spawn sh ENOENT',
      'node etcd-1: `systemctl restart rke2-server` succeeded',
    ]);
    for (const line of lines) expect(line).not.toContain('\n');
  });

  it('keeps a huge stderr to a short tail', () => {
    const line = describeFailure(result({ outcome: 'exit', code: 2, stderr: `${'x'.repeat(10_000)}\n` }));
    expect(line.length).toBeLessThan(400);
  });
});

describe('transports stay light to import', () => {
  it('loads @kubernetes/client-node only through a dynamic import', () => {
    const dir = path.join(repoRoot, 'src/transports');
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const source = readFileSync(path.join(dir, file), 'utf8');
      const valueImports = source
        .split('\n')
        .filter((l) => /^import (?!type ).*['"]@kubernetes\/client-node['"]/.test(l));
      expect({ file, valueImports }).toEqual({ file, valueImports: [] });
    }
  });
});

import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { loadInventory, parseInventory } from '../../src/discovery/inventory.js';

function errorOf(text: string): UsageError {
  try {
    parseInventory(text, 'inv.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return err as UsageError;
  }
  throw new Error('expected a UsageError');
}

describe('inventory', () => {
  it('reads every field', () => {
    const inv = parseInventory(
      [
        'nodes:',
        '  - name: "etcd 1; rm -rf /"',
        '    address: 10.0.0.1',
        '    roles: [etcd]',
        '    distro: rke2',
        '    dataDir: /data/rke2',
        '    ssh: {user: ops, port: 2222, identityFile: ~/.ssh/id, jumpHost: bastion, options: ["StrictHostKeyChecking=yes"]}',
        '    sudo: true',
        '  - name: w1',
        '    address: w1.example',
        '    roles: [worker]',
        '    transport: local',
        '    env: {PATH: /lab/bin}',
      ].join('\n'),
      'inv.yaml',
    );
    expect(inv.nodes[0]).toEqual({
      name: 'etcd 1; rm -rf /',
      address: '10.0.0.1',
      roles: ['etcd'],
      distro: 'rke2',
      dataDir: '/data/rke2',
      transport: 'ssh',
      ssh: {
        user: 'ops',
        port: 2222,
        identityFile: '~/.ssh/id',
        jumpHost: 'bastion',
        options: ['StrictHostKeyChecking=yes'],
      },
      sudo: true,
    });
    expect(inv.nodes[1]).toEqual({
      name: 'w1',
      address: 'w1.example',
      roles: ['worker'],
      transport: 'local',
      env: { PATH: '/lab/bin' },
    });
  });

  const cases: [string, string, RegExp][] = [
    ['not YAML', 'nodes: [a\n  b: {', /inv\.yaml: not valid YAML/],
    ['no nodes list', 'hosts: []', /inv\.yaml: has no `nodes:` list/],
    ['missing name', 'nodes:\n  - address: 1.2.3.4', /entry 1: field name: is missing/],
    ['missing address', 'nodes:\n  - name: a', /node "a": field address: is missing/],
    ['missing roles', 'nodes:\n  - {name: a, address: x}', /node "a": field roles: is missing — list the node's roles/],
    [
      'misspelt field',
      'nodes:\n  - {name: a, address: x, roles: [worker], transprot: local}',
      /node "a": field transprot: is not a field keyturn knows — did you mean transport\?/,
    ],
    [
      'duplicate name',
      'nodes:\n  - {name: a, address: x, roles: [worker]}\n  - {name: a, address: y, roles: [worker]}',
      /node "a" \(entry 2\): name "a" is already used by entry 1/,
    ],
    [
      'duplicate address',
      'nodes:\n  - {name: a, address: x, roles: [worker]}\n  - {name: b, address: x, roles: [worker]}',
      /node "b" \(entry 2\): address "x" is already used/,
    ],
    [
      'unknown role',
      'nodes:\n  - {name: a, address: x, roles: [master]}',
      /node "a": field roles: unknown role "master" — use etcd\|control-plane\|worker/,
    ],
    [
      'unknown distro',
      'nodes:\n  - {name: a, address: x, roles: [worker], distro: rke3}',
      /node "a": field distro: unknown distro "rke3" — use one of rke2, k3s/,
    ],
    [
      'bad transport',
      'nodes:\n  - {name: a, address: x, roles: [worker], transport: telnet}',
      /node "a": field transport: unknown transport "telnet" — use ssh or local/,
    ],
    [
      'env not strings',
      'nodes:\n  - {name: a, address: x, roles: [worker], env: {PORT: 22}}',
      /node "a": field env\.PORT: must be a string/,
    ],
    [
      'port not a number',
      'nodes:\n  - {name: a, address: x, roles: [worker], ssh: {port: "22"}}',
      /node "a": field ssh\.port: must be a number/,
    ],
    [
      'control character',
      'nodes:\n  - {name: "a\\nb", address: x}',
      /field name: contains a control character or newline/,
    ],
  ];
  for (const [what, text, message] of cases) {
    it(`rejects ${what} in one line naming the file, node and field`, () => {
      const err = errorOf(text);
      expect(err.message).toMatch(message);
      expect(err.message).toContain('inv.yaml');
      expect(err.message).not.toContain('\n');
    });
  }

  it('names a missing file and a directory', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'keyturn-inv-'));
    await expect(loadInventory(path.join(dir, 'none.yaml'))).rejects.toThrow(/none\.yaml: no such file/);
    await expect(loadInventory(dir)).rejects.toThrow(/is a directory/);
    await writeFile(path.join(dir, 'ok.yaml'), 'nodes:\n  - {name: a, address: 10.0.0.9, roles: [worker]}\n');
    expect((await loadInventory(path.join(dir, 'ok.yaml'))).nodes).toHaveLength(1);
  });
});

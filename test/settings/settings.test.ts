import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Settings } from '../../src/settings/settings.js';
import { REMOVED_MARK } from '../../src/util/untrusted-text.js';

describe('settings', () => {
  it('remembers node lists per cluster without secret-looking env, and reads them back in a new process', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'keyturn-settings-'));
    const a = new Settings(dir);
    expect(a.remembered('api:https://10.0.0.1:6443')).toBeNull();
    a.remember('api:https://10.0.0.1:6443', [
      {
        name: 'cp-1',
        address: '10.0.0.1',
        transport: 'local',
        roles: ['control-plane'],
        env: { PATH: '/lab/bin', API_TOKEN: 'hunter2' },
      },
    ]);
    a.remember('inventory:/etc/inv.yaml', [{ name: 'w', address: 'w', transport: 'ssh' }], new Date(), {
      w: 'v1.31.6+k3s1',
      gone: '',
    });
    const b = new Settings(dir);
    expect(b.remembered('api:https://10.0.0.1:6443')).toEqual({
      nodes: [
        { name: 'cp-1', address: '10.0.0.1', transport: 'local', roles: ['control-plane'], env: { PATH: '/lab/bin' } },
      ],
    });
    expect(b.remembered('inventory:/etc/inv.yaml')?.nodes).toHaveLength(1);
    expect(b.rememberedVersions('inventory:/etc/inv.yaml')).toEqual({ w: 'v1.31.6+k3s1' });
    expect(b.rememberedVersions('api:https://10.0.0.1:6443')).toEqual({});
    expect(b.rememberedVersions('never-seen')).toEqual({});
    expect(await readFile(b.path, 'utf8')).not.toContain('hunter2');
    expect(path.dirname(b.path)).toBe(dir);
  });

  it('cleans a node list an older keyturn saved: escapes neutralised, credentials redacted or left out, on read', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'keyturn-settings-old-'));
    // As written by a version that stored what it read: node text with OSC 0 (JSON-escaped, as conf writes it), a
    // proxy password and a join token in env, a bearer token in an ssh option, a version with SGR.
    const planted = {
      clusters: {
        'api:https://10.0.0.1:6443': {
          savedAt: '2026-01-01T00:00:00.000Z',
          nodes: [
            {
              name: 'cp-1\u001b]0;pwned\u0007',
              address: '10.0.0.1\u202e',
              transport: 'ssh',
              roles: ['control-plane'],
              env: {
                PATH: '/usr/bin',
                HTTPS_PROXY: 'http://ops:s3cret-pw@proxy:3128',
                K3S_TOKEN: 'K10abc::server:joinsecret',
              },
              ssh: { options: ['SetEnv=AUTH=Bearer eyJhbGciOiJsecretbearer'] },
            },
          ],
          versions: { 'cp-1': 'v1.31.6+rke2r1\u001b[8m' },
        },
      },
    };
    await writeFile(path.join(dir, 'config.json'), JSON.stringify(planted), { mode: 0o600 });
    const s = new Settings(dir);
    const nodes = s.remembered('api:https://10.0.0.1:6443')!.nodes;
    const text = JSON.stringify(nodes);
    expect(nodes[0].name).toBe(`cp-1${REMOVED_MARK}`);
    expect(nodes[0].address).toBe('10.0.0.1<U+202E>');
    expect(text).not.toMatch(/\\u001b|\\u0007|pwned/);
    expect(text).not.toMatch(/s3cret-pw|joinsecret|secretbearer/);
    expect(nodes[0].env).toEqual({ PATH: '/usr/bin' });
    expect(nodes[0].ssh?.options?.[0]).toContain('[redacted]');
    expect(s.rememberedVersions('api:https://10.0.0.1:6443')).toEqual({ 'cp-1': `v1.31.6+rke2r1${REMOVED_MARK}` });
  });

  it('honours KEYTURN_CONFIG_DIR', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'keyturn-settings-env-'));
    const before = process.env.KEYTURN_CONFIG_DIR;
    process.env.KEYTURN_CONFIG_DIR = dir;
    try {
      expect(path.dirname(new Settings().path)).toBe(dir);
    } finally {
      if (before === undefined) delete process.env.KEYTURN_CONFIG_DIR;
      else process.env.KEYTURN_CONFIG_DIR = before;
    }
  });
});

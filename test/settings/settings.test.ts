import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Settings } from '../../src/settings/settings.js';

describe('settings', () => {
  it('remembers node lists per cluster without secret-looking env, and reads them back in a new process', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'keyturn-settings-'));
    const a = new Settings(dir);
    expect(a.remembered('api:https://10.0.0.1:6443')).toBeNull();
    a.remember('api:https://10.0.0.1:6443', [
      { name: 'cp-1', address: '10.0.0.1', transport: 'local', roles: ['control-plane'], env: { PATH: '/lab/bin', API_TOKEN: 'hunter2' } },
    ]);
    a.remember('inventory:/etc/inv.yaml', [{ name: 'w', address: 'w', transport: 'ssh' }], new Date(), { w: 'v1.31.6+k3s1', gone: '' });
    const b = new Settings(dir);
    expect(b.remembered('api:https://10.0.0.1:6443')).toEqual({
      nodes: [{ name: 'cp-1', address: '10.0.0.1', transport: 'local', roles: ['control-plane'], env: { PATH: '/lab/bin' } }],
    });
    expect(b.remembered('inventory:/etc/inv.yaml')?.nodes).toHaveLength(1);
    expect(b.rememberedVersions('inventory:/etc/inv.yaml')).toEqual({ w: 'v1.31.6+k3s1' });
    expect(b.rememberedVersions('api:https://10.0.0.1:6443')).toEqual({});
    expect(b.rememberedVersions('never-seen')).toEqual({});
    expect(await readFile(b.path, 'utf8')).not.toContain('hunter2');
    expect(path.dirname(b.path)).toBe(dir);
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

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveEtcdMode } from '../../../lab/etcd/index.js';
import { findEtcdBinary, resolveEtcdModeWith } from '../../../lab/etcd/resolve-mode.js';

describe('resolveEtcdMode', () => {
  it('auto picks real only when a binary exists', () => {
    expect(resolveEtcdModeWith('auto', '/usr/bin/etcd')).toBe('real');
    expect(resolveEtcdModeWith('auto', null)).toBe('emulated');
  });

  it('emulated never needs the binary', () => {
    expect(resolveEtcdModeWith('emulated', null)).toBe('emulated');
    expect(resolveEtcdModeWith('emulated', '/usr/bin/etcd')).toBe('emulated');
  });

  it('real without a binary throws one clear line', () => {
    expect(() => resolveEtcdModeWith('real', null)).toThrow(/^--etcd real: no etcd binary .* use --etcd emulated$/);
    expect(resolveEtcdModeWith('real', '/opt/etcd')).toBe('real');
  });

  it('agrees with findEtcdBinary on this machine', () => {
    expect(resolveEtcdMode('auto')).toBe(findEtcdBinary() === null ? 'emulated' : 'real');
  });

  it('finds an executable etcd on PATH, ignoring non-executable files', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'keyturn-etcd-path-'));
    try {
      writeFileSync(path.join(dir, 'etcd'), '#!/bin/sh\n', { mode: 0o644 });
      const withoutExec = findEtcdBinary(dir);
      expect(withoutExec === '/usr/bin/etcd' || withoutExec === null).toBe(true);
      writeFileSync(path.join(dir, 'etcd'), '#!/bin/sh\n', { mode: 0o755 });
      const found = findEtcdBinary(dir);
      expect(found === '/usr/bin/etcd' || found === path.join(dir, 'etcd')).toBe(true);
      expect(found).not.toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

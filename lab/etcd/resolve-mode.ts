// Which etcd the lab runs: the real binary (Debian etcd-server) when present, otherwise the in-process emulation.
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import type { EtcdMode } from '../contract.js';

const WELL_KNOWN_ETCD = '/usr/bin/etcd';

/** Absolute path of an executable etcd binary (/usr/bin/etcd first, then PATH), or null. */
export function findEtcdBinary(searchPath: string = process.env.PATH ?? ''): string | null {
  const candidates = [
    WELL_KNOWN_ETCD,
    ...searchPath
      .split(':')
      .filter(Boolean)
      .map((dir) => path.join(dir, 'etcd')),
  ];
  return candidates.find(isExecutable) ?? null;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function resolveEtcdMode(mode: EtcdMode): 'real' | 'emulated' {
  return resolveEtcdModeWith(mode, findEtcdBinary());
}

/** The decision itself, given what findEtcdBinary found (separate so tests need not hide /usr/bin/etcd). */
export function resolveEtcdModeWith(mode: EtcdMode, binary: string | null): 'real' | 'emulated' {
  switch (mode) {
    case 'emulated':
      return 'emulated';
    case 'real':
      if (binary === null) {
        throw new Error(
          `--etcd real: no etcd binary at ${WELL_KNOWN_ETCD} or on PATH — install it (apt-get install etcd-server) or use --etcd emulated`,
        );
      }
      return 'real';
    case 'auto':
      return binary === null ? 'emulated' : 'real';
    default: {
      const unknown: never = mode;
      throw new Error(`unknown etcd mode ${String(unknown)}`);
    }
  }
}

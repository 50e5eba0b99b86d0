// Tests that need a real system binary (etcd, sshd, kubectl, tmux, openssl, curl) ask here first.
// In CI a missing binary is a failure, never a silent skip; on a workstation the test is skipped with a loud warning.
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

export function findBinary(name: string): string | undefined {
  if (name.includes('/')) return canRun(name) ? name : undefined;
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/sbin'])) {
    const candidate = path.join(dir, name);
    if (canRun(candidate)) return candidate;
  }
  return undefined;
}

function canRun(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * True when every binary is present. In CI (CI=true) a missing one throws, so the suite goes red instead of
 * skipping; elsewhere it warns loudly and returns false so the caller can `it.skipIf(!ok)`.
 */
export function haveBinaries(...names: string[]): boolean {
  const missing = names.filter((n) => !findBinary(n));
  if (missing.length === 0) return true;
  const message = `MISSING BINARIES: ${missing.join(', ')} — install them (see .ci/run); tests that need them are SKIPPED`;
  if (process.env.CI) throw new Error(`${message} — not allowed in CI`);
  console.warn(`\n!!! ${message}\n`);
  return false;
}

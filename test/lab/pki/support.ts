// Helpers for the lab PKI tests: temp data dirs, node contexts and openssl.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Distro, Role } from '../../../src/model/cluster.js';
import type { ClusterCAs, NodeCertContext } from '../../../lab/pki/index.js';

export const SERVER_ROLES: Role[] = ['etcd', 'control-plane'];
export const AGENT_ROLES: Role[] = ['worker'];
export const DAY_MS = 86_400_000;

/** A fixed instant so dates in assertions are reproducible. */
export const T0 = new Date('2025-05-15T22:03:27Z');

export async function makeTempDir(label: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), `keyturn-pki-${label}-`));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export function nodeContext(
  root: string,
  name: string,
  distro: Distro,
  roles: Role[],
  cas: ClusterCAs,
  index = 1,
): NodeCertContext {
  return { dataDir: path.join(root, name, 'data'), distro, roles, nodeName: name, address: `127.0.10.${index}`, cas };
}

export interface OpensslResult {
  ok: boolean;
  output: string;
}

/** Runs openssl; a non-zero exit is a value, so assertions can show its output. */
export function openssl(args: string[]): OpensslResult {
  try {
    return { ok: true, output: execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) };
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

/** `openssl verify -CAfile ca leaf`, optionally at a given time (seconds since the epoch). */
export function opensslVerify(caFile: string, leafFile: string, atTime?: Date): OpensslResult {
  const at = atTime ? ['-attime', String(Math.floor(atTime.getTime() / 1000))] : [];
  return openssl(['verify', ...at, '-CAfile', caFile, leafFile]);
}

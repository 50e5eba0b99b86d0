// `<prog> certificate rotate [--service ...]`: back the certificates up, then delete the leaves so the next start
// issues new ones under the same CA (renewLeaves finds them missing). CAs and service.key are never touched.
import { chmod, copyFile, cp, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isServer } from '../../src/model/cluster.js';
import {
  agentServices,
  allServices,
  certFilesForService,
  invalidServiceMessage,
  keyOnlyFilesForService,
} from './leaf-profiles.js';
import { keyPathFor } from './pem-files.js';
import type { NodeCertContext } from './types.js';

export interface RotateResult {
  /** Absolute: `<data-dir>/server/tls-<unix-ts>` on servers, `<data-dir>/agent/tls-<unix-ts>` on agents. */
  backupDir: string;
  /** Relative paths of the .crt and .key files deleted. */
  removed: string[];
}

export async function rotateLeaves(ctx: NodeCertContext, now: Date, services?: string[]): Promise<RotateResult> {
  const server = isServer(ctx.roles);
  const chosen =
    services && services.length > 0 ? services : server ? allServices(ctx.distro) : agentServices(ctx.distro);
  const invalid = invalidServiceMessage(ctx.distro, chosen);
  // Callers validate names first (invalidServiceMessage) to print upstream's error; reaching here is a bug.
  if (invalid) throw new Error(invalid);

  const files = chosen.flatMap((service) => [
    ...certFilesForService(ctx.distro, service).flatMap((crt) => [crt, keyPathFor(crt)]),
    ...(server ? keyOnlyFilesForService(service) : []),
  ]);
  const backupDir = await backUp(ctx, server, files, now);

  await writeRestartTriggers(ctx, server, chosen);
  const removed: string[] = [];
  for (const file of files) {
    if (await exists(path.join(ctx.dataDir, file))) {
      await rm(path.join(ctx.dataDir, file));
      removed.push(file);
    }
  }
  return { backupDir, removed };
}

/**
 * Markers upstream leaves for the next start: the dynamic listener cert (not a PEM leaf) is regenerated when
 * `<prog>-server` is rotated, and RKE2 writes `<data-dir>/force-restart` so static pods are recreated.
 */
async function writeRestartTriggers(ctx: NodeCertContext, server: boolean, services: string[]): Promise<void> {
  if (server && services.includes(`${ctx.distro}-server`)) {
    await writeFile(path.join(ctx.dataDir, 'server', 'tls', 'dynamic-cert-regenerate'), '', { mode: 0o600 });
  }
  if (ctx.distro === 'rke2') await writeFile(path.join(ctx.dataDir, 'force-restart'), '', { mode: 0o600 });
}

/**
 * Servers copy all of server/tls to server/tls-<ts>; everyone copies the agent files being rotated into the backup
 * directory by base name (agents into agent/tls-<ts>).
 */
async function backUp(ctx: NodeCertContext, server: boolean, files: string[], now: Date): Promise<string> {
  const name = `tls-${Math.floor(now.getTime() / 1000)}`;
  const serverTls = path.join(ctx.dataDir, 'server', 'tls');
  const serverHasTls = server && (await exists(serverTls));
  const backupDir = path.resolve(
    serverHasTls ? path.join(ctx.dataDir, 'server', name) : path.join(ctx.dataDir, 'agent', name),
  );
  await mkdir(backupDir, { recursive: true, mode: 0o700 });
  if (serverHasTls) await cp(serverTls, backupDir, { recursive: true, preserveTimestamps: true });
  for (const file of files.filter((f) => f.startsWith('agent/'))) {
    const source = path.join(ctx.dataDir, file);
    // copyFile keeps content only; the copies of keys must stay owner-only like the originals.
    if (await exists(source)) {
      const target = path.join(backupDir, path.basename(file));
      await copyFile(source, target);
      await chmod(target, (await stat(source)).mode & 0o777);
    }
  }
  return backupDir;
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

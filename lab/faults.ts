// Faults injected into a running lab (`keyturn lab fault NAME [args] [--node N]`): each reproduces a way real
// clusters break during rotations, observable only through the same commands and files keyturn reads.
import { rm, writeFile } from 'node:fs/promises';
import type { CommandIO } from './commands/io.js';
import { readEncryptionConfig } from './encryption-files.js';
import { encryptionConfigText, readEncryptionLayout } from './encryption/config.js';
import { hasEtcd, isControlPlane, isServerNode, type LabNode } from './lab-node.js';
import type { LabRuntime } from './lab-runtime.js';
import { slowDownReload } from './encryption/reload.js';
import { killStaticPods, podsOutliveUnit } from './static-pods.js';
import {
  backdateLeaves,
  createEncryptionConfig,
  driftServerCa,
  newEncryptionKey,
  readEncryptionKeys,
} from './pki/index.js';
import { ENCRYPTION_CONFIG } from '../src/model/cert-files.js';
import path from 'node:path';

export const FAULT_NAMES = [
  'stop-service',
  'parallel-restart',
  'expire-certs',
  'ca-drift',
  'hash-mismatch',
  'latency',
  'slow-reload',
] as const;
export type FaultName = (typeof FAULT_NAMES)[number];
const NEEDS_NODE: readonly FaultName[] = ['stop-service', 'ca-drift', 'hash-mismatch', 'slow-reload'];
const EXPIRED_DAYS = 400;

export function isFaultName(name: string): name is FaultName {
  return (FAULT_NAMES as readonly string[]).includes(name);
}

/** Checks a fault request; returns the one-line reason it is refused, or null. */
export function checkFault(name: string, nodeName: string | undefined, args: string[]): string | null {
  if (!isFaultName(name)) return `unknown fault "${name}" — use one of ${FAULT_NAMES.join(', ')}`;
  if (NEEDS_NODE.includes(name) && !nodeName) return `fault ${name} needs --node NAME`;
  if (name === 'latency' && !/^\d+$/.test(args[0] ?? ''))
    return 'fault latency needs milliseconds, e.g. `latency 200` (0 removes it)';
  return null;
}

export async function runFault(
  lab: LabRuntime,
  name: string,
  nodeName: string | undefined,
  args: string[],
  io: CommandIO,
): Promise<number> {
  const refused = checkFault(name, nodeName, args);
  const node = nodeName === undefined ? undefined : lab.node(nodeName);
  if (refused || (nodeName !== undefined && !node)) {
    io.stderr(`${refused ?? `no node named "${nodeName}" — nodes: ${lab.nodes.map((n) => n.spec.name).join(', ')}`}\n`);
    return 2;
  }
  const fault = name as FaultName;
  lab.record.append({ type: 'fault', name, ...(nodeName ? { node: nodeName } : {}), args });
  const message = await injectFault(lab, fault, node, args);
  lab.emitEvent(node?.spec.name ?? lab.nodes[0].spec.name, 'LabFault', message, 'Warning');
  io.stdout(`fault ${name}: ${message}\n`);
  return 0;
}

async function injectFault(
  lab: LabRuntime,
  fault: FaultName,
  node: LabNode | undefined,
  args: string[],
): Promise<string> {
  const target = () => {
    if (!node) throw new Error(`fault ${fault} without a node`);
    return node;
  };
  switch (fault) {
    case 'stop-service':
      await target().service.kill();
      return `${target().unit}.service on ${target().spec.name} killed and left failed (no automatic restart)`;
    case 'parallel-restart':
      return restartServersAtOnce(lab);
    case 'expire-certs': {
      // The cluster was down (machines off): RKE2's static pods, which outlive a unit stop, are gone too.
      await Promise.all(
        lab.nodes.map(async (n) => {
          await n.service.stop();
          await killStaticPods(lab, n);
        }),
      );
      let count = 0;
      for (const n of lab.nodes) count += (await backdateLeaves(n.certs, EXPIRED_DAYS)).length;
      return `every service stopped and ${count} leaf certificates backdated ${EXPIRED_DAYS} days (expired)`;
    }
    case 'ca-drift':
      await driftServerCa(target().certs, lab.clock.now());
      return `server CA on ${target().spec.name} replaced by a different one`;
    case 'hash-mismatch':
      return addDriftKey(target());
    case 'latency': {
      const ms = Number(args[0]);
      if (ms === 0) await rm(lab.paths.latency, { force: true });
      else await writeFile(lab.paths.latency, `${ms}\n`);
      return ms === 0 ? 'node command latency removed' : `every node command now waits ${ms} ms`;
    }
    case 'slow-reload':
      slowDownReload(target());
      return `the apiserver on ${target().spec.name} applies encryption-config changes only at its next one-minute poll (k3s#12373)`;
  }
}

/**
 * Every server restarted at the same moment: the etcd members go down together, and the control-plane-only
 * servers come up before etcd has quorum again, fail to list members and get stuck in their restart loop.
 * They are started first so their bootstrap check meets the dead etcd deterministically.
 */
async function restartServersAtOnce(lab: LabRuntime): Promise<string> {
  const servers = lab.nodes.filter(isServerNode);
  await Promise.all(servers.map((n) => n.service.stop()));
  // RKE2's etcd pods outlive a unit restart (static-pods.ts): the incident (rke2#7629) follows a parallel
  // `rke2 certificate rotate`, whose force-restart file makes every server terminate its pods as it starts —
  // all at the same moment.
  await Promise.all(servers.filter(podsOutliveUnit).map((n) => killStaticPods(lab, n)));
  const controlPlaneOnly = servers.filter((n) => isControlPlane(n) && !hasEtcd(n));
  const withEtcd = servers.filter(hasEtcd);
  const firstTries = controlPlaneOnly.map((n) => n.service.start());
  await Promise.all(firstTries);
  await Promise.all(withEtcd.map((n) => n.service.start()));
  const stuck = controlPlaneOnly.filter((n) => n.stuck).map((n) => n.spec.name);
  return `${servers.length} servers restarted at once${stuck.length > 0 ? `; stuck in a restart loop: ${stuck.join(', ')}` : ''}`;
}

async function addDriftKey(node: LabNode): Promise<string> {
  const config = await readEncryptionConfig(node.paths.dataDir);
  if (config === null) throw new Error(`${node.spec.name} has no encryption config`);
  // Keep the provider (a secretbox lab stays secretbox); fall back to an aescbc config for text the lab cannot read.
  const layout = readEncryptionLayout(config);
  const driftKey = newEncryptionKey(`${layout?.provider ?? 'aescbc'}key-drift-${Date.now()}`);
  const text = layout
    ? encryptionConfigText({ ...layout, keys: [...layout.keys, driftKey] })
    : createEncryptionConfig([...readEncryptionKeys(config), driftKey]);
  await writeFile(path.join(node.paths.dataDir, ENCRYPTION_CONFIG), text, { mode: 0o600 });
  return `encryption-config.json on ${node.spec.name} has an extra key; its hash no longer matches`;
}

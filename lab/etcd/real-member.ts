// A lab etcd member backed by the real etcd binary, configured by flags only (the same TLS layout as RKE2/K3s).
import path from 'node:path';
import type { EtcdMember } from '../contract.js';
import { createSerialQueue } from './serial.js';
import { hasExited, spawnEtcd, stopEtcd, tailOfLog, type SpawnedEtcd } from './real-process.js';
import { canConnect, waitForPort } from './wait-for-port.js';
import {
  MEMBER_CLIENT_PORT,
  clientUrl,
  memberClientUrl,
  memberMetricsUrl,
  peerUrl,
  type EtcdClusterOptions,
  type EtcdMemberSpec,
} from './types.js';

/** How long etcd may take to bind its client port; binding happens before it has a quorum. */
const START_DEADLINE_MS = 20_000;

export function etcdArgs(spec: EtcdMemberSpec, all: EtcdMemberSpec[], opts: EtcdClusterOptions): string[] {
  const tls = (file: string) => path.join(spec.tlsDir, file);
  const args = [
    `--name=${spec.name}`,
    `--data-dir=${spec.dataDir}`,
    // The member listens privately; the front (front.ts) serves upstream's 2379/2381/2382 for the release played.
    `--listen-client-urls=${memberClientUrl(spec.address)}`,
    `--advertise-client-urls=${clientUrl(spec.address)}`,
    `--listen-peer-urls=${peerUrl(spec.address)}`,
    `--initial-advertise-peer-urls=${peerUrl(spec.address)}`,
    `--initial-cluster=${all.map((m) => `${m.name}=${peerUrl(m.address)}`).join(',')}`,
    // Ignored by etcd once the data dir holds a member, so restarts keep their identity.
    '--initial-cluster-state=new',
    `--initial-cluster-token=${opts.token}`,
    '--client-cert-auth',
    `--trusted-ca-file=${tls('server-ca.crt')}`,
    `--cert-file=${tls('server-client.crt')}`,
    `--key-file=${tls('server-client.key')}`,
    '--peer-client-cert-auth',
    `--peer-trusted-ca-file=${tls('peer-ca.crt')}`,
    `--peer-cert-file=${tls('peer-server-client.crt')}`,
    `--peer-key-file=${tls('peer-server-client.key')}`,
    `--listen-metrics-urls=${memberMetricsUrl(spec.address)}`,
  ];
  if (opts.fastElection) args.push('--heartbeat-interval=50', '--election-timeout=500');
  return args;
}

export function createRealMember(
  binary: string,
  spec: EtcdMemberSpec,
  all: EtcdMemberSpec[],
  opts: EtcdClusterOptions,
): EtcdMember {
  const serial = createSerialQueue();
  const graceMs = opts.fastElection ? 2_000 : 6_000;
  let proc: SpawnedEtcd | null = null;

  const isRunning = () => proc !== null && !hasExited(proc);

  const start = async (): Promise<void> => {
    if (isRunning()) return;
    // Another listener on the port would answer our readiness probe; etcd would then die with "address in use".
    if (await canConnect(spec.address, MEMBER_CLIENT_PORT)) {
      throw new Error(`etcd ${spec.name}: ${spec.address}:${MEMBER_CLIENT_PORT} is already in use by another process`);
    }
    const spawned = spawnEtcd(binary, etcdArgs(spec, all, opts), spec.dataDir, spec.logFile);
    proc = spawned;
    const waited = await waitForPort(spec.address, MEMBER_CLIENT_PORT, {
      deadlineMs: START_DEADLINE_MS,
      stillAlive: () => (hasExited(spawned) ? describeExit(spawned) : null),
    });
    switch (waited.kind) {
      case 'open':
        return;
      case 'gone':
        await spawned.exited;
        throw new Error(`etcd ${spec.name} exited before listening: ${describeExit(spawned)}`);
      case 'timeout':
        await stopEtcd(spawned, graceMs);
        throw new Error(
          `etcd ${spec.name} did not listen on ${memberClientUrl(spec.address)} within ${START_DEADLINE_MS} ms`,
        );
      default: {
        const unknown: never = waited;
        throw new Error(`unexpected wait result ${JSON.stringify(unknown)}`);
      }
    }
  };

  const describeExit = (spawned: SpawnedEtcd): string => {
    const { exitCode, signalCode } = spawned.child;
    const how = spawned.child.pid === undefined ? 'could not be spawned' : `exit ${exitCode ?? signalCode}`;
    const tail = tailOfLog(spec.logFile, spawned.logOffset);
    return tail ? `${how}: ${tail}` : how;
  };

  const stop = async (): Promise<void> => {
    if (proc === null) return;
    await stopEtcd(proc, graceMs);
    proc = null;
  };

  return {
    name: spec.name,
    mode: 'real',
    start: () => serial(start),
    stop: () => serial(stop),
    isRunning,
  };
}

// Release gates the lab reproduces, each tied to the upstream change that moved it. Every lab node runs the same
// version (LabOptions.version); the cuts below are the ones keyturn's recipes meet (see field-notes.md).
import type { Distro } from '../model/cluster.js';
import { parseKubeVersion, type KubeVersion } from '../model/versions.js';

/** true when `v` is at least the first fixed patch of its minor; minors absent from `fixed` are older than the fix when below `firstMinorFixed`. */
function atOrAfterFix(v: KubeVersion, fixed: Record<number, number>, firstMinorFixed: number): boolean {
  if (v.major !== 1) return v.major > 1;
  if (v.minor >= firstMinorFixed) return true;
  const patch = fixed[v.minor];
  return patch !== undefined && v.patch >= patch;
}

function parsed(version: string): KubeVersion {
  // Lab versions are checked by parseLabOptions; an unparsable one behaves like a current release.
  return parseKubeVersion(version) ?? { major: 1, minor: 99, patch: 0, release: 1, raw: version };
}

/**
 * k3s#11384 (Dec 2024: v1.31.4, v1.30.8, v1.29.12, v1.32.0 on): before it, `secrets-encrypt reencrypt` rewrote
 * every secret inside the HTTP request, so the CLI's 10 s client timeout fired on large clusters while the work
 * went on in the server. RKE2 carries the same k3s code at the same patch levels.
 */
export function reencryptReturnsImmediately(version: string): boolean {
  return atOrAfterFix(parsed(version), { 31: 4, 30: 8, 29: 12 }, 32);
}

/**
 * SecretsProgress cadence. Every 50 since reencryption moved from the old secrets controller into the supervisor
 * handler with rotate-keys (v1.28); the old controller reported every 10. The k3s#11384 journals show 50 both
 * before and after the Dec 2024 fix, so the cadence is not tied to that fix.
 */
export function reencryptEventEvery(version: string): number {
  const v = parsed(version);
  return v.major === 1 && v.minor < 28 ? 10 : 50;
}

export type RotateKeysSupport = 'unknown-command' | 'unsafe-release' | 'supported';

/**
 * `secrets-encrypt rotate-keys` exists from v1.28; it is safe (and the lab accepts it) from v1.30.5+k3s1 /
 * v1.31.1+k3s1 on K3s and from releases newer than v1.30.1+rke2r1 on RKE2 (field-notes). In between, the lab
 * refuses it server-side, the way upstream refuses a control-plane kubelet older than 1.28.
 */
export function rotateKeysSupport(distro: Distro, version: string): RotateKeysSupport {
  const v = parsed(version);
  if (v.major === 1 && v.minor < 28) return 'unknown-command';
  const safe = distro === 'k3s' ? atOrAfterFix(v, { 30: 5, 31: 1 }, 32) : atOrAfterFix(v, { 30: 2 }, 31);
  return safe ? 'supported' : 'unsafe-release';
}

/**
 * rke2#8236: on split etcd/control-plane clusters, a control-plane-only server restarted after `prepare` panicked
 * (nil pointer dereference). Fixed in v1.33.1, v1.32.5, v1.31.9, v1.30.13; the issue names v1.30.12, v1.31.8,
 * v1.32.4 and v1.33.0 as affected. The lab reproduces it on RKE2 v1.32.0–v1.32.4 and on those named releases.
 */
export function panicsRestartingAfterPrepare(distro: Distro, version: string): boolean {
  if (distro !== 'rke2') return false;
  const v = parsed(version);
  if (v.major !== 1) return false;
  if (v.minor === 32) return v.patch <= 4;
  return (v.minor === 33 && v.patch === 0) || (v.minor === 31 && v.patch === 8) || (v.minor === 30 && v.patch === 12);
}

/**
 * k3s#11233 / k3s#11940 (fixed by k3s#11844 in the March 2025 releases v1.32.3, v1.31.7, v1.30.11, v1.29.15):
 * a server started with `server:` set took its bootstrap data (CA certificates) from that peer over HTTP, and the
 * peer served it from its disk, so after `rotate-ca` the new CA never reached servers that all joined a peer.
 */
export function bootstrapsFromPeerDisk(version: string): boolean {
  return !atOrAfterFix(parsed(version), { 32: 3, 31: 7, 30: 11, 29: 15 }, 33);
}

/**
 * Where the embedded etcd serves HTTP (/health, /version, the /v3 JSON gateway). k3s PR #8402 (merged 2023-09-22,
 * backports #8427 release-1.27 and #8428/#8616 release-1.26) set `listen-client-http-urls: https://127.0.0.1:2382`,
 * which leaves the client port 2379 to gRPC alone ("Embedded etcd no longer serves http requests on the client port,
 * only grpc"). First releases carrying it, K3s and RKE2 alike (RKE2 pins k3s: v1.28.2+rke2r1 pins k3s of 2023-08-30,
 * v1.28.3+rke2r1 of 2023-10-27): v1.28.3, v1.27.7, v1.26.10, and every later minor. 1.25 and older never got it.
 * Metrics and plain /health on http://127.0.0.1:2381 in both layouts.
 */
export type EtcdListenerLayout = 'grpc-only-client-port' | 'http-on-client-port';

export function etcdListenerLayout(version: string): EtcdListenerLayout {
  const v = parsed(version);
  if (v.major === 1 && v.minor < 26) return 'http-on-client-port';
  return atOrAfterFix(v, { 26: 10, 27: 7, 28: 3 }, 29) ? 'grpc-only-client-port' : 'http-on-client-port';
}

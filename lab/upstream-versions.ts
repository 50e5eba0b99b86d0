// Release gates the lab reproduces, each tied to the upstream change that moved it. Every lab node runs the same
// version (LabOptions.version); the cuts below are the ones keyturn's recipes meet (see field-notes.md).
import type { Distro } from '../src/model/cluster.js';
import { parseKubeVersion, type KubeVersion } from '../src/model/versions.js';

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
 * k3s#10612 ("Remove secrets encryption controller", merged 2024-07-30, so v1.31.0 on; backported to 1.30 in the
 * 2024-09 batch k3s#10801, v1.30.5): reencryption moved from the old secrets controller (which watched for the
 * reencrypt annotation, rotate-keys included) into the supervisor handler. 1.29 is cut at v1.29.9, the same
 * 2024-09 release cycle; inferred, not read: k3s#11440 patches the handler's reencrypt for 1.29 in Dec 2024, so
 * 1.29 had it by v1.29.12 at the latest. 1.28 and older keep the controller.
 */
export function reencryptsInHandler(version: string): boolean {
  return atOrAfterFix(parsed(version), { 30: 5, 29: 9 }, 31);
}

/**
 * SecretsProgress cadence: the old controller reported every 10 secrets (`i%10 == 0`, k3s-io/k3s
 * pkg/secretsencrypt/controller.go@75ea1121), the handler every 50 (`i%50 == 0`, pkg/server/handlers/secrets-encrypt.go@0b6425ac).
 */
export function reencryptEventEvery(version: string): number {
  return reencryptsInHandler(version) ? 50 : 10;
}

/**
 * How the server logs a secrets event in its journal. k3s's BuildControllerEventRecorder (pkg/util/api.go) logged
 * through `eventBroadcaster.StartLogging(logrus.Infof)` — `msg="Event(v1.ObjectReference{Kind:\"Node\", ...}):
 * type: 'Normal' reason: 'SecretsProgress' reencrypted N secrets"` (k3s#5933, v1.24.3, the old controller) — and
 * later through `StartStructuredLogging(0)`, klog's `"Event occurred" object=... reason="SecretsProgress"` (k3s#11384,
 * k3s#11437-#11439: v1.29.12 to v1.31 after the handler move). The commit of that switch was not found: the lab ties
 * it to the controller's removal (reencryptsInHandler), the only cut both kinds of evidence agree with.
 */
export function secretsEventLogForm(version: string): 'logrus-object-reference' | 'klog-structured' {
  return reencryptsInHandler(version) ? 'klog-structured' : 'logrus-object-reference';
}

/**
 * k3s#12172 (PR k3s#12285, merged 2025-05-08; backports k3s#12295 v1.33.1, k3s#12296 v1.32.5, k3s#12297 v1.31.9,
 * k3s#12298 v1.30.13, each validated on its rc1): servers issue serving certificates for kube-controller-manager
 * and kube-scheduler under server/tls/<component>/, signed by the server CA, renewed by `certificate rotate`.
 * RKE2 carries the same k3s code at the same patch levels (inferred, as for the other cuts here).
 */
export function issuesComponentServingCerts(version: string): boolean {
  return atOrAfterFix(parsed(version), { 33: 1, 32: 5, 31: 9, 30: 13 }, 34);
}

/** The SecretsUpdateComplete message: the controller's `completed reencrypt of N secrets`, the handler's `reencrypted N secrets`. */
export function reencryptCompleteMessage(version: string, secrets: number): string {
  return reencryptsInHandler(version) ? `reencrypted ${secrets} secrets` : `completed reencrypt of ${secrets} secrets`;
}

/**
 * `secrets-encrypt status -o json` names keys with their type (`"AES-CBC aescbckey-..."`,
 * `"XSalsa20-POLY1305 secretboxkey-..."`) since secretbox support, k3s#12021 (April 2025 releases: v1.33.0 and the
 * backports k3s#12065/#12066/#12067, validated on v1.30.12-rc1 and v1.31.8-rc1 per k3s#12224/#12225; 1.32 is
 * v1.32.4, the same cycle). Before it the server sent the bare name and the CLI printed "AES-CBC" itself. RKE2
 * runs the same k3s handler at the same patch levels (rke2#8122).
 */
export function statusKeysCarryType(version: string): boolean {
  return atOrAfterFix(parsed(version), { 32: 4, 31: 8, 30: 12 }, 33);
}

/**
 * The unit type of an agent: RKE2 ships `Type=notify` for both units since June 2021 (rancher/rke2 c47190af7). K3s's
 * install.sh wrote `Type=exec` for agents until k3s#5851 (July 2022: "Set the unit type to notify by default for
 * both server and agent"). The real cut is the date the node was installed (get.k3s.io serves the newest script,
 * and INSTALL_K3S_TYPE overrides it); the lab takes the release as the install date: the July 2022 releases
 * v1.24.3, v1.23.9, v1.22.12 and later are notify.
 */
export function agentUnitType(distro: Distro, version: string): 'notify' | 'exec' {
  if (distro === 'rke2') return 'notify';
  return atOrAfterFix(parsed(version), { 24: 3, 23: 9, 22: 12 }, 25) ? 'notify' : 'exec';
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
 * k3s#9785: `<prog> certificate rotate` on an agent failed — `FATA open <data-dir>/server/token: no such file or
 * directory` on v1.29.3+k3s1 (older releases: `stat <data-dir>/server/tls: ...`, k3s#5111, rke2#2623). Fixed by
 * k3s PR #9902 ("Actually fix agent certificate rotation") in the April 2024 releases: K3s v1.29.4+k3s1 (release
 * notes), v1.28.9+k3s1 (backport #9900, release notes), v1.27.13+k3s1 (backport #9901, release PR #9912), and every
 * v1.30 on. RKE2 carries it from the same patch levels: v1.29.4+rke2r1, v1.28.9+rke2r1 and v1.27.13+rke2r1 pin
 * k3s commits of 2024-04-23 in go.mod (v1.29.3/v1.28.8/v1.27.12 pin 2024-03-13 ones). 1.26 and older never got it.
 */
export function agentCertificateRotateWorks(version: string): boolean {
  return atOrAfterFix(parsed(version), { 29: 4, 28: 9, 27: 13 }, 30);
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
 * k3s#10612 "Remove secrets encryption controller" (September 2024: v1.31.1+k3s1, v1.30.5+k3s1 — the releases the
 * docs name for rotate-keys; RKE2 carries the same code in its releases of that month): the supervisor re-encrypts
 * inside the rotate-keys request, which returns at reencrypt_finished; the CLI (90 s client timeout) prints
 * `keys rotated, reencryption finished`. Before, the request ended once the apiserver had reloaded the new config,
 * with the node at reencrypt_request; the old secrets controller re-encrypted afterwards, and the CLI (70 s)
 * printed `keys rotated, reencryption started` (k3s#7760 validation on v1.28.1).
 */
export function rotateKeysWaitsForReencrypt(version: string): boolean {
  return atOrAfterFix(parsed(version), { 30: 5, 31: 1 }, 32);
}

/**
 * How long rotate-keys waits for the apiserver to reload the new encryption config (k3s pkg/secretsencrypt
 * WaitForEncryptionConfigReload): 60 s, which the apiserver's one-minute poll can miss by a few seconds — the
 * request then fails although the reload happens right after (k3s#12373); 120 s since k3s#12392, in the June 2025
 * releases v1.33.2, v1.32.6, v1.31.10, v1.30.14 (backports k3s#12412–#12415 tested 2025-06-18).
 */
export function encryptionReloadTimeoutSeconds(version: string): number {
  return atOrAfterFix(parsed(version), { 33: 2, 32: 6, 31: 10, 30: 14 }, 34) ? 120 : 60;
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

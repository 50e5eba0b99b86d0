// The run lock: a coordination.k8s.io Lease kube-system/keyturn, plus a lock file on every server the run
// touches so the lock holds while the API is down. Held and renewed while a run is active; someone else's lock
// is taken over only after its TTL expired, and only when the operator confirms.
import type { KubeGateway, KubeLease } from '../transports/types.js';
import { shq } from '../util/shell-quote.js';
import type { LockHolder } from './events.js';
import type { Plan, PlannedNode } from './plan-types.js';
import type { Clock, RunPorts } from './ports.js';
import { parseUntrustedJson } from '../util/untrusted-text.js';

export const LEASE_NAMESPACE = 'kube-system';
export const LEASE_NAME = 'keyturn';
export const DEFAULT_LOCK_TTL_SECONDS = 60;

export interface LockPorts {
  kube: KubeGateway | null;
  shell: RunPorts['shell'];
  clock: Clock;
  /** Asked only for an expired lock of someone else: take it over? */
  confirmTakeover(holder: LockHolder, where: string): Promise<boolean>;
}

export type LockResult =
  | { ok: true; lock: HeldLock; tookOver: { holder: LockHolder; where: string }[]; apiLease: boolean }
  | { ok: false; heldBy: LockHolder | null; where: string; reason: string };

/** What a release left behind: the Lease stays when the API would not delete it (it then lapses by its TTL). */
export type LockRelease = { lease: 'released' } | { lease: 'kept'; why: string; lapsesAt: string };

/**
 * A run usually ends just after servers restarted, when the API can answer 503 for a while: the Lease's delete is
 * retried for about this long before the release gives up and says when the Lease lapses by itself.
 */
export const LEASE_RELEASE_TRIES = 6;
const LEASE_RELEASE_PAUSE_MS = 2_000;

export interface HeldLock {
  renew(): Promise<void>;
  release(): Promise<LockRelease>;
  /** Renews every TTL/3 until the signal fires. */
  keepRenewed(signal: AbortSignal): Promise<void>;
}

const lockFile = (n: PlannedNode) => `${n.dataDir}/keyturn.lock`;

/** When a holder's lock lapses: its last renewal plus its TTL (a Lease's renewTime + leaseDurationSeconds). */
function lockExpiryMs(h: Pick<LockHolder, 'renewedAt' | 'ttlSeconds'>): number {
  return Date.parse(h.renewedAt) + h.ttlSeconds * 1000;
}

/** The moment the lock lapses, for the lines that say "held until …" and the takeover question. */
export function lockExpiresAt(h: Pick<LockHolder, 'renewedAt' | 'ttlSeconds'>): string {
  return new Date(lockExpiryMs(h)).toISOString();
}

export function expired(h: LockHolder, nowMs: number): boolean {
  return lockExpiryMs(h) < nowMs;
}

function fromLease(l: KubeLease): LockHolder | null {
  if (!l.holderIdentity) return null;
  const m = /^(.*) run=(\S+)$/.exec(l.holderIdentity);
  return {
    holder: m ? m[1] : l.holderIdentity,
    runId: m ? m[2] : '',
    renewedAt: l.renewTime ?? l.acquireTime ?? new Date(0).toISOString(),
    ttlSeconds: l.leaseDurationSeconds ?? DEFAULT_LOCK_TTL_SECONDS,
  };
}

export async function acquireRunLock(
  ports: LockPorts,
  plan: Plan,
  me: { holder: string; runId: string },
  ttlSeconds = DEFAULT_LOCK_TTL_SECONDS,
): Promise<LockResult> {
  const servers = plan.nodes.filter((n) => n.server);
  const tookOver: { holder: LockHolder; where: string }[] = [];
  const now = () => new Date(ports.clock.now()).toISOString();
  const mine = (): LockHolder => ({ holder: me.holder, runId: me.runId, renewedAt: now(), ttlSeconds });

  // May we take a lock that is held by `h`? Ours (same run: resume), expired + confirmed, or free.
  const mayTake = async (h: LockHolder | null, where: string): Promise<LockResult | null> => {
    if (!h || h.runId === me.runId) return null;
    if (!expired(h, ports.clock.now()))
      return { ok: false, heldBy: h, where, reason: `held by ${h.holder} (run ${h.runId}) until ${lockExpiresAt(h)}` };
    // One question per expired holder, not one per server.
    if (!tookOver.some((t) => t.holder.runId === h.runId) && !(await ports.confirmTakeover(h, where))) {
      return { ok: false, heldBy: h, where, reason: 'takeover declined' };
    }
    tookOver.push({ holder: h, where });
    return null;
  };

  // 1. The lease, when the API answers.
  let lease: KubeLease | null = null;
  let apiLease = false;
  if (ports.kube) {
    const got = await ports.kube.getLease(LEASE_NAMESPACE, LEASE_NAME);
    if (got.ok) {
      const refusal = await mayTake(fromLease(got.value), `Lease ${LEASE_NAMESPACE}/${LEASE_NAME}`);
      if (refusal) return refusal;
      lease = got.value;
      apiLease = true;
    } else if (got.failure.kind === 'not-found') apiLease = true;
  }
  // 2. The lock files on every server (checked before writing any).
  const files = new Map<string, LockHolder | null>();
  for (const n of servers) {
    const r = await ports.shell(n.name).run(`cat ${shq(lockFile(n))} 2>/dev/null || true`, { timeoutMs: 30_000 });
    if (r.outcome !== 'ok')
      return {
        ok: false,
        heldBy: null,
        where: n.name,
        reason: `cannot read ${lockFile(n)} on ${n.name}: ${r.outcome}`,
      };
    let held: LockHolder | null = null;
    try {
      held = r.stdout.trim() ? (parseUntrustedJson(r.stdout) as LockHolder) : null;
    } catch {
      held = null; // unreadable: treat as free (a torn write of ours)
    }
    const refusal = await mayTake(held, `${n.name}:${lockFile(n)}`);
    if (refusal) return refusal;
    files.set(n.name, held);
  }

  const writeLease = async (): Promise<void> => {
    if (!ports.kube || !apiLease) return;
    const h = mine();
    const body = {
      name: LEASE_NAME,
      namespace: LEASE_NAMESPACE,
      holderIdentity: `${h.holder} run=${h.runId}`,
      leaseDurationSeconds: ttlSeconds,
      acquireTime: lease?.acquireTime ?? h.renewedAt,
      renewTime: h.renewedAt,
    };
    const r = lease
      ? await ports.kube.updateLease({ ...body, resourceVersion: lease.resourceVersion })
      : await ports.kube.createLease(body);
    if (r.ok) lease = r.value;
    else if (r.failure.kind === 'conflict')
      throw new LockLost(`Lease ${LEASE_NAMESPACE}/${LEASE_NAME} changed under us: ${r.failure.detail}`);
    // unreachable/unavailable: the API went down mid-run; the lock files hold the lock meanwhile.
  };
  const writeFiles = async (): Promise<void> => {
    const text = JSON.stringify(mine());
    for (const n of servers) {
      const f = lockFile(n);
      await ports
        .shell(n.name)
        .run(`umask 077 && printf '%s\\n' ${shq(text)} > ${shq(`${f}.tmp`)} && mv ${shq(`${f}.tmp`)} ${shq(f)}`, {
          timeoutMs: 30_000,
        });
    }
  };
  try {
    await writeLease();
  } catch (err) {
    if (err instanceof LockLost) return { ok: false, heldBy: null, where: 'Lease', reason: err.message };
    throw err;
  }
  await writeFiles();

  const releaseLease = async (): Promise<LockRelease> => {
    if (!ports.kube || !apiLease || !lease) return { lease: 'released' };
    let why = '';
    for (let attempt = 1; attempt <= LEASE_RELEASE_TRIES; attempt++) {
      const r = await ports.kube.deleteLease(LEASE_NAMESPACE, LEASE_NAME);
      if (r.ok || r.failure.kind === 'not-found') return { lease: 'released' };
      why = r.failure.detail;
      if (r.failure.kind !== 'unavailable' && r.failure.kind !== 'unreachable') break; // retrying will not help
      if (attempt < LEASE_RELEASE_TRIES) await ports.clock.sleep(LEASE_RELEASE_PAUSE_MS, new AbortController().signal);
    }
    const last = fromLease(lease);
    return { lease: 'kept', why, lapsesAt: lockExpiresAt(last ?? mine()) };
  };

  const lock: HeldLock = {
    async renew() {
      await writeLease();
      await writeFiles();
    },
    async release() {
      const leaseOutcome = await releaseLease();
      for (const n of servers) {
        const f = shq(lockFile(n));
        await ports
          .shell(n.name)
          .run(`grep -q ${shq(`"runId":"${me.runId}"`)} ${f} 2>/dev/null && rm -f ${f} || true`, { timeoutMs: 30_000 });
      }
      return leaseOutcome;
    },
    async keepRenewed(signal) {
      while (!signal.aborted) {
        await ports.clock.sleep((ttlSeconds * 1000) / 3, signal);
        if (!signal.aborted) await lock.renew().catch(() => undefined);
      }
    },
  };
  return { ok: true, lock, tookOver, apiLease };
}

export class LockLost extends Error {}

/** Who holds the lock, for the UI's banner: the lease when readable, else the first server's lock file. */
export async function showLockHolder(ports: Pick<LockPorts, 'kube' | 'shell'>, plan: Plan): Promise<LockHolder | null> {
  if (ports.kube) {
    const l = await ports.kube.getLease(LEASE_NAMESPACE, LEASE_NAME);
    if (l.ok) return fromLease(l.value);
  }
  for (const n of plan.nodes.filter((x) => x.server)) {
    const r = await ports.shell(n.name).run(`cat ${shq(lockFile(n))} 2>/dev/null || true`, { timeoutMs: 30_000 });
    try {
      if (r.outcome === 'ok' && r.stdout.trim()) return parseUntrustedJson(r.stdout) as LockHolder;
    } catch {
      // unreadable: try the next server
    }
  }
  return null;
}

import { describe, expect, it } from 'vitest';
import { acquireRunLock, expired, LEASE_RELEASE_TRIES, lockExpiresAt, showLockHolder } from '../../src/engine/lock.js';
import type { LockPorts } from '../../src/engine/lock.js';
import type { ApiResult, KubeGateway, KubeLease } from '../../src/transports/types.js';
import { fakeKube } from './support/ports.js';
import { setup } from './support/run.js';

function leaseStore(base: KubeGateway, up = { api: true, deleteFailures: 0 }) {
  let lease: KubeLease | null = null;
  let rv = 0;
  let deletes = 0;
  const down = { ok: false as const, failure: { kind: 'unavailable' as const, status: 503, detail: 'etcd down' } };
  const kube: KubeGateway = {
    ...base,
    getLease: async (): Promise<ApiResult<KubeLease>> =>
      !up.api ? down : lease ? { ok: true, value: lease } : { ok: false, failure: { kind: 'not-found', detail: '' } },
    createLease: async (l) => (!up.api ? down : { ok: true, value: (lease = { ...l, resourceVersion: String(++rv) }) }),
    updateLease: async (l) =>
      !up.api
        ? down
        : l.resourceVersion !== lease?.resourceVersion
          ? { ok: false, failure: { kind: 'conflict', detail: 'rv' } }
          : { ok: true, value: (lease = { ...l, resourceVersion: String(++rv) }) },
    deleteLease: async () => {
      deletes++;
      if (!up.api || deletes <= up.deleteFailures) return down;
      lease = null;
      return { ok: true, value: undefined };
    },
  };
  return { kube, get: () => lease, up, deletes: () => deletes };
}

describe('run lock', () => {
  it('holds a Lease and a lock file on each server; a second run is refused and told who holds it', async () => {
    const s = await setup('rotate-certs', 'split');
    const store = leaseStore(fakeKube(s.fake));
    const asked: string[] = [];
    const ports: LockPorts = {
      kube: store.kube,
      shell: s.ports.shell,
      clock: s.clock,
      confirmTakeover: async (h) => (asked.push(h.holder), true),
    };
    const a = await acquireRunLock(ports, s.plan, { holder: 'alice@laptop', runId: 'run-1' });
    expect(a.ok).toBe(true);
    expect(store.get()?.holderIdentity).toBe('alice@laptop run=run-1');
    expect(s.fake.nodes.get('etcd-1')!.files.get('/var/lib/rancher/rke2/keyturn.lock')).toContain('"runId":"run-1"');
    expect(s.fake.nodes.get('agent-1')!.files.size).toBe(0);

    const b = await acquireRunLock(ports, s.plan, { holder: 'bob@desk', runId: 'run-2' });
    expect(b).toMatchObject({ ok: false, heldBy: { holder: 'alice@laptop', runId: 'run-1' } });
    expect(asked).toEqual([]);
    expect(await showLockHolder(ports, s.plan)).toMatchObject({ holder: 'alice@laptop' });

    // Same run (resume) re-takes its own lock.
    expect((await acquireRunLock(ports, s.plan, { holder: 'alice@laptop', runId: 'run-1' })).ok).toBe(true);

    // After the TTL, takeover only with confirmation.
    s.clock.t += 61_000;
    const declined = await acquireRunLock({ ...ports, confirmTakeover: async () => false }, s.plan, {
      holder: 'bob@desk',
      runId: 'run-2',
    });
    expect(declined).toMatchObject({ ok: false, reason: 'takeover declined' });
    const taken = await acquireRunLock(ports, s.plan, { holder: 'bob@desk', runId: 'run-2' });
    expect(taken.ok && taken.tookOver.map((t) => t.where)).toEqual([
      'Lease kube-system/keyturn',
      ...['etcd-1', 'etcd-2', 'etcd-3', 'cp-1', 'cp-2'].map((n) => `${n}:/var/lib/rancher/rke2/keyturn.lock`),
    ]);
    expect(asked).toEqual(['alice@laptop']);
    if (taken.ok) await taken.lock.release();
    expect(store.get()).toBeNull();
    expect(s.fake.nodes.get('etcd-1')!.files.size).toBe(0);
  });

  it('holds with the API down: the lock files refuse a second run', async () => {
    const s = await setup('rotate-certs', 'ha');
    const store = leaseStore(fakeKube(s.fake), { api: false, deleteFailures: 0 });
    const ports: LockPorts = {
      kube: store.kube,
      shell: s.ports.shell,
      clock: s.clock,
      confirmTakeover: async () => true,
    };
    const a = await acquireRunLock(ports, s.plan, { holder: 'alice@laptop', runId: 'run-1' });
    expect(a).toMatchObject({ ok: true, apiLease: false });
    const b = await acquireRunLock(ports, s.plan, { holder: 'bob@desk', runId: 'run-2' });
    expect(b).toMatchObject({
      ok: false,
      heldBy: { holder: 'alice@laptop' },
      where: 'server-1:/var/lib/rancher/rke2/keyturn.lock',
    });
  });
});

/** alice's run holds the lock on a split cluster whose API fails the Lease's first `deleteFailures` deletes. */
async function aliceHolds(deleteFailures: number) {
  const s = await setup('rotate-certs', 'split');
  const store = leaseStore(fakeKube(s.fake), { api: true, deleteFailures });
  const ports: LockPorts = {
    kube: store.kube,
    shell: s.ports.shell,
    clock: s.clock,
    confirmTakeover: async () => true,
  };
  const a = await acquireRunLock(ports, s.plan, { holder: 'alice@laptop', runId: 'run-1' });
  if (!a.ok) throw new Error(a.reason);
  return { s, store, lock: a.lock };
}

describe('releasing the run lock just after servers restarted (the API may answer 503 for a while)', () => {
  it('retries the Lease delete through a few 503s, then the Lease is gone', async () => {
    const { s, store, lock } = await aliceHolds(2);
    expect(await lock.release()).toEqual({ lease: 'released' });
    expect(store.deletes()).toBe(3);
    expect(store.get()).toBeNull();
    expect(s.fake.nodes.get('etcd-1')!.files.size).toBe(0);
  });

  it('when the API never deletes it, says the Lease stays and when it lapses; the lock files still go', async () => {
    const { s, store, lock } = await aliceHolds(1000);
    const renewedAt = store.get()!.renewTime!;
    const released = await lock.release();
    expect(store.deletes()).toBe(LEASE_RELEASE_TRIES);
    expect(released).toEqual({
      lease: 'kept',
      why: 'etcd down',
      lapsesAt: new Date(Date.parse(renewedAt) + 60_000).toISOString(),
    });
    expect(store.get()).not.toBeNull();
    expect(s.fake.nodes.get('etcd-1')!.files.size).toBe(0);
  });
});

describe('lock expiry (one rule for the refusal line, the takeover question and the takeover itself)', () => {
  it('a lock lapses at its last renewal plus its TTL, and is expired only after that', () => {
    const h = { holder: 'alice@laptop', runId: 'r1', renewedAt: '2026-01-01T00:00:00.000Z', ttlSeconds: 60 };
    expect(lockExpiresAt(h)).toBe('2026-01-01T00:01:00.000Z');
    expect(expired(h, Date.parse('2026-01-01T00:01:00.000Z'))).toBe(false);
    expect(expired(h, Date.parse('2026-01-01T00:01:00.001Z'))).toBe(true);
  });
});

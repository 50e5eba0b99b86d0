import { describe, expect, it } from 'vitest';
import { paginate } from '../../../lab/api/collection.js';
import { stableUid, type KubeObject } from '../../../lab/api/objects.js';
import { chooseRepresentation } from '../../../lab/api/request.js';
import { parseFieldSelector, parseLabelSelector } from '../../../lab/api/selectors.js';
import { humanAge, microTime, normalizeMicroTime } from '../../../lab/api/time.js';

describe('label selectors', () => {
  const labels = { 'node-role.kubernetes.io/etcd': 'true', tier: 'db' };
  const matches = (selector: string) => {
    const parsed = parseLabelSelector(selector);
    if (!parsed.ok) throw new Error(parsed.message);
    return parsed.value(labels);
  };

  it('supports equality, inequality, existence and sets', () => {
    expect(matches('node-role.kubernetes.io/etcd=true')).toBe(true);
    expect(matches('node-role.kubernetes.io/etcd==false')).toBe(false);
    expect(matches('tier!=db')).toBe(false);
    expect(matches('node-role.kubernetes.io/etcd')).toBe(true);
    expect(matches('!node-role.kubernetes.io/control-plane')).toBe(true);
    expect(matches('tier in (web, db),node-role.kubernetes.io/etcd')).toBe(true);
    expect(matches('tier notin (db)')).toBe(false);
  });

  it('rejects what it cannot parse', () => {
    expect(parseLabelSelector('a b c').ok).toBe(false);
  });
});

describe('field selectors', () => {
  const read = (item: Record<string, string>, field: string) => item[field];
  it('matches supported fields and refuses others like the apiserver', () => {
    const parsed = parseFieldSelector<Record<string, string>>(
      'reason=SecretsProgress,involvedObject.name!=cp-2',
      ['reason', 'involvedObject.name'],
      read,
    );
    if (!parsed.ok) throw new Error(parsed.message);
    expect(parsed.value({ reason: 'SecretsProgress', 'involvedObject.name': 'cp-1' })).toBe(true);
    expect(parsed.value({ reason: 'SecretsProgress', 'involvedObject.name': 'cp-2' })).toBe(false);
    const refused = parseFieldSelector('spec.foo=bar', ['reason'], read);
    expect(refused).toEqual({ ok: false, message: 'field label not supported: spec.foo' });
  });
});

describe('humanAge', () => {
  const now = new Date('2025-06-01T00:00:00Z');
  const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000);
  it('prints ages the way kubectl does', () => {
    expect(humanAge(ago(59), now)).toBe('59s');
    expect(humanAge(ago(5 * 60 + 30), now)).toBe('5m30s');
    expect(humanAge(ago(45 * 60), now)).toBe('45m');
    expect(humanAge(ago(3 * 3600 + 12 * 60), now)).toBe('3h12m');
    expect(humanAge(ago(20 * 3600), now)).toBe('20h');
    expect(humanAge(ago(2 * 86400 + 4 * 3600), now)).toBe('2d4h');
    expect(humanAge(ago(300 * 86400), now)).toBe('300d');
    expect(humanAge(ago(-60), now)).toBe('<invalid>');
  });

  it('formats MicroTime with six fractional digits', () => {
    expect(microTime(new Date('2025-01-02T03:04:05.678Z'))).toBe('2025-01-02T03:04:05.678000Z');
    expect(normalizeMicroTime('2025-01-02T03:04:05Z')).toBe('2025-01-02T03:04:05.000000Z');
    expect(normalizeMicroTime('2025-01-02T03:04:05.1234567Z')).toBe('2025-01-02T03:04:05.123456Z');
    expect(normalizeMicroTime('2025-01-02T05:04:05.5+02:00')).toBe('2025-01-02T03:04:05.500000Z');
    expect(normalizeMicroTime('yesterday')).toBeUndefined();
  });
});

describe('representation negotiation', () => {
  const none = new URLSearchParams();
  it('serves a Table to kubectl and plain JSON otherwise', () => {
    const kubectlAccept =
      'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
    expect(chooseRepresentation(kubectlAccept, none)).toEqual({
      kind: 'table',
      apiVersion: 'meta.k8s.io/v1',
      includeObject: 'Metadata',
    });
    expect(chooseRepresentation('application/json', none)).toEqual({ kind: 'object' });
    expect(chooseRepresentation('', none)).toEqual({ kind: 'object' });
    const discoveryAccept = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json';
    expect(chooseRepresentation(discoveryAccept, none)).toEqual({ kind: 'object' });
  });
});

describe('paginate', () => {
  const items: KubeObject[] = Array.from({ length: 7 }, (_, i) => ({
    metadata: {
      name: `s${i}`,
      uid: stableUid(String(i)),
      resourceVersion: '1',
      creationTimestamp: '2025-01-01T00:00:00Z',
    },
  }));

  it('walks every item exactly once through continue tokens and counts what remains', () => {
    const seen: string[] = [];
    let token: string | undefined;
    const remaining: (number | undefined)[] = [];
    do {
      const query = new URLSearchParams({ limit: '3', ...(token ? { continue: token } : {}) });
      const page = paginate(items, query, 99);
      if (!page.ok) throw new Error(page.status.message);
      seen.push(...page.items.map((i) => i.metadata.name));
      remaining.push(page.listMeta.remainingItemCount);
      expect(page.listMeta.resourceVersion).toBe('99');
      token = page.listMeta.continue;
    } while (token);
    expect(seen).toEqual(items.map((i) => i.metadata.name));
    expect(remaining).toEqual([4, 1, undefined]);
  });

  it('refuses a forged continue token', () => {
    const page = paginate(items, new URLSearchParams({ continue: 'not-a-token' }), 1);
    expect(page.ok).toBe(false);
  });
});

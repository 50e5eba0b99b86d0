// The etcd gate's probe of one server, run by a real sh with a curl stand-in on PATH that answers by URL as a node
// of each upstream layout does (k3s#8402): every URL is on the node's own loopback, the certificates are the
// node's own, a hostile data dir stays one argument, and 2379 is asked only when 2382 refuses. Then the gate's
// verdict from every server's answers (assessQuorum), pure.
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { EtcdProbe } from '../../src/discovery/etcd-local-probe.js';
import { assessQuorum, type ServerProbe } from '../../src/engine/checks/etcd.js';
import { etcdProbeScript, parseEtcdProbe } from '../../src/engine/checks/etcd-probe.js';
import type { PlannedNode } from '../../src/engine/plan-types.js';

const run = promisify(execFile);
const root = mkdtempSync(path.join(os.tmpdir(), 'kt-etcd-probe-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const LIST =
  '{"header":{"member_id":"1"},"members":[{"ID":"1","name":"etcd-1-aa","peerURLs":["https://10.0.0.1:2380"],"clientURLs":["https://10.0.0.1:2379"]}]}';
const STATUS = '{"header":{"member_id":"1"},"version":"3.5.21","leader":"1"}';

/** A node's curl: answers from files named after the URL; no file = refused (exit 7); "TIMEOUT" = exit 28. */
function nodeWith(name: string, answers: Record<string, string>): string {
  const dir = path.join(root, name);
  mkdirSync(path.join(dir, 'answers'), { recursive: true });
  for (const [url, body] of Object.entries(answers))
    writeFileSync(path.join(dir, 'answers', url.replace(/[^A-Za-z0-9]/g, '_')), body);
  writeFileSync(
    path.join(dir, 'curl'),
    `#!/bin/sh
for a in "$@"; do url=$a; done
printf '%s\\n' "$@" > "${dir}/argv-$(printf %s "$url" | tr -c 'A-Za-z0-9' _)"
f="${dir}/answers/$(printf %s "$url" | tr -c 'A-Za-z0-9' _)"
[ -f "$f" ] || { echo "curl: (7) Failed to connect to 127.0.0.1 port \${url#*127.0.0.1:}" >&2; exit 7; }
[ "$(cat "$f")" = TIMEOUT ] && { echo "curl: (28) Operation timed out" >&2; exit 28; }
cat "$f"
`,
  );
  chmodSync(path.join(dir, 'curl'), 0o755);
  return dir;
}

const node = (name: string, address: string, dataDir = '/var/lib/rancher/rke2'): PlannedNode => ({
  name,
  address,
  roles: ['etcd'],
  distro: 'rke2',
  dataDir,
  unit: 'rke2-server',
  tier: 'etcd-only',
  server: true,
  etcd: true,
  version: 'v1.32.5+rke2r1',
  init: name === 'etcd-1',
});

async function probeOn(dir: string, n: PlannedNode) {
  const { stdout } = await run('sh', ['-c', etcdProbeScript(n)], { env: { PATH: `${dir}:/usr/bin:/bin` } });
  return parseEtcdProbe(stdout);
}

describe('etcd probe (one server, one script)', () => {
  it("current layout: health on 127.0.0.1:2381, list and status on 127.0.0.1:2382, the node's own certs", async () => {
    const dir = nodeWith('current', {
      'http://127.0.0.1:2381/health': '{"health":"true","reason":""}',
      'https://127.0.0.1:2382/v3/cluster/member/list': LIST,
      'https://127.0.0.1:2382/v3/maintenance/status': STATUS,
    });
    const n = node('etcd-1', '10.0.0.1', `${dir}/data dir; touch ${dir}/pwned`);
    const probe = await probeOn(dir, n);
    expect(probe).toMatchObject({ listening: true, health: { ok: true, value: { healthy: true, reason: '' } } });
    expect(probe?.members.ok && probe.members.value.members.map((m) => m.name)).toEqual(['etcd-1-aa']);
    expect(probe?.status.ok && probe.status.value.leader).toBe('1');
    // Never 2379, never a peer's address; the data dir is one argument and nothing was injected.
    expect(
      readdirSync(dir)
        .filter((f) => f.startsWith('argv-'))
        .sort(),
    ).toEqual([
      'argv-http___127_0_0_1_2381_health',
      'argv-https___127_0_0_1_2382_v3_cluster_member_list',
      'argv-https___127_0_0_1_2382_v3_maintenance_status',
    ]);
    const argv = readFileSync(path.join(dir, 'argv-https___127_0_0_1_2382_v3_cluster_member_list'), 'utf8').split('\n');
    expect(argv).toContain(`${n.dataDir}/server/tls/etcd/client.key`);
    expect(argv).toContain(`${n.dataDir}/server/tls/etcd/server-ca.crt`);
    expect(readdirSync(dir)).not.toContain('pwned');
  });

  it('layout before k3s#8402: 2382 refuses, so the same script asks 127.0.0.1:2379', async () => {
    const dir = nodeWith('old', {
      'http://127.0.0.1:2381/health': '{"health":"true"}',
      'https://127.0.0.1:2379/v3/cluster/member/list': LIST,
      'https://127.0.0.1:2379/v3/maintenance/status': STATUS,
    });
    const probe = await probeOn(dir, node('etcd-1', '10.0.0.1'));
    expect(probe?.members).toMatchObject({ ok: true });
    expect(probe?.status.ok && probe.status.value.leader).toBe('1');
  });

  it('a 2382 that answers late is not retried on 2379, and a member with nothing on 2381 is not running', async () => {
    const slow = nodeWith('slow', {
      'http://127.0.0.1:2381/health': '{"health":"false"}',
      'https://127.0.0.1:2382/v3/cluster/member/list': 'TIMEOUT',
      'https://127.0.0.1:2379/v3/cluster/member/list': LIST,
    });
    const probe = await probeOn(slow, node('etcd-1', '10.0.0.1'));
    expect(probe?.members).toEqual({ ok: false, error: 'curl: (28) Operation timed out' });
    expect(readdirSync(slow)).not.toContain('argv-https___127_0_0_1_2379_v3_cluster_member_list');
    const down = await probeOn(nodeWith('down', {}), node('etcd-1', '10.0.0.1'));
    expect(down).toMatchObject({ listening: false, health: { ok: false, error: expect.stringContaining('(7)') } });
  });

  it('a script cut short leaves the missing answers absent, not empty successes', () => {
    const probe = parseEtcdProbe('@@keyturn-etcd@@ etcd-health\n{"health":"true"}\n');
    expect(probe?.health).toEqual({ ok: false, error: '{"health":"true"}' });
    expect(probe?.members).toEqual({ ok: false, error: 'not probed' });
    expect(parseEtcdProbe('')).toBeNull();
  });
});

const N = [node('etcd-1', '10.0.0.1'), node('etcd-2', '10.0.0.2'), node('etcd-3', '10.0.0.3')];
const members = (extra: { id: string; name: string; address: string }[] = []) =>
  [...N.map((n, i) => ({ id: String(i + 1), name: `${n.name}-ab12`, address: n.address })), ...extra].map((m) => ({
    id: m.id,
    name: m.name,
    peerURLs: [`https://${m.address}:2380`],
    clientURLs: [`https://${m.address}:2379`],
    isLearner: false,
  }));
const up = (list = members()): EtcdProbe => ({
  health: { ok: true, value: { healthy: true, reason: '' } },
  listening: true,
  members: { ok: true, value: { answeredBy: '1', members: list } },
  status: { ok: true, value: { memberId: '1', leader: '2', version: '3.5.21', errors: [], isLearner: false } },
});
const down: EtcdProbe = {
  health: { ok: false, error: 'curl: (7) Failed to connect to 127.0.0.1 port 2381' },
  listening: false,
  members: { ok: false, error: 'curl: (7) Failed to connect to 127.0.0.1 port 2379' },
  status: { ok: false, error: 'curl: (7) Failed to connect to 127.0.0.1 port 2379' },
};
const probes = (...p: (EtcdProbe | null)[]): ServerProbe[] =>
  N.map((n, i) => ({ node: n, probe: p[i], failure: 'timeout (exit 255) ssh: connect refused' }));

describe('etcd-quorum verdict', () => {
  it('passes with every member healthy on its own node, naming the leader and the server that listed them', () => {
    const r = assessQuorum(probes(up(), up(), up()), 'etcd-1', 'always');
    expect(r).toMatchObject({ status: 'pass', detail: '3 members healthy, leader etcd-2-ab12 (asked etcd-2)' });
    expect(r.evidence).toContain('member etcd-3-ab12 on etcd-3: healthy');
  });

  it('fails naming a member whose node serves nothing on 127.0.0.1:2381; while servers start, that member is only waiting', () => {
    const always = assessQuorum(probes(up(), up(), down), 'etcd-3', 'always');
    expect(always).toMatchObject({ status: 'fail', detail: '1 of 3 etcd members unhealthy: etcd-3 (asked etcd-1)' });
    expect(always.evidence).toContain(
      'member etcd-3-ab12 on etcd-3: not running: nothing listens on 127.0.0.1:2381 (curl: (7) Failed to connect to 127.0.0.1 port 2381)',
    );
    expect(assessQuorum(probes(up(), up(), down), 'etcd-3', 'majority-started')).toMatchObject({
      status: 'pass',
      detail: expect.stringContaining('2 members healthy, 1 not started yet'),
    });
    expect(assessQuorum(probes(up(), down, down), 'etcd-1', 'majority-started')).toMatchObject({
      status: 'skipped',
      detail: '1 of 3 etcd members running: quorum needs 2',
    });
  });

  it('a member in the list on no node keyturn knows fails with the fix', () => {
    const list = members([{ id: '9', name: 'far-away-cd34', address: '10.9.9.9' }]);
    const r = assessQuorum(probes(up(list), up(list), up(list)), 'etcd-1', 'always');
    expect(r.status).toBe('fail');
    expect(r.detail).toBe(
      'etcd member far-away-cd34 (https://10.9.9.9:2380) is on no node keyturn knows: its health can only be read on its own node — add that node to the inventory',
    );
  });

  it('an unreachable node is unhealthy, not waiting; no member list anywhere fails saying why per server', () => {
    expect(assessQuorum(probes(up(), null, up()), 'etcd-1', 'majority-started')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('unhealthy: etcd-2'),
    });
    const none = assessQuorum(probes(down, null, down), 'etcd-1', 'always');
    expect(none.status).toBe('fail');
    expect(none.detail).toContain('no etcd server answered the member list');
    expect(none.detail).toContain('etcd-2: timeout (exit 255) ssh: connect refused');
  });
});

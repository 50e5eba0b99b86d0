// The listeners of both upstream layouts (upstream-versions.ts etcdListenerLayout), the same from real etcd behind
// the front and from the emulation: a differential test sends keyturn's probes and more (curl to 2379, 2381 and
// 2382, health, member list, status, version, metrics) to a real and an emulated cluster and demands equal
// answers once ids, terms, sizes, names and addresses are normalised. Real clients prove the real mode: curl for
// HTTP, Debian's etcdctl (gRPC) on 2379.
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEtcdCluster, type EtcdCluster, type EtcdMemberSpec } from '../../../lab/etcd/index.js';
import type { EtcdListenerLayout } from '../../../lab/upstream-versions.js';
import { haveBinaries } from '../../support/binaries.js';
import { curl, curlMember, curlMetrics, eventually, makeTestLab, type TestLab } from './harness.js';

const available = haveBinaries('etcd', 'curl', 'openssl');
const haveEtcdctl = haveBinaries('etcdctl');

const layouts: { layout: EtcdListenerLayout; nets: { real: string; emulated: string } }[] = [
  { layout: 'grpc-only-client-port', nets: { real: '127.0.71', emulated: '127.0.72' } },
  { layout: 'http-on-client-port', nets: { real: '127.0.73', emulated: '127.0.74' } },
];

/** -w: the status line and content type after the body, on a line of their own. */
const WRITE_OUT = ['-w', '\n@@ %{http_code} %{content_type}'];

interface Answer {
  code: number;
  text: string;
}

async function probes(spec: EtcdMemberSpec): Promise<Record<string, Answer>> {
  const asked: Record<string, Promise<{ code: number; stdout: string }>> = {
    'address:2379 GET /health': curlMember(spec, '/health', { at: 'address-2379', extra: WRITE_OUT }),
    'address:2379 GET /health HTTP/1.1': curlMember(spec, '/health', {
      at: 'address-2379',
      extra: ['--http1.1', ...WRITE_OUT],
    }),
    'address:2379 POST member list': curlMember(spec, '/v3/cluster/member/list', {
      at: 'address-2379',
      post: true,
      extra: WRITE_OUT,
    }),
    'loopback:2379 GET /health': curlMember(spec, '/health', { at: 'loopback-2379', extra: WRITE_OUT }),
    'loopback:2382 GET /health': curlMember(spec, '/health', { extra: WRITE_OUT }),
    'loopback:2382 GET /version': curlMember(spec, '/version', { extra: WRITE_OUT }),
    'loopback:2382 POST member list': curlMember(spec, '/v3/cluster/member/list', { post: true, extra: WRITE_OUT }),
    'loopback:2382 POST status': curlMember(spec, '/v3/maintenance/status', { post: true, extra: WRITE_OUT }),
    'loopback:2381 GET /health': curlMetrics(spec, '/health'),
    'loopback:2381 GET /metrics (leader lines)': curlMetrics(spec, '/metrics'),
    'address:2381 GET /health': curl([`http://${spec.address}:2381/health`]),
    'address:2382 GET /health': curl(['-k', `https://${spec.address}:2382/health`]),
  };
  const out: Record<string, Answer> = {};
  for (const [name, reply] of Object.entries(asked)) {
    const r = await reply;
    out[name] = { code: r.code, text: r.stdout };
  }
  return out;
}

/** Same shape, different cluster: ids, terms, sizes, member names, addresses and the date-free metrics lines. */
function normalise(all: Record<string, Answer>, specs: EtcdMemberSpec[]): Record<string, Answer> {
  const out: Record<string, Answer> = {};
  for (const [name, answer] of Object.entries(all)) {
    let text = answer.text;
    specs.forEach((s, i) => {
      text = text
        .split(s.name)
        .join(`<member-${i + 1}>`)
        .split(s.address)
        .join(`<address-${i + 1}>`);
    });
    if (name.includes('/metrics')) {
      text = text
        .split('\n')
        .filter((l) => /^etcd_server_(has_leader|is_leader) /.test(l))
        .map((l) => l.replace(/is_leader [01]/, 'is_leader <0|1>'))
        .join('\n');
    } else {
      text = normaliseJson(text);
    }
    out[name] = { code: answer.code, text };
  }
  return out;
}

function normaliseJson(text: string): string {
  const [body, ...rest] = text.split('\n@@');
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    return text;
  }
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) {
      const items = value.map(walk);
      return items.every((i) => typeof i === 'object' && i !== null && 'name' in i)
        ? [...items].sort((a, b) =>
            String((a as { name: string }).name).localeCompare(String((b as { name: string }).name)),
          )
        : items;
    }
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, typeof v === 'string' && /^\d+$/.test(v) ? '<n>' : walk(v)]),
      );
    }
    return value;
  };
  return [JSON.stringify(walk(doc)), ...rest].join('\n@@');
}

describe.each(layouts)('etcd listeners, layout $layout', ({ layout, nets }) => {
  const labs: Record<'real' | 'emulated', { lab: TestLab; cluster: EtcdCluster } | undefined> = {
    real: undefined,
    emulated: undefined,
  };

  beforeAll(async () => {
    if (!available) return;
    for (const mode of ['real', 'emulated'] as const) {
      const lab = makeTestLab(
        `${mode === 'real' ? 'r' : 'e'}${layout === 'grpc-only-client-port' ? 'g' : 'h'}`,
        nets[mode],
        3,
      );
      const cluster = createEtcdCluster(mode, lab.specs, { token: `layout-${layout}`, fastElection: true, layout });
      labs[mode] = { lab, cluster };
    }
    await Promise.all(Object.values(labs).flatMap((l) => l!.lab.specs.map((s) => l!.cluster.member(s.name).start())));
    for (const l of Object.values(labs))
      await eventually(
        'healthy',
        () => l!.cluster.health(),
        (h) => h.healthy,
      );
  });

  afterAll(async () => {
    for (const l of Object.values(labs)) {
      if (!l) continue;
      await l.cluster.stopAll();
      rmSync(l.lab.root, { recursive: true, force: true });
    }
  });

  it.skipIf(!available)('real etcd behind the front and the emulation answer every probe alike', async () => {
    const real = normalise(await probes(labs.real!.lab.specs[0]), labs.real!.lab.specs);
    const emulated = normalise(await probes(labs.emulated!.lab.specs[0]), labs.emulated!.lab.specs);
    expect(emulated).toEqual(real);
  });

  it.skipIf(!available)('serves what upstream serves on each port, for the real member', async () => {
    const spec = labs.real!.lab.specs[0];
    const answers = await probes(spec);
    // Both layouts: plain health and metrics on the node's own loopback only.
    expect(JSON.parse(answers['loopback:2381 GET /health'].text)).toEqual({ health: 'true' });
    expect(answers['loopback:2381 GET /metrics (leader lines)'].text).toMatch(/^etcd_server_has_leader 1$/m);
    expect(answers['address:2381 GET /health'].code).toBe(7);
    expect(answers['address:2382 GET /health'].code).toBe(7);
    if (layout === 'grpc-only-client-port') {
      // gRPC only on 2379: HTTP/2 without a gRPC content type gets grpc-go's 415 and no body; HTTP/1.1 no HTTP at all.
      expect(answers['address:2379 GET /health']).toEqual({ code: 0, text: '\n@@ 415 application/grpc' });
      expect(answers['address:2379 POST member list']).toEqual({ code: 0, text: '\n@@ 415 application/grpc' });
      expect(answers['loopback:2379 GET /health']).toEqual({ code: 0, text: '\n@@ 415 application/grpc' });
      expect(answers['address:2379 GET /health HTTP/1.1'].code).not.toBe(0);
      expect(answers['address:2379 GET /health HTTP/1.1'].text).not.toContain('health');
      expect(answers['loopback:2382 GET /health'].text).toBe('{"health":"true"}\n@@ 200 text/plain; charset=utf-8');
      const list = JSON.parse(answers['loopback:2382 POST member list'].text.split('\n@@')[0]);
      expect(list.members.map((m: { clientURLs: string[] }) => m.clientURLs[0]).sort()).toEqual(
        labs.real!.lab.specs.map((s) => `https://${s.address}:2379`),
      );
    } else {
      expect(answers['address:2379 GET /health'].text).toBe('{"health":"true"}\n@@ 200 text/plain; charset=utf-8');
      expect(answers['address:2379 GET /health HTTP/1.1'].text).toBe(
        '{"health":"true"}\n@@ 200 text/plain; charset=utf-8',
      );
      expect(answers['loopback:2379 GET /health'].text).toBe('{"health":"true"}\n@@ 200 text/plain; charset=utf-8');
      expect(answers['loopback:2382 GET /health'].code).toBe(7); // no 2382 before k3s#8402
    }
  });

  it.skipIf(!available || !haveEtcdctl)('etcdctl speaks gRPC to the real member on https://<node>:2379', async () => {
    const spec = labs.real!.lab.specs[1];
    const tls = (f: string) => path.join(spec.tlsDir, f);
    const etcdctl = (...args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(
          'etcdctl',
          [
            `--endpoints=https://${spec.address}:2379`,
            `--cacert=${tls('server-ca.crt')}`,
            `--cert=${tls('client.crt')}`,
            `--key=${tls('client.key')}`,
            '--command-timeout=5s',
            ...args,
          ],
          { env: { ETCDCTL_API: '3', PATH: process.env.PATH ?? '' } },
          (error, stdout, stderr) =>
            resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
        );
      });
    const members = await etcdctl('member', 'list', '-w', 'json');
    expect(members.stderr).toBe('');
    expect(
      JSON.parse(members.stdout)
        .members.map((m: { name: string }) => m.name)
        .sort(),
    ).toEqual(labs.real!.lab.specs.map((s) => s.name));
    expect((await etcdctl('put', 'keyturn-layout', layout)).stdout.trim()).toBe('OK');
    expect((await etcdctl('get', 'keyturn-layout', '--print-value-only')).stdout.trim()).toBe(layout);
    const health = await etcdctl('endpoint', 'health');
    expect(health.code).toBe(0);
    expect(health.stdout + health.stderr).toContain('is healthy');
    const status = await etcdctl('endpoint', 'status', '-w', 'json');
    expect(JSON.parse(status.stdout)[0].Status.version).toMatch(/^3\.4\./);
  });
});

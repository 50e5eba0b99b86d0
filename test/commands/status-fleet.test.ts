// `keyturn status` over several clusters (#17): two labs (an rke2 and a k3s one, each on its own --net) and a context
// whose API address nothing listens on, in one kubeconfig. One row per cluster, the dead one a row with why, -o json
// one document per cluster, the exit status the worst cluster's, at most four clusters scanned at once.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterRead } from '../../src/model/cluster-summary.js';
import { startLab, type LabHandle } from '../support/lab.js';
import { deadPort, writeMultiKubeconfig } from '../support/multi-kubeconfig.js';
import { cliArgs, repoRoot } from '../support/paths.js';

const exec = promisify(execFile);

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

let alpha: LabHandle;
let beta: LabHandle;
let dir = '';
let kubeconfig = '';

async function keyturn(args: string[]): Promise<Ran> {
  try {
    const env = {
      ...process.env,
      KEYTURN_CONFIG_DIR: path.join(dir, 'config'),
      KEYTURN_STATE_DIR: path.join(dir, 'state'),
    };
    const { stdout, stderr } = await exec(process.execPath, [...cliArgs, ...args], {
      cwd: repoRoot,
      env,
      maxBuffer: 64 << 20,
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

const inventories = () => ['--inventory', `alpha=${alpha.inventory}`, '--inventory', `beta=${beta.inventory}`];
const rowOf = (text: string, context: string) => text.split('\n').find((l) => l.startsWith(`${context} `)) ?? '';

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'kt-fleet-'));
  [alpha, beta] = await Promise.all([
    startLab({ topology: 'single', distro: 'rke2', etcd: 'emulated' }),
    startLab({ topology: 'single', distro: 'k3s', etcd: 'emulated' }),
  ]);
  expect(alpha.net).not.toBe(beta.net);
  kubeconfig = await writeMultiKubeconfig(
    path.join(dir, 'kubeconfig'),
    [
      { context: 'alpha', kubeconfig: alpha.kubeconfig },
      { context: 'beta', kubeconfig: beta.kubeconfig },
    ],
    [{ context: 'gone', server: `https://127.0.0.1:${await deadPort()}` }],
  );
}, 180_000);

afterAll(async () => {
  await Promise.allSettled([alpha?.stop(), beta?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('status over several clusters', () => {
  it('--all-contexts: one row per cluster, the dead one a row with why; exit 2, the worst', async () => {
    const r = await keyturn(['status', '--kubeconfig', kubeconfig, '--all-contexts', ...inventories()]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(
      /^keyturn status: 3 cluster\(s\): 2 passing every check, 0 with checks not passing, 1 not read\n/,
    );
    const header = r.stdout.split('\n').find((l) => l.startsWith('CONTEXT'));
    expect(header?.split(/\s{2,}/)).toEqual([
      'CONTEXT',
      'DISTRO',
      'VERSION',
      'NODES',
      'EARLIEST EXPIRY',
      'CA',
      'ENCRYPTION',
      'ETCD',
      'FAILING CHECKS',
    ]);
    expect(rowOf(r.stdout, 'alpha').split(/\s{2,}/)).toEqual([
      'alpha',
      'rke2',
      'v1.32.5+rke2r1',
      '2',
      expect.stringMatching(/^36\dd \(server-1\)$/),
      'ok',
      'ok',
      'ok',
      '-',
    ]);
    expect(rowOf(r.stdout, 'beta').split(/\s{2,}/)).toEqual([
      'beta',
      'k3s',
      expect.stringMatching(/\+k3s\d$/),
      '2',
      expect.stringMatching(/^36\dd \(/),
      'ok',
      'ok',
      'ok',
      '-',
    ]);
    expect(rowOf(r.stdout, 'gone')).toMatch(
      /NOT READ: the API is down and no node could be reached \(.*ECONNREFUSED.*context "gone"/,
    );
    // The rows come in the kubeconfig's order, and no cluster's detail without --detail.
    expect(r.stdout.indexOf('\nalpha ')).toBeLessThan(r.stdout.indexOf('\nbeta '));
    expect(r.stdout.indexOf('\nbeta ')).toBeLessThan(r.stdout.indexOf('\ngone '));
    expect(r.stdout).not.toContain('\nCHECKS');
  }, 120_000);

  it('-o json: one document per cluster, a line each, in order; each holds the status document', async () => {
    const r = await keyturn(['status', '--kubeconfig', kubeconfig, '--all-contexts', ...inventories(), '-o', 'json']);
    expect(r.code).toBe(2);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    const docs = lines.map((l) => JSON.parse(l) as ClusterRead);
    expect(docs.map((d) => [d.context, d.exitCode])).toEqual([
      ['alpha', 0],
      ['beta', 0],
      ['gone', 2],
    ]);
    expect(docs[0].summary).toMatchObject({
      distro: 'rke2',
      nodes: 2,
      reachableNodes: 2,
      ca: 'pass',
      encryption: 'pass',
      etcd: 'pass',
      failing: [],
    });
    expect(docs[0].summary?.earliestExpiry?.daysLeft).toBeGreaterThan(360);
    expect(docs[1].summary?.distro).toBe('k3s');
    expect(docs[0].report?.nodes.map((n) => n.name).sort()).toEqual(alpha.nodes.map((n) => n.name).sort());
    expect(docs[0].server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(docs[2].problem).toMatch(/ECONNREFUSED/);
    expect(docs[2].summary?.failing).toContain('api');
  }, 120_000);

  it("exit status is the worst cluster's: a failing check on one of two makes it 1; the row names the check", async () => {
    // The fault stays: the tests after this one read alpha only.
    await beta.fault('hash-mismatch', [], 'server-1');
    {
      const r = await keyturn([
        'status',
        '--kubeconfig',
        kubeconfig,
        '--context',
        'alpha',
        '--context',
        'beta',
        ...inventories(),
      ]);
      expect(r.code).toBe(1);
      expect(rowOf(r.stdout, 'alpha')).toMatch(/ {2}-$/);
      expect(
        rowOf(r.stdout, 'beta')
          .split(/\s{2,}/)
          .slice(5),
      ).toEqual(['ok', 'FAIL', 'ok', 'encryption-hashes']);
      const detail = await keyturn([
        'status',
        '--kubeconfig',
        kubeconfig,
        '--context',
        'alpha',
        '--context',
        'beta',
        ...inventories(),
        '--detail',
      ]);
      expect(detail.code).toBe(1);
      // Each cluster in full after the table, its diagnoses' commands aimed at that cluster.
      const sections = detail.stdout.split(/^=== context /m).slice(1);
      expect(sections.map((s) => s.split(' ')[0])).toEqual(['alpha', 'beta']);
      expect(sections[1]).toMatch(/FAIL {2}encryption-hashes server-1: state hash/);
    }
  }, 120_000);

  it('one --context is the single-cluster status, as before (one document, exit by its checks)', async () => {
    const r = await keyturn([
      'status',
      '--kubeconfig',
      kubeconfig,
      '--context',
      'alpha',
      '--inventory',
      alpha.inventory,
      '-o',
      'json',
    ]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { cluster: { distro: string }; nodes: unknown[] };
    expect(doc.cluster.distro).toBe('rke2');
    expect(doc.nodes).toHaveLength(2);
    const same = await keyturn([
      'status',
      '--kubeconfig',
      kubeconfig,
      '--context',
      'alpha',
      '--context',
      'alpha',
      '--inventory',
      alpha.inventory,
    ]);
    expect(same.stdout).toMatch(/^keyturn status: rke2 /);
  }, 120_000);

  it('bad input is one line, exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [
        ['--all-contexts', '--context', 'alpha'],
        /^keyturn: --all-contexts and --context both choose the clusters — pass one of them\n$/,
      ],
      [
        ['--context', 'alpha', '--context', 'nope'],
        /^keyturn: context 'nope' not in .*; contexts: alpha, beta, gone\n$/,
      ],
      [
        ['--all-contexts', '--inventory', alpha.inventory],
        /^keyturn: --inventory .*: with several contexts an inventory says whose it is — pass --inventory CONTEXT=FILE\n$/,
      ],
      [
        ['--all-contexts', '--inventory', `delta=${alpha.inventory}`],
        /^keyturn: --inventory delta=.*: context 'delta' is not one of the clusters read \(alpha, beta, gone\) — name one of them\n$/,
      ],
      [
        ['--context', 'alpha', '--inventory', alpha.inventory, '--inventory', beta.inventory],
        /^keyturn: --inventory given twice for one cluster/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = await keyturn(['status', '--kubeconfig', kubeconfig, ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(message);
    }
  }, 60_000);
});

describe('status over several clusters: bounded', () => {
  it('scans at most four clusters at once (six APIs that never answer: two waves, the last two asked only after a timeout)', async () => {
    // Each API accepts the connection and never answers the TLS handshake: keyturn's 5 s API timeout ends each.
    // (A timed-out socket may stay open until keyturn exits, so what counts is when each API is first asked.)
    const servers: Server[] = [];
    const open = new Map<number, Set<Socket>>();
    const firstAsked: number[] = [];
    for (let i = 0; i < 6; i++) {
      const sockets = new Set<Socket>();
      open.set(i, sockets);
      const server = createServer((socket) => {
        if (sockets.size === 0) firstAsked.push(Date.now());
        sockets.add(socket);
        socket.on('error', () => {});
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      servers.push(server);
    }
    const silent = servers.map((s, i) => ({
      context: `silent-${i}`,
      server: `https://127.0.0.1:${(s.address() as { port: number }).port}`,
    }));
    const file = await writeMultiKubeconfig(
      path.join(dir, 'silent-kubeconfig'),
      [{ context: 'alpha', kubeconfig: alpha.kubeconfig }],
      silent,
    );
    try {
      const contexts = silent.flatMap((s) => ['--context', s.context]);
      const started = Date.now();
      const r = await keyturn(['status', '--kubeconfig', file, ...contexts, '-o', 'json']);
      expect(r.code).toBe(2);
      const docs = r.stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as ClusterRead);
      expect(docs.map((d) => d.context)).toEqual(silent.map((s) => s.context));
      expect(docs.every((d) => d.exitCode === 2 && d.problem !== null)).toBe(true);
      // Four asked at once, the other two only once one of those had timed out.
      expect(firstAsked).toHaveLength(6);
      const [first] = firstAsked;
      expect(
        firstAsked.slice(0, 4).every((t) => t - first < 2_000),
        String(firstAsked.map((t) => t - first)),
      ).toBe(true);
      expect(
        firstAsked.slice(4).every((t) => t - first > 4_000),
        String(firstAsked.map((t) => t - first)),
      ).toBe(true);
      // Two waves of the 5 s timeout, not one (unbounded) and not six (one at a time).
      expect(Date.now() - started).toBeGreaterThan(9_000);
      expect(Date.now() - started).toBeLessThan(25_000);
    } finally {
      for (const s of servers) s.close();
      for (const sockets of open.values()) for (const socket of sockets) socket.destroy();
    }
  }, 60_000);
});

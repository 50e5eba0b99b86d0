// A lab node's own loopback (etcd/loopback.ts): the node's bin/curl sends 127.0.0.1, localhost and [::1] URLs to
// that node's sockets only, keeping the URL (so TLS would check its host); a port the node does not serve is
// refused (exit 7) as on a node where nothing listens, and no other node reaches it.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labNodePaths } from '../../../lab/contract.js';
import { loopbackSocket, nodeLoopbackDir } from '../../../lab/etcd/loopback.js';
import { nodePath, writeNodeCommands } from '../../../lab/node-files.js';
import { haveBinaries } from '../../support/binaries.js';

const available = haveBinaries('curl');
const root = mkdtempSync(path.join(os.tmpdir(), 'kt-lo-'));
let server: http.Server;

function curlOn(node: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'curl',
      ['-sS', '--max-time', '5', ...args],
      { env: { PATH: nodePath(root, node) } },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  if (!available) return;
  const paths = {
    root,
    socket: path.join(root, 'lab.sock'),
    httpSocket: path.join(root, 'lab-http.sock'),
    client: '',
    latency: path.join(root, 'latency-ms'),
    inventory: '',
  };
  for (const [index, name] of ['n1', 'n2'].entries()) {
    await writeNodeCommands(paths, {
      name,
      index: index + 1,
      address: `127.0.76.${index + 1}`,
      roles: ['etcd'],
      distro: 'k3s',
    });
  }
  const lo = nodeLoopbackDir(labNodePaths(root, 'n1').root);
  server = http.createServer((req, res) => res.end(`n1 ${req.headers.host} ${req.url}`));
  mkdirSync(lo, { recursive: true });
  await new Promise<void>((resolve) => server.listen(loopbackSocket(lo, 2381), resolve));
});

afterAll(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  rmSync(root, { recursive: true, force: true });
});

describe.skipIf(!available)("a node's bin/curl and its own loopback", () => {
  it('reaches its own 127.0.0.1, localhost and [::1] listeners, with the URL kept', async () => {
    expect(await curlOn('n1', 'http://127.0.0.1:2381/health')).toMatchObject({
      code: 0,
      stdout: 'n1 127.0.0.1:2381 /health',
    });
    expect(await curlOn('n1', 'http://localhost:2381/metrics')).toMatchObject({
      code: 0,
      stdout: 'n1 localhost:2381 /metrics',
    });
    expect(await curlOn('n1', '-X', 'POST', '-d', '{}', 'http://[::1]:2381/v3')).toMatchObject({
      code: 0,
      stdout: 'n1 [::1]:2381 /v3',
    });
  });

  it("is refused where its node listens on nothing, and never reaches another node's loopback", async () => {
    expect((await curlOn('n1', 'https://127.0.0.1:2382/health')).code).toBe(7);
    expect((await curlOn('n1', 'http://127.0.0.1/')).code).toBe(7); // port 80: no socket
    const other = await curlOn('n2', 'http://127.0.0.1:2381/health');
    expect(other.code).toBe(7);
    expect(other.stdout).toBe('');
  });

  it('passes other URLs to the real curl, and refuses two loopback ports in one call', async () => {
    expect((await curlOn('n2', 'http://127.0.76.250:9/')).code).toBe(7); // a real connect to a closed port
    const two = await curlOn('n1', 'http://127.0.0.1:2381/a', 'http://127.0.0.1:2382/b');
    expect(two.code).toBe(2);
    expect(two.stderr).toContain('one loopback port per call');
  });
});

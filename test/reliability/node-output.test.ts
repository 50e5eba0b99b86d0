// Unexpected or hostile node output: keyturn reports it as values (a certificate problem, a check that is not
// `pass` with a detail naming the node and the file), never crashes, and `status --json` stays one valid document.
// One lab, one corruption per node (so every problem fits in its check's detail), then status through the CLI.
import { chmodSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusReport } from '../../src/model/status.js';
import { startLab, type LabHandle } from '../support/lab.js';
import { makeSandbox, type CliResult } from './support.js';

const box = makeSandbox('kt-nodeout-');
let lab: LabHandle;

const dataDir = (node: string) => lab.nodes.find((n) => n.name === node)!.dataDir;
const binDir = (node: string) => path.join(path.dirname(dataDir(node)), 'bin');

/** Wraps one of the node's commands: `script` runs first and may answer instead of the real one (bin/<cmd>.real). */
function wrapCommand(node: string, command: string, script: string): void {
  const file = path.join(binDir(node), command);
  renameSync(file, `${file}.real`);
  writeFileSync(file, `#!/bin/sh\n${script}\nexec "${file}.real" "$@"\n`);
  chmodSync(file, 0o755);
}

const MEGABYTE = 1024 * 1024;
const BAD_BYTES = Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0xf0, 0x28, 0x8c, 0xbc]);

let json: CliResult;
let text: CliResult;
let report: StatusReport;

beforeAll(async () => {
  lab = await startLab({ topology: 'split' });
  const admin = 'server/tls/client-admin.crt';
  // etcd-1: PEM armour around garbage base64.
  writeFileSync(
    path.join(dataDir('etcd-1'), admin),
    '-----BEGIN CERTIFICATE-----\nTUlJQm5vdCBhIGNlcnQ=!!*&^%\n-----END CERTIFICATE-----\n',
  );
  // etcd-2: a certificate cut off half way (a full disk, a copy interrupted).
  const whole = await lab.run('etcd-2', `cat ${JSON.stringify(path.join(dataDir('etcd-2'), admin))}`);
  writeFileSync(path.join(dataDir('etcd-2'), admin), whole.stdout.slice(0, 300));
  // etcd-3: the certificate path is a directory.
  rmSync(path.join(dataDir('etcd-3'), admin));
  mkdirSync(path.join(dataDir('etcd-3'), admin));
  // cp-1: an empty file.
  writeFileSync(path.join(dataDir('cp-1'), admin), '');
  // cp-2: bytes that are not UTF-8, in a certificate and in encryption-state.json.
  writeFileSync(path.join(dataDir('cp-2'), admin), Buffer.concat([BAD_BYTES, Buffer.from('\n'), BAD_BYTES]));
  writeFileSync(path.join(dataDir('cp-2'), 'server/cred/encryption-state.json'), BAD_BYTES);
  // agent-1: `systemctl show` prints nothing and exits 0; journalctl prints invalid UTF-8 and a 1 MiB line.
  wrapCommand('agent-1', 'systemctl', 'if [ "$1" = show ]; then exit 0; fi');
  wrapCommand(
    'agent-1',
    'journalctl',
    [
      `printf 'Nov 22 03:00:00 agent-1 rke2[1]: time="2026-11-22T03:00:00Z" level=fatal msg="\\377\\376 \\303\\050 bad bytes"\\n'`,
      `head -c ${MEGABYTE} /dev/zero | tr '\\0' 'x'; echo`,
      `printf 'Nov 22 03:00:01 agent-1 rke2[1]: last line\\n'`,
      'exit 0',
    ].join('\n'),
  );
  // agent-2: a 10 MiB "certificate" (more than the transport keeps of a command's output).
  writeFileSync(path.join(dataDir('agent-2'), 'agent/client-kube-proxy.crt'), Buffer.alloc(10 * MEGABYTE, 'A'));

  const args = ['status', '--kubeconfig', lab.kubeconfig, '--inventory', lab.inventory];
  json = await box.cli([...args, '--json']);
  text = await box.cli(args);
  report = JSON.parse(json.stdout) as StatusReport;
}, 240_000);

afterAll(async () => {
  await lab?.stop();
  rmSync(box.dir, { recursive: true, force: true });
});

const checkOf = (id: string) => report.checks.find((c) => c.id === id)!;
const nodeOf = (name: string) => report.nodes.find((n) => n.name === name)!;

describe('hostile node output: values, not crashes', () => {
  it('status --json prints one valid document, exits 1 (checks fail), and says nothing on stderr', () => {
    expect(json.stderr).toBe('');
    expect(json.code).toBe(1);
    expect(json.stdout.trimEnd().split('\n').length).toBeGreaterThan(1);
    expect(() => JSON.parse(json.stdout)).not.toThrow();
    const reached = Object.fromEntries(report.nodes.map((n) => [n.name, n.reachable]));
    expect(reached).toEqual(Object.fromEntries(lab.nodes.map((n) => [n.name, true])));
    // Nothing of the megabyte line or the 10 MiB file came through whole.
    expect(json.stdout.length).toBeLessThan(MEGABYTE / 2);
  });

  it('every broken certificate file is named with its node, path and problem; the check is not a pass', () => {
    const certs = checkOf('certificates');
    expect(['warn', 'fail']).toContain(certs.status);
    for (const expected of [
      'etcd-1 server/tls/client-admin.crt: certificate cannot be parsed',
      'etcd-2 server/tls/client-admin.crt: truncated PEM (BEGIN CERTIFICATE without END)',
      'etcd-3 server/tls/client-admin.crt: is a directory, not a certificate',
      'cp-1 server/tls/client-admin.crt: empty file',
      'cp-2 server/tls/client-admin.crt: no PEM certificate in the file',
      'agent-2 agent/client-kube-proxy.crt: no PEM certificate in the file',
    ]) {
      expect(certs.detail).toContain(expected);
    }
    // The broken file is not listed as a certificate; the node's other certificates still are.
    for (const [node, file] of [
      ['etcd-1', 'server/tls/client-admin.crt'],
      ['agent-2', 'agent/client-kube-proxy.crt'],
    ] as const) {
      expect(nodeOf(node).certificates.map((c) => c.path)).not.toContain(file);
      expect(nodeOf(node).certificates.length).toBeGreaterThan(3);
    }
  });

  it('a systemctl that prints nothing: the service is unknown and the check says so, naming the node', () => {
    expect(nodeOf('agent-1').service.state).toBe('unknown');
    const services = checkOf('services');
    expect(services.status).not.toBe('pass');
    expect(services.detail).toMatch(/agent-1 rke2-agent: systemctl show gave no state \(exit 0\): no output/);
  });

  it('encryption-state.json full of invalid bytes: the hash check fails naming the node', () => {
    expect(nodeOf('cp-2').encryption).toBeNull();
    const enc = checkOf('encryption-hashes');
    expect(enc.status).toBe('fail');
    expect(enc.detail).toContain('cp-2');
    expect(enc.detail).toContain('encryption-state.json unreadable');
  });

  it('a journal with invalid UTF-8 and a megabyte line: the node is read, evidence stays short', () => {
    const agent = nodeOf('agent-1');
    expect(agent.reachable).toBe(true);
    expect(agent.certificates.length).toBeGreaterThan(0);
    for (const d of agent.diagnoses) expect(d.evidence.length).toBeLessThanOrEqual(8192);
  });

  it('status (text) survives the same cluster: exit 1, no stack trace, the problems named', () => {
    expect(text.code).toBe(1);
    expect(text.stderr).toBe('');
    expect(text.stdout).toMatch(/^ {2}(WARN|FAIL) {2}certificates .*etcd-1 server\/tls\/client-admin\.crt/m);
    expect(text.stdout).toMatch(/^ {2}(WARN|FAIL|UNKNOWN)\s+services .*agent-1/m);
    expect(text.stdout).toMatch(/^ {2}FAIL {2}encryption-hashes .*cp-2/m);
    expect(text.stdout).not.toMatch(/\n\s+at .*\.(ts|js):\d+/);
  });
});

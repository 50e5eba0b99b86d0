// The encryption-config-hash annotation lives on the API Node object, and upstream's supervisor reads it from
// there for `secrets-encrypt status` (k3s pkg/server/handlers/secrets-encrypt.go getEncryptionHashAnnotation): an
// annotation rewritten with kubectl changes what status says, an invalid or missing one makes status answer 500
// (rke2#2486), and a restart publishes it again from encryption-state.json. keyturn's scan names the node.
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusReport } from '../../src/model/status.js';
import { haveBinaries } from '../support/binaries.js';
import { startLab, type LabHandle, type RunResult } from '../support/lab.js';
import { cliArgs, repoRoot } from '../support/paths.js';
import { causeOf, configHash, restart, stateOf } from './support/encryption.js';

const KEY = 'k3s.io/encryption-config-hash';
const tools = haveBinaries('kubectl');

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe.skipIf(!tools)('the encryption annotation is read from the API Node object (k3s lab)', () => {
  let lab: LabHandle;
  const annotate = async (node: string, assignment: string) => {
    const r = await run('kubectl', [
      '--kubeconfig',
      lab.kubeconfig,
      'annotate',
      'node',
      node,
      assignment,
      '--overwrite',
    ]);
    expect(r.code, r.stderr).toBe(0);
  };
  const status = (node: string) => lab.run(node, 'k3s secrets-encrypt status');

  beforeAll(async () => {
    lab = await startLab({ topology: 'ha', distro: 'k3s', etcd: 'emulated', speed: 40 });
  }, 120_000);
  afterAll(async () => lab?.stop());

  it('an empty annotation written with kubectl: status answers 500 and the journal says why', async () => {
    await annotate('server-2', `${KEY}=`);
    const r = await status('server-2');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /level=fatal msg="see server log for details: https:\/\/127\.0\.0\.1:6443\/v1-k3s\/encrypt\/status: 500 Internal Server Error secret-encrypt error ID \d{5}"/,
    );
    expect(causeOf(lab, 'server-2', r.stderr)).toBe('invalid annotation  found on node server-2');
    // Another server still answers, and compares the annotations as the API serves them.
    const other = await status('server-1');
    expect(other.code, other.stderr).toBe(0);
    expect(other.stdout).toContain('Server Encryption Hashes: hash does not match between server-1 and server-2');
  });

  it('keyturn status fails encryption-hashes naming the node and its annotation', async () => {
    const configDir = await mkdtemp(path.join(os.tmpdir(), 'keyturn-conf-'));
    const r = await run(
      process.execPath,
      [...cliArgs, 'status', '--json', '--kubeconfig', lab.kubeconfig, '--inventory', lab.inventory],
      { ...process.env, KEYTURN_CONFIG_DIR: configDir },
    );
    const report = JSON.parse(r.stdout) as StatusReport;
    expect(r.code).toBe(1);
    const hashes = report.checks.find((c) => c.id === 'encryption-hashes');
    expect(hashes?.status).toBe('fail');
    expect(hashes?.detail).toContain('server-2: annotation "" is not <stage>-<hash>');
  });

  it('an annotation rewritten to another valid stage changes what status says', async () => {
    await annotate('server-2', `${KEY}=prepare-${configHash(lab, 'server-2')}`);
    const r = await status('server-2');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Current Rotation Stage: prepare\n');
    expect(r.stdout).toContain('Server Encryption Hashes: hash does not match between server-1 and server-2');
  });

  it('no annotation at all: "missing annotation"; a restart publishes it again from encryption-state.json', async () => {
    const removed = await run('kubectl', ['--kubeconfig', lab.kubeconfig, 'annotate', 'node', 'server-2', `${KEY}-`]);
    expect(removed.code, removed.stderr).toBe(0);
    const r = await status('server-2');
    expect(r.code).toBe(1);
    expect(causeOf(lab, 'server-2', r.stderr)).toBe('missing annotation on node server-2');
    await restart(lab, ['server-2']);
    const get = await run('kubectl', [
      '--kubeconfig',
      lab.kubeconfig,
      'get',
      'node',
      'server-2',
      '-o',
      `jsonpath={.metadata.annotations.k3s\\.io/encryption-config-hash}`,
    ]);
    expect(get.stdout).toBe(stateOf(lab, 'server-2'));
    const after = await status('server-2');
    expect(after.code, after.stderr).toBe(0);
    expect(after.stdout).toContain('Current Rotation Stage: start\n');
    expect(after.stdout).toContain('Server Encryption Hashes: All hashes match');
  });
});

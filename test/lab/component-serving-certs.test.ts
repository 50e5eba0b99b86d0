// kube-controller-manager and kube-scheduler serving certificates (k3s#12172, May 2025 releases: v1.32.5 on 1.32):
// server/tls/<component>/<component>.crt signed by the server CA. keyturn reads and reports them where they exist,
// rotation renews them, and a release without them shows nothing missing.
import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StatusReport } from '../../src/model/status.js';
import { startLab, type LabHandle } from '../support/lab.js';
import { cliArgs, repoRoot } from '../support/paths.js';

const FILES = [
  'server/tls/kube-controller-manager/kube-controller-manager.crt',
  'server/tls/kube-scheduler/kube-scheduler.crt',
];

async function status(lab: LabHandle): Promise<StatusReport> {
  const configDir = await mkdtemp(path.join(os.tmpdir(), 'keyturn-conf-'));
  const child = spawn(
    process.execPath,
    [...cliArgs, 'status', '--json', '--kubeconfig', lab.kubeconfig, '--inventory', lab.inventory],
    {
      cwd: repoRoot,
      env: { ...process.env, KEYTURN_CONFIG_DIR: configDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  await new Promise((resolve) => child.on('close', resolve));
  return JSON.parse(stdout) as StatusReport;
}

describe('component serving certificates (k3s lab)', () => {
  let lab: LabHandle | undefined;
  afterEach(async () => {
    await lab?.stop();
    lab = undefined;
  });
  const file = (rel: string) => path.join(lab!.dir, 'nodes', 'server-1', 'data', rel);

  it(
    'v1.32.5: both exist, signed by the server CA; keyturn reports them; certificate rotate renews them',
    { timeout: 120_000 },
    async () => {
      lab = await startLab({ topology: 'single', distro: 'k3s', version: 'v1.32.5+k3s1', etcd: 'emulated', speed: 40 });
      const serverCa = new X509Certificate(readFileSync(file('server/tls/server-ca.crt')));
      const before = new Map<string, string>();
      for (const rel of FILES) {
        const cert = new X509Certificate(readFileSync(file(rel)));
        expect(cert.verify(serverCa.publicKey), rel).toBe(true);
        expect(cert.subject).toBe(`CN=${path.basename(rel, '.crt')}`);
        expect(existsSync(file(rel.replace(/\.crt$/, '.key')))).toBe(true);
        before.set(rel, cert.fingerprint256);
      }
      const report = await status(lab);
      const server = report.nodes.find((n) => n.name === 'server-1')!;
      for (const rel of FILES)
        expect(
          server.certificates.find((c) => c.path === rel),
          rel,
        ).toMatchObject({ status: 'ok', subject: expect.stringContaining(path.basename(rel, '.crt')) });
      expect(report.checks.find((c) => c.id === 'certificates')?.status).toBe('pass');

      for (const cmd of [
        'systemctl stop k3s',
        'k3s certificate rotate --service controller-manager,scheduler',
        'systemctl start k3s',
      ]) {
        const r = await lab.run('server-1', cmd);
        expect(r.code, `${cmd}: ${r.stderr}`).toBe(0);
      }
      for (const rel of FILES)
        expect(new X509Certificate(readFileSync(file(rel))).fingerprint256, rel).not.toBe(before.get(rel));
    },
  );

  it(
    'v1.32.4 (before k3s#12172): neither exists, and keyturn reports nothing missing',
    { timeout: 120_000 },
    async () => {
      lab = await startLab({ topology: 'single', distro: 'k3s', version: 'v1.32.4+k3s1', etcd: 'emulated', speed: 40 });
      for (const rel of FILES) expect(existsSync(file(rel)), rel).toBe(false);
      const report = await status(lab);
      const server = report.nodes.find((n) => n.name === 'server-1')!;
      expect(server.certificates.some((c) => FILES.includes(c.path))).toBe(false);
      expect(report.checks.find((c) => c.id === 'certificates')).toMatchObject({ status: 'pass' });
    },
  );
});

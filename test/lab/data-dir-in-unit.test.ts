// A node whose data dir is given only on its unit's command line (`ExecStart=... server --data-dir DIR`), not in
// config.yaml: upstream's CLI subcommands then work on the default /var/lib/rancher/<prog> unless given
// `--data-dir` (k3s pkg/cli/cmds certs.go, secrets_encrypt.go, etcd_snapshot.go: DataDirFlag). keyturn finds the
// dir in ExecStart and puts `--data-dir` on every subcommand it runs there, and those commands work on the node.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusReport } from '../../src/model/status.js';
import { startLab, type LabHandle, type RunResult } from '../support/lab.js';
import { cliArgs, repoRoot } from '../support/paths.js';

function keyturn(args: string[], configDir: string): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...cliArgs, ...args], {
      cwd: repoRoot,
      env: { ...process.env, KEYTURN_CONFIG_DIR: configDir, KEYTURN_STATE_DIR: configDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe("k3s with the data dir only in the unit's ExecStart (lab)", () => {
  let lab: LabHandle;
  let dataDir: string;
  let configDir: string;
  const tlsBackups = () => readdirSync(path.join(dataDir, 'server')).filter((f) => /^tls-\d+$/.test(f));

  beforeAll(async () => {
    lab = await startLab({
      topology: 'single',
      distro: 'k3s',
      etcd: 'emulated',
      speed: 40,
      extraArgs: ['--data-dir-in-unit'],
    });
    dataDir = path.join(lab.dir, 'nodes', 'server-1', 'data');
    configDir = await mkdtemp(path.join(os.tmpdir(), 'keyturn-conf-'));
  }, 120_000);
  afterAll(async () => lab?.stop());

  it('the node gives its data dir only on ExecStart: not in config.yaml, not in the inventory', async () => {
    expect(readFileSync(path.join(lab.dir, 'nodes', 'server-1', 'etc', 'config.yaml'), 'utf8')).not.toContain(
      'data-dir',
    );
    expect(readFileSync(lab.inventory, 'utf8')).not.toContain('dataDir');
    const show = await lab.run('server-1', 'systemctl show -p ExecStart k3s');
    expect(show.stdout).toContain(`argv[]=/usr/local/bin/k3s server --data-dir ${dataDir} ;`);
  });

  it('without --data-dir the subcommands work on the default dir, as upstream: rotate "succeeds" renewing nothing', async () => {
    const rotate = await lab.run('server-1', 'k3s certificate rotate');
    expect(rotate.code).toBe(0);
    expect(rotate.stderr).toContain('Agent detected, rotating agent certificates');
    expect(rotate.stderr).toMatch(/Successfully backed up certificates to \/var\/lib\/rancher\/k3s\/agent\/tls-\d+/);
    expect(tlsBackups()).toEqual([]);
    const status = await lab.run('server-1', 'k3s secrets-encrypt status');
    expect(status.code).toBe(1);
    expect(status.stderr).toContain('open /var/lib/rancher/k3s/server/token: no such file or directory');
    const snapshot = await lab.run('server-1', 'k3s etcd-snapshot save');
    expect(snapshot.code).toBe(1);
    expect(snapshot.stderr).toContain('etcd database not found in /var/lib/rancher/k3s/server');
  });

  it('keyturn finds the data dir in ExecStart and its plans carry --data-dir on every subcommand', async () => {
    const status = await keyturn(
      ['status', '--json', '--kubeconfig', lab.kubeconfig, '--inventory', lab.inventory],
      configDir,
    );
    const report = JSON.parse(status.stdout) as StatusReport;
    expect(report.nodes.find((n) => n.name === 'server-1')?.dataDir).toBe(dataDir);

    const certs = await keyturn(
      ['plan', 'rotate-certs', '--kubeconfig', lab.kubeconfig, '--inventory', lab.inventory],
      configDir,
    );
    expect(certs.code, certs.stderr).toBe(0);
    expect(certs.stdout).toContain(`k3s certificate rotate --data-dir ${dataDir}`);
    expect(certs.stdout).toContain(
      `k3s certificate rotate --data-dir ${path.join(lab.dir, 'nodes', 'agent-1', 'data')}`,
    );
    const keys = await keyturn(
      ['plan', 'rotate-encryption-keys', '--kubeconfig', lab.kubeconfig, '--inventory', lab.inventory],
      configDir,
    );
    expect(keys.code, keys.stderr).toBe(0);
    expect(keys.stdout).toContain(`k3s etcd-snapshot save --data-dir ${dataDir} --name pre-rotate-encryption-keys`);
    expect(keys.stdout).toContain(`k3s secrets-encrypt rotate-keys --data-dir ${dataDir}`);
    const subcommands = `${certs.stdout}\n${keys.stdout}`
      .split('\n')
      .filter((l) => /\$ k3s (certificate|secrets-encrypt|etcd-snapshot) /.test(l));
    expect(subcommands.length).toBeGreaterThanOrEqual(3);
    for (const line of subcommands) expect(line).toContain(` --data-dir ${lab.dir}/nodes/`);
  });

  it('the commands keyturn plans work on the node', async () => {
    expect((await lab.run('server-1', 'systemctl stop k3s')).code).toBe(0);
    const rotate = await lab.run('server-1', `k3s certificate rotate --data-dir ${dataDir}`);
    expect(rotate.code, rotate.stderr).toBe(0);
    expect(tlsBackups()).toHaveLength(1);
    expect((await lab.run('server-1', 'systemctl start k3s')).code).toBe(0);
    const status = await lab.run('server-1', `k3s secrets-encrypt status --data-dir ${dataDir} -o json`);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ stage: 'start', hashmatch: true });
    expect(existsSync(path.join(dataDir, 'server', 'tls', 'serving-kube-apiserver.crt'))).toBe(true);
  });
});

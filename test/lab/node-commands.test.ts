// Node commands in the shapes upstream prints them: journalctl (-f streaming), certificate rotate/check,
// secrets-encrypt status, etcd-snapshot save, unknown subcommands; on k3s with its own unit names.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturesDir } from '../support/paths.js';
import { startLab, waitFor, type LabHandle } from '../support/lab.js';

/** A fixture's sample after its `# source:` line and its `$ command` line. */
function fixtureOutput(name: string): string {
  const lines = readFileSync(path.join(fixturesDir, name), 'utf8').split('\n').slice(1);
  return lines.slice(lines.findIndex((l) => l.startsWith('$ ')) + 1).join('\n');
}

describe('node commands on k3s (ha, emulated etcd)', () => {
  let lab: LabHandle;
  beforeAll(async () => {
    lab = await startLab({ topology: 'ha', distro: 'k3s', etcd: 'emulated' });
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it('uses k3s unit names and the k3s default version', async () => {
    expect(lab.readyLine).toContain('(k3s v1.32.5+k3s1, etcd emulated)');
    expect(await lab.run('server-1', 'systemctl is-active k3s')).toMatchObject({ code: 0, stdout: 'active\n' });
    expect(await lab.run('agent-1', 'systemctl is-active k3s-agent.service')).toMatchObject({
      code: 0,
      stdout: 'active\n',
    });
    expect(await lab.run('server-1', 'systemctl stop k3s-server')).toMatchObject({ code: 5 });
    expect(await lab.run('server-1', 'k3s --version')).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^k3s version v1\.32\.5\+k3s1/),
    });
  });

  it('prints secrets-encrypt status exactly like upstream', async () => {
    const text = await lab.run('server-2', 'k3s secrets-encrypt status');
    expect(text.stdout).toBe(fixtureOutput('k3s-secrets-encrypt-status-single-start.txt'));
    const json = await lab.run('server-2', 'k3s secrets-encrypt status -o json');
    expect(json.stdout).toBe(
      '{\n\t"stage": "start",\n\t"activekey": "AES-CBC aescbckey",\n\t"enable": true,\n\t"hashmatch": true\n}\n',
    );
    const agent = await lab.run('agent-1', 'k3s secrets-encrypt status');
    expect(agent.code).toBe(1);
    expect(agent.stderr).toMatch(
      /level=fatal msg="Get \\"https:\/\/127\.0\.0\.1:6443\/v1-k3s\/encrypt\/status\\": dial tcp 127\.0\.0\.1:6443: connect: connection refused"/,
    );
  });

  it('rotates certificates with upstream lines and a tls-<ts> backup', async () => {
    const rotate = await lab.run('server-3', 'k3s certificate rotate');
    expect(rotate.code).toBe(0);
    expect(rotate.stderr).toContain('level=info msg="Server detected, rotating agent and server certificates"');
    expect(rotate.stderr).toContain('msg="Rotating certificates for etcd"');
    const backup =
      /Successfully backed up certificates to (\S+), please restart k3s server or agent to rotate certificates/.exec(
        rotate.stderr,
      );
    expect(backup?.[1]).toMatch(new RegExp(`${lab.nodes[2].dataDir}/server/tls-\\d+$`));
    expect(existsSync(path.join(lab.nodes[2].dataDir, 'server/tls/client-admin.crt'))).toBe(false);
    expect(await lab.run('server-3', 'systemctl restart k3s')).toMatchObject({ code: 0 });
    expect(existsSync(path.join(lab.nodes[2].dataDir, 'server/tls/client-admin.crt'))).toBe(true);
    const agent = await lab.run('agent-2', 'k3s certificate rotate --service kubelet');
    expect(agent.stderr).toContain('msg="Agent detected, rotating agent certificates"');
    expect(agent.stderr).toMatch(/backed up certificates to \S+\/agent\/tls-\d+,/);
    const bad = await lab.run('agent-2', 'k3s certificate rotate --service nope');
    expect(bad.code).toBe(1);
  });

  it('saves an etcd snapshot and answers unknown subcommands with a usage error', async () => {
    const save = await lab.run('server-1', 'k3s etcd-snapshot save --name pre-rotate');
    expect(save.code).toBe(0);
    // Upstream logs where it saved (logrus on stderr) and prints nothing on stdout.
    expect(save.stdout).toBe('');
    const file = /Saving etcd snapshot to (\S+)"/.exec(save.stderr)?.[1] ?? '';
    expect(file).toMatch(new RegExp(`${lab.nodes[0].dataDir}/server/db/snapshots/pre-rotate-server-1-\\d+$`));
    expect(existsSync(file)).toBe(true);
    expect(await lab.run('server-1', 'k3s frobnicate')).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('Incorrect Usage'),
    });
  });

  it('streams journalctl -f and drops the subscriber when the client dies', async () => {
    const env = lab.env('server-1');
    const follower = spawn('sh', ['-c', 'exec journalctl -u k3s -f -n 1'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let seen = '';
    follower.stdout.setEncoding('utf8').on('data', (c: string) => (seen += c));
    // The controller subscribes right after sending the last line: once it arrives, the follower is live.
    await waitFor('follower connected', async () => (seen.length > 0 ? true : undefined));
    await lab.run('server-1', 'systemctl restart k3s');
    await waitFor('streamed lines', async () => (seen.includes('Started Lightweight Kubernetes.') ? true : undefined));
    expect(seen).toMatch(/server-1 systemd\[1\]: Stopping k3s\.service - Lightweight Kubernetes\.\.\./);
    follower.kill('SIGTERM');
    const entry = await waitFor('follow recorded as ended', async () =>
      (await lab.record()).find((e) => e.type === 'command' && e.prog === 'journalctl' && e.argv.includes('-f')),
    );
    expect(entry).toMatchObject({ node: 'server-1', code: 0 });
  });

  it('node commands say the lab is not running once it stopped', async () => {
    const env = lab.env('server-1');
    await lab.stop({ keepDir: true });
    const child = spawn('sh', ['-c', 'systemctl is-active k3s'], { env });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(code).toBe(1);
    expect(stderr).toBe('systemctl: lab is not running\n');
  });
});

// The etcd gate's one-round-trip probe, run by a real sh with a curl stand-in on PATH: every URL reaches curl as
// one argument (hostile data dirs included), each answer and exit code lands in its own section.
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { etcdProbeScript, parseEtcdProbe } from '../../src/engine/checks/etcd-probe.js';
import type { PlannedNode } from '../../src/engine/plan-types.js';

const run = promisify(execFile);
const dir = mkdtempSync(path.join(os.tmpdir(), 'kt-etcd-probe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Answers by the last argument (the URL); 10.0.0.3 is down (curl exit 7, message on stderr).
writeFileSync(
  path.join(dir, 'curl'),
  `#!/bin/sh
for a in "$@"; do last=$a; done
printf '%s\\n' "$@" > "${dir}/argv-$(printf %s "$last" | tr -c 'a-z0-9' _)"
case "$last" in
  */member/list) printf '{"members":[{"name":"a","clientURLs":["https://10.0.0.1:2379"]}]}' ;;
  https://10.0.0.3:2379/health) echo "curl: (7) Failed to connect to 10.0.0.3 port 2379" >&2; exit 7 ;;
  */health) printf '{"health":"true"}' ;;
esac
`,
);
chmodSync(path.join(dir, 'curl'), 0o755);

const peer: PlannedNode = {
  name: 'etcd-1',
  address: '10.0.0.1',
  roles: ['etcd'],
  distro: 'rke2',
  dataDir: `${dir}/data dir; touch ${dir}/pwned`,
  unit: 'rke2-server',
  tier: 'etcd-only',
  server: true,
  etcd: true,
  version: 'v1.32.5+rke2r1',
  init: true,
};

describe('etcd probe', () => {
  it('asks the member list and each member in one script, each answer in its own section', async () => {
    const urls = ['https://10.0.0.1:2379', 'https://10.0.0.2:2379', 'https://10.0.0.3:2379'];
    const { stdout } = await run('sh', ['-c', etcdProbeScript(peer, urls)], { env: { PATH: `${dir}:/usr/bin:/bin` } });
    const probe = parseEtcdProbe(stdout);
    expect(probe.list).toEqual({ rc: 0, text: '{"members":[{"name":"a","clientURLs":["https://10.0.0.1:2379"]}]}' });
    expect(probe.health.get('https://10.0.0.1:2379')).toEqual({ rc: 0, text: '{"health":"true"}' });
    expect(probe.health.get('https://10.0.0.2:2379')).toEqual({ rc: 0, text: '{"health":"true"}' });
    expect(probe.health.get('https://10.0.0.3:2379')).toEqual({ rc: 7, text: 'curl: (7) Failed to connect to 10.0.0.3 port 2379' });
    // The peer's own certificates, the data dir as one argument, nothing injected.
    const { stdout: argv } = await run('cat', [path.join(dir, 'argv-https___10_0_0_2_2379_health')]);
    expect(argv.split('\n')).toContain(`${peer.dataDir}/server/tls/etcd/client.key`);
    await expect(run('test', ['-e', `${dir}/pwned`])).rejects.toThrow();
  });

  it('a script cut short leaves the missing answers absent, not empty successes', () => {
    const probe = parseEtcdProbe('@@keyturn-etcd@@ list\n{"members":[]}\n');
    expect(probe.list).toEqual({ rc: null, text: '{"members":[]}' });
    expect(probe.health.size).toBe(0);
  });
});

// What the scan finds that upstream's install and rotation leave behind: a K3s unit named by INSTALL_K3S_NAME, a
// data-dir given only on the unit's command line, private keys missing beside their certificates (and the backups
// that hold them), and journal lines older than the unit's current start (not evidence any more).
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fetchScan, interpretScan, scanNode } from '../../src/discovery/node-scan.js';
import { certFilesFor } from '../../src/model/cert-files.js';
import { createNodeShell } from '../../src/transports/node-shell.js';
import { buildFakeNode, makeCaSet, type CaSet } from './support/fake-node.js';

const now = new Date('2025-06-01T00:00:00Z');
let root: string;
let cas: CaSet;

beforeAll(async () => {
  // No spaces here: systemd prints ExecStart's argv unquoted, and data dirs with spaces are not what this is about.
  root = await mkdtemp(path.join(os.tmpdir(), 'keyturn-units-'));
  cas = await makeCaSet(now);
});

const shellOf = (node: Parameters<typeof createNodeShell>[0]) => createNodeShell(node, { controlDir: root });
const options = { now, renewWindowDays: 120 };

describe('the unit and the data dir, as install.sh and the unit file set them', () => {
  it('finds a k3s server unit named k3s-<INSTALL_K3S_NAME> by its ExecStart, and its --data-dir, printing no argv', async () => {
    const node = await buildFakeNode(root, {
      name: 'k3s-named',
      address: '127.0.0.21',
      distro: 'k3s',
      roles: ['control-plane'],
      now,
      cas,
      encryption: { stage: 'start' },
    });
    // install.sh: SYSTEM_NAME=k3s-${INSTALL_K3S_NAME}; an older agent unit is installed too, and must not be taken.
    const units = {
      'k3s-agent-old': '/usr/local/bin/k3s agent --server https://10.0.0.1:6443',
      'k3s-prod': `/usr/local/bin/k3s server --token SECRETTOKEN --data-dir ${node.dataDir} --secrets-encryption`,
    };
    const named = await buildFakeNode(root, {
      name: 'k3s-named-2',
      address: '127.0.0.21',
      distro: 'k3s',
      roles: ['control-plane'],
      now,
      cas,
      encryption: { stage: 'start' },
      units,
    });
    const plan = {
      distro: 'k3s' as const,
      roles: ['control-plane' as const],
      address: node.address,
      dataDir: null,
      etcdPeers: [],
      journalLines: 40,
      configFile: path.join(root, 'no-config.yaml'),
    };
    const fetched = await fetchScan(shellOf({ ...named, env: named.env }), plan);
    expect(fetched.result?.stdout).not.toContain('SECRETTOKEN');
    const scan = interpretScan(fetched, plan, options);
    expect(scan.reached).toBe(true);
    if (!scan.reached) return;
    expect(scan.unitName).toBe('k3s-prod');
    expect(scan.dataDir).toBe(node.dataDir);
    expect(scan.certificates.length).toBe(certFilesFor('k3s', ['control-plane']).length);
    const calls = await readFile(path.join(named.dir, 'calls.log'), 'utf8');
    expect(calls).toContain('show -p ActiveState,SubState,NRestarts,ActiveEnterTimestamp,LoadState k3s-prod');
    expect(calls).toMatch(/journalctl -u k3s-prod /);
  });

  it('keeps the default unit when it runs the role, and reads rke2 -d from the unit', async () => {
    const k3s = await buildFakeNode(root, {
      name: 'k3s-default',
      address: '127.0.0.22',
      distro: 'k3s',
      roles: ['worker'],
      now,
      cas,
      units: { 'k3s-agent': '/usr/local/bin/k3s agent', 'k3s-extra': '/usr/local/bin/k3s agent' },
    });
    const ks = await scanNode(
      shellOf(k3s),
      { distro: 'k3s', roles: ['worker'], address: k3s.address, dataDir: k3s.dataDir, etcdPeers: [], journalLines: 40 },
      options,
    );
    expect(ks.reached && ks.unitName).toBe('k3s-agent');
    // The default unit runs the role: one systemctl call answers, no listing of installed units.
    expect(await readFile(path.join(k3s.dir, 'calls.log'), 'utf8')).not.toContain('list-unit-files');
    const rke2 = await buildFakeNode(root, {
      name: 'rke2-d',
      address: '127.0.0.23',
      distro: 'rke2',
      roles: ['worker'],
      now,
      cas,
    });
    await writeFile(
      path.join(rke2.dir, 'units', 'rke2-agent'),
      `ExecStart={ path=/usr/local/bin/rke2 ; argv[]=/usr/local/bin/rke2 agent -d ${rke2.dataDir} ; ignore_errors=no ; start_time=[n/a] ; stop_time=[n/a] ; pid=0 ; code=(null) ; status=0/0 }\n`,
    );
    const rs = await scanNode(
      shellOf(rke2),
      {
        distro: 'rke2',
        roles: ['worker'],
        address: rke2.address,
        dataDir: null,
        etcdPeers: [],
        journalLines: 40,
        configFile: path.join(root, 'no-config.yaml'),
      },
      options,
    );
    expect(rs.reached && rs.dataDir).toBe(rke2.dataDir);
    expect(rs.reached && rs.unitName).toBe('rke2-agent');
    expect(rs.reached && rs.certificates).toHaveLength(6);
  });
});

describe('private keys missing beside their certificates', () => {
  it('names the key, never reads key contents, and says which backup holds the key of the same certificate', async () => {
    const node = await buildFakeNode(root, {
      name: 'no-key',
      address: '127.0.0.24',
      distro: 'rke2',
      roles: ['control-plane'],
      now,
      cas,
      encryption: { stage: 'start' },
    });
    const tls = path.join(node.dataDir, 'server/tls');
    // Upstream's `certificate rotate` backup (server/tls-<unix-ts>) of this very certificate, and a keyturn backup
    // (server/tls.keyturn-<run>) from before an earlier rotation: its certificate differs, so its key would not pair.
    await cp(tls, path.join(node.dataDir, 'server/tls-1737633868'), { recursive: true });
    await cp(tls, path.join(node.dataDir, 'server/tls.keyturn-r1'), { recursive: true });
    await writeFile(path.join(node.dataDir, 'server/tls.keyturn-r1/etcd/client.crt'), 'an older certificate\n');
    await rm(path.join(tls, 'etcd/client.key'));
    await rm(path.join(tls, 'client-admin.key'));
    await rm(path.join(node.dataDir, 'server/tls-1737633868/client-admin.key'));
    const plan = {
      distro: 'rke2' as const,
      roles: ['control-plane' as const],
      address: node.address,
      dataDir: node.dataDir,
      etcdPeers: [],
      journalLines: 40,
    };
    const fetched = await fetchScan(shellOf(node), plan);
    expect(fetched.result?.stdout).not.toContain('KEY MATERIAL');
    const scan = interpretScan(fetched, plan, options);
    expect(scan.reached).toBe(true);
    if (!scan.reached) return;
    expect(scan.missingKeys).toEqual([
      { path: 'server/tls/client-admin.key', backups: [{ dir: 'server/tls.keyturn-r1', pairs: true }] },
      {
        path: 'server/tls/etcd/client.key',
        backups: [
          { dir: 'server/tls.keyturn-r1', pairs: false },
          { dir: 'server/tls-1737633868', pairs: true },
        ],
      },
    ]);
    const etcdKey = scan.diagnoses.find(
      (d) => d.code === 'key-missing' && d.message.startsWith('server/tls/etcd/client.key'),
    );
    expect(etcdKey?.message).toContain(
      `cp -p ${node.dataDir}/server/tls-1737633868/etcd/client.key ${node.dataDir}/server/tls/etcd/client.key`,
    );
    const adminKey = scan.diagnoses.find(
      (d) => d.code === 'key-missing' && d.message.startsWith('server/tls/client-admin.key'),
    );
    expect(adminKey?.message).toContain('server/tls.keyturn-r1/client-admin.key');
  });
});

describe("journal lines since the unit's current start", () => {
  const fatal = (host: string) =>
    `${host} k3s[7]: time="2025-06-02T09:50:00Z" level=fatal msg="starting kubernetes: preparing server: failed to get etcd MemberList: rpc error: code = Unavailable desc = connection error: desc = \\"transport: authentication handshake failed: remote error: tls: bad certificate\\""`;

  it('a restart loop that was fixed is no longer diagnosed: only lines since ActiveEnterTimestamp count', async () => {
    const node = await buildFakeNode(root, {
      name: 'fixed',
      address: '127.0.0.25',
      distro: 'k3s',
      roles: ['control-plane'],
      now,
      cas,
      encryption: { stage: 'start' },
      unit: {
        ActiveState: 'active',
        SubState: 'running',
        NRestarts: 0,
        ActiveEnterTimestamp: 'Mon 2025-06-02 10:00:00 UTC',
      },
      timedJournal: [
        { at: new Date('2025-06-02T09:50:00Z'), line: `Jun 02 09:50:00 ${fatal('fixed')}` },
        {
          at: new Date('2025-06-02T10:00:05Z'),
          line: 'Jun 02 10:00:05 fixed k3s[9]: time="2025-06-02T10:00:05Z" level=info msg="k3s is up and running"',
        },
      ],
    });
    const scan = await scanNode(
      shellOf(node),
      {
        distro: 'k3s',
        roles: ['control-plane'],
        address: node.address,
        dataDir: node.dataDir,
        etcdPeers: [],
        journalLines: 40,
      },
      options,
    );
    expect(scan.reached && scan.journal.map((l) => l.message)).toEqual([
      'time="2025-06-02T10:00:05Z" level=info msg="k3s is up and running"',
    ]);
    expect(scan.reached && scan.diagnoses).toEqual([]);
  });

  it('a unit never active reads a recent window, and still shows its loop', async () => {
    const recent = new Date(Date.now() - 10 * 60_000);
    const node = await buildFakeNode(root, {
      name: 'looping',
      address: '127.0.0.26',
      distro: 'k3s',
      roles: ['control-plane'],
      now,
      cas,
      encryption: { stage: 'start' },
      unit: { ActiveState: 'activating', SubState: 'auto-restart', NRestarts: 40, ActiveEnterTimestamp: '' },
      timedJournal: [
        {
          at: new Date(Date.now() - 3 * 3600_000),
          line: 'Jan 01 00:00:00 looping k3s[1]: time="x" level=fatal msg="bootstrap data on disk is newer than datastore"',
        },
        { at: recent, line: `Jan 01 00:00:01 ${fatal('looping')}` },
      ],
    });
    const scan = await scanNode(
      shellOf(node),
      {
        distro: 'k3s',
        roles: ['control-plane'],
        address: node.address,
        dataDir: node.dataDir,
        etcdPeers: [],
        journalLines: 40,
      },
      options,
    );
    expect(scan.reached && scan.diagnoses.map((d) => d.code).sort()).toEqual([
      'etcd-handshake',
      'restart-loop',
      'tls-bad-certificate',
    ]);
    const calls = await readFile(path.join(node.dir, 'calls.log'), 'utf8');
    expect(calls).toContain('--since -1h');
  });

  it('a journalctl that cannot parse --since is asked again without it', async () => {
    const node = await buildFakeNode(root, {
      name: 'old-journald',
      address: '127.0.0.27',
      distro: 'k3s',
      roles: ['worker'],
      now,
      cas,
      unit: { ActiveState: 'activating', SubState: 'auto-restart', NRestarts: 3 },
      journal:
        'Jun 01 10:00:00 old-journald k3s[1]: time="x" level=fatal msg="bootstrap data on disk is newer than datastore"\n',
    });
    // journalctl's own answer to a timestamp it cannot parse: an error and exit 1, nothing on stdout.
    await writeFile(
      path.join(node.dir, 'bin', 'journalctl'),
      '#!/bin/sh\necho "journalctl $*" >> "$FAKE_DIR/calls.log"\ncase "$*" in *--since*) echo "Failed to parse timestamp: $KT_SINCE" >&2; exit 1 ;; esac\ncat "$FAKE_DIR/journal.log"\n',
    );
    const scan = await scanNode(
      shellOf(node),
      {
        distro: 'k3s',
        roles: ['worker'],
        address: node.address,
        dataDir: node.dataDir,
        etcdPeers: [],
        journalLines: 40,
      },
      options,
    );
    expect(scan.reached && scan.diagnoses.map((d) => d.code).sort()).toEqual(['newer-than-datastore', 'restart-loop']);
  });
});

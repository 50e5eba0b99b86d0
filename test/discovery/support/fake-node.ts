// A node as a directory tree: real certificates at the upstream paths, real encryption files, and a bin/ with
// small `systemctl`, `journalctl` and `curl` stand-ins that answer from files. Scanned through the real local shell.
import { createHash } from 'node:crypto';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { certFilesFor, ENCRYPTION_CONFIG, ENCRYPTION_STATE } from '../../../src/model/cert-files.js';
import { isServer, type Distro, type Role } from '../../../src/model/cluster.js';
import type { InventoryNode } from '../../../src/model/inventory.js';
import { days, makeCa, makeLeafBundle, type TestCa } from './certs.js';

export type CaSet = Record<'server-ca' | 'client-ca' | 'request-header-ca' | 'etcd-server-ca' | 'etcd-peer-ca', TestCa>;

export async function makeCaSet(now: Date): Promise<CaSet> {
  return {
    'server-ca': await makeCa('rke2-server-ca@1', now),
    'client-ca': await makeCa('rke2-client-ca@1', now),
    'request-header-ca': await makeCa('rke2-request-header-ca@1', now),
    'etcd-server-ca': await makeCa('etcd-server-ca@1', now),
    'etcd-peer-ca': await makeCa('etcd-peer-ca@1', now),
  };
}

function caFor(cas: CaSet, issuerPath: string): TestCa {
  const m = /(?:server\/tls\/(etcd\/)?|agent\/)([a-z-]+)\.crt$/.exec(issuerPath)!;
  return cas[(m[1] ? `etcd-${m[2]}` : m[2]) as keyof CaSet];
}

export interface FakeNodeSpec {
  name: string;
  address: string;
  distro: Distro;
  roles: Role[];
  now: Date;
  cas: CaSet;
  /** Leaf lifetime left in days (default 300). */
  leafDays?: number;
  /** Files (relative to the data dir) to leave out. */
  missing?: string[];
  unit?: { ActiveState: string; SubState?: string; NRestarts?: number; ActiveEnterTimestamp?: string };
  journal?: string;
  /**
   * Journal lines with their times: the fake journalctl then honours `--since @<epoch>` and `--since -1h` as
   * journalctl does (instead of printing `journal` whole).
   */
  timedJournal?: { at: Date; line: string }[];
  /**
   * Installed units (`systemctl list-unit-files`) and the argv systemd shows in their ExecStart, e.g.
   * { 'k3s-prod': '/usr/local/bin/k3s server --data-dir /opt/k3s' }. Units not named here show `ExecStart=`.
   */
  units?: Record<string, string>;
  /** Private keys (relative, e.g. server/tls/etcd/client.key) to leave out beside their certificates. */
  missingKeys?: string[];

  /** URL → body for the fake curl; absent URLs fail like a refused connection (exit 7). */
  curl?: Record<string, string>;
  encryption?: { stage: string; tamperState?: boolean };
}

export async function buildFakeNode(
  root: string,
  spec: FakeNodeSpec,
): Promise<InventoryNode & { dataDir: string; dir: string }> {
  const dir = path.join(root, spec.name);
  const dataDir = path.join(dir, 'data');
  const bin = path.join(dir, 'bin');
  await mkdir(bin, { recursive: true });
  for (const file of certFilesFor(spec.distro, spec.roles)) {
    if (spec.missing?.includes(file.path)) continue;
    const target = path.join(dataDir, file.path);
    await mkdir(path.dirname(target), { recursive: true });
    const ca = caFor(spec.cas, file.issuer);
    const pem =
      file.kind === 'ca'
        ? ca.pem
        : await makeLeafBundle(
            ca,
            `${spec.name}-${path.basename(file.path, '.crt')}`,
            days(-30, spec.now),
            days(spec.leafDays ?? 300, spec.now),
          );
    await writeFile(target, pem);
    if (file.hasKey && !spec.missingKeys?.includes(file.path.replace(/\.crt$/, '.key')))
      await writeFile(target.replace(/\.crt$/, '.key'), 'KEY MATERIAL MUST NEVER BE READ\n');
  }
  if (isServer(spec.roles) && spec.encryption) {
    const config = JSON.stringify({
      kind: 'EncryptionConfiguration',
      resources: [{ providers: [{ aescbc: { keys: [{ name: 'k', secret: 'SECRETKEY' }] } }] }],
    });
    await mkdir(path.join(dataDir, 'server/cred'), { recursive: true });
    await writeFile(path.join(dataDir, ENCRYPTION_CONFIG), config);
    const hash = createHash('sha256')
      .update(spec.encryption.tamperState ? `${config} ` : config)
      .digest('hex');
    await writeFile(path.join(dataDir, ENCRYPTION_STATE), `${spec.encryption.stage}-${hash}`);
  }
  const unit = spec.unit ?? { ActiveState: 'active', SubState: 'running', NRestarts: 0 };
  await writeFile(
    path.join(dir, 'systemctl.out'),
    `ActiveState=${unit.ActiveState}\nSubState=${unit.SubState ?? ''}\nNRestarts=${unit.NRestarts ?? 0}\nActiveEnterTimestamp=${unit.ActiveEnterTimestamp ?? 'Mon 2025-06-02 10:00:00 UTC'}\nLoadState=loaded\n`,
  );
  await writeFile(
    path.join(dir, 'journal.log'),
    spec.journal ??
      `Jun 01 10:00:00 ${spec.name} ${spec.distro}[100]: time="2025-06-01T10:00:00Z" level=info msg="started"\n`,
  );
  if (spec.timedJournal)
    await writeFile(
      path.join(dir, 'journal.tsv'),
      spec.timedJournal.map((j) => `${Math.floor(j.at.getTime() / 1000)}\t${j.line}\n`).join(''),
    );
  await mkdir(path.join(dir, 'units'), { recursive: true });
  for (const [name, argv] of Object.entries(spec.units ?? {})) {
    const exe = argv.split(' ')[0];
    await writeFile(
      path.join(dir, 'units', name),
      `ExecStart={ path=${exe} ; argv[]=${argv} ; ignore_errors=no ; start_time=[n/a] ; stop_time=[n/a] ; pid=0 ; code=(null) ; status=0/0 }\n`,
    );
  }

  await mkdir(path.join(dir, 'curl'), { recursive: true });
  for (const [url, body] of Object.entries(spec.curl ?? {}))
    await writeFile(path.join(dir, 'curl', url.replace(/[^A-Za-z0-9]/g, '_')), body);
  const script = (body: string) => `#!/bin/sh\n${body}\n`;
  await writeFile(
    path.join(bin, 'systemctl'),
    script(
      [
        'echo "$*" >> "$FAKE_DIR/calls.log"',
        // list-unit-files prints "NAME.service STATE PRESET" per installed unit.
        'if [ "$1" = list-unit-files ]; then for u in "$FAKE_DIR"/units/*; do [ -f "$u" ] && printf \'%s.service enabled enabled\\n\' "${u##*/}"; done; exit 0; fi',
        // show -p ...,ExecStart: the state lines (unless ExecStart alone was asked), then the unit's ExecStart.
        'case "$2 $3" in "-p "*ExecStart*) u=${4%.service}; [ "$3" = ExecStart ] || cat "$FAKE_DIR/systemctl.out"; if [ -f "$FAKE_DIR/units/$u" ]; then cat "$FAKE_DIR/units/$u"; else echo ExecStart=; fi; exit 0 ;; esac',
        'cat "$FAKE_DIR/systemctl.out"',
      ].join('\n'),
    ),
  );
  await writeFile(
    path.join(bin, 'journalctl'),
    script(
      [
        'echo "journalctl $*" >> "$FAKE_DIR/calls.log"',
        'if [ ! -f "$FAKE_DIR/journal.tsv" ]; then cat "$FAKE_DIR/journal.log"; exit 0; fi',
        'since=0; while [ $# -gt 0 ]; do if [ "$1" = --since ]; then since=$2; fi; shift; done',
        'case $since in @*) since=${since#@} ;; -1h) since=$(( $(date +%s) - 3600 )) ;; esac',
        'awk -F \'\t\' -v s="$since" \'$1 >= s { print $2 }\' "$FAKE_DIR/journal.tsv"',
      ].join('\n'),
    ),
  );
  await writeFile(
    path.join(bin, 'curl'),
    script(
      [
        'printf "curl" >> "$FAKE_DIR/calls.log"; for a; do printf " [%s]" "$a" >> "$FAKE_DIR/calls.log"; done; echo >> "$FAKE_DIR/calls.log"',
        'for a; do url=$a; done',
        'f="$FAKE_DIR/curl/$(printf %s "$url" | sed \'s/[^A-Za-z0-9]/_/g\')"',
        'if [ -f "$f" ]; then cat "$f"; exit 0; fi',
        'echo "curl: (7) Failed to connect to $url: Connection refused" >&2; exit 7',
      ].join('\n'),
    ),
  );
  for (const b of ['systemctl', 'journalctl', 'curl']) await chmod(path.join(bin, b), 0o755);
  return {
    name: spec.name,
    address: spec.address,
    roles: spec.roles,
    distro: spec.distro,
    dataDir,
    dir,
    transport: 'local',
    env: { PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`, FAKE_DIR: dir },
  };
}

/**
 * etcd answers on a server's own loopback, in the JSON gateway's shapes, as upstream serves them: health on
 * http://127.0.0.1:2381; the member list and status on https://127.0.0.1:2382 since k3s#8402, on
 * https://127.0.0.1:2379 before it (no 2382 then).
 */
export function etcdAnswers(
  self: { id: string; name: string },
  members: { id: string; name: string; address: string }[],
  leader: string,
  opts: { healthy?: boolean; layout?: 'grpc-only-client-port' | 'http-on-client-port' } = {},
): Record<string, string> {
  const healthy = opts.healthy ?? true;
  const http = opts.layout === 'http-on-client-port' ? 'https://127.0.0.1:2379' : 'https://127.0.0.1:2382';
  return {
    'http://127.0.0.1:2381/health': JSON.stringify({
      health: String(healthy),
      reason: healthy ? '' : 'RAFT NO LEADER',
    }),
    [`${http}/v3/cluster/member/list`]: JSON.stringify({
      header: { member_id: self.id },
      members: members.map((m) => ({
        ID: m.id,
        name: m.name,
        peerURLs: [`https://${m.address}:2380`],
        clientURLs: [`https://${m.address}:2379`],
      })),
    }),
    [`${http}/v3/maintenance/status`]: JSON.stringify({ header: { member_id: self.id }, version: '3.5.21', leader }),
  };
}

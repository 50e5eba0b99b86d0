// `<prog> etcd-snapshot [save|ls|delete|prune]` on a server, as upstream's CLI answers (k3s
// pkg/cli/etcdsnapshot/etcd_snapshot.go @0816812c; rke2 pkg/cli/cmds/etcd_snapshot.go wraps the same commands):
// - save [--name N]: writes <data-dir>/server/db/snapshots/<N>-<node>-<unix-ts> (default N "on-demand") and logs
//   "Saving etcd snapshot to <path>" then "Snapshot <file> saved." on stderr (logrus); the bare command saves too.
// - ls|list|l [-o json|yaml]: a tabwriter table "Name Location Size Created" with file:// locations and RFC 3339
//   times.
// - delete NAME...: "Removing the given locally stored etcd snapshot(s)", then removes each file (a missing one is
//   logged and skipped).
// - prune [--name N] [--snapshot-retention R]: keeps the newest R (default 5) of <N>-<node>-*, logging
//   "Removing local snapshot <path>" for each one removed.
// Flags parse like Go's flag package: one or two dashes, `-name X` and `--name=X` alike (tests/integration/
// etcdsnapshot uses `save -name PRUNE_TEST`). The supervisor answers these requests, so the service must be up.
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isServerNode, type LabNode } from '../lab-node.js';
import type { CommandContext } from './io.js';
import { connectionRefused, logLine } from './logrus.js';

const DEFAULT_NAME = 'on-demand';
const DEFAULT_RETENTION = 5;

interface SnapshotFile {
  name: string;
  file: string;
  size: number;
  createdAt: Date;
}

export async function runEtcdSnapshot(context: CommandContext): Promise<number> {
  const { lab, node, io, argv } = context;
  const now = lab.clock.now();
  const [first, ...afterFirst] = argv;
  const sub = first === undefined || first.startsWith('-') ? 'save' : first;
  const rest = sub === first ? afterFirst : argv;
  const parsed = parseFlags(rest);
  if (!parsed.ok) {
    io.stderr(`Incorrect Usage: ${parsed.error}\n`);
    return 1;
  }
  if (!isServerNode(node) || node.service.state !== 'active') {
    io.stderr(connectionRefused(node.prog, '/db/snapshot', now));
    return 1;
  }
  const { flags, args } = parsed;
  switch (sub) {
    case 'save':
      return save(context, flags.name ?? DEFAULT_NAME, args);
    case 'ls':
    case 'list':
    case 'l':
      return list(context, flags.output);
    case 'delete':
      return remove(context, args);
    case 'prune':
      return prune(context, flags.name ?? DEFAULT_NAME, flags.retention);
    default:
      io.stderr(`No help topic for '${sub}'\n`);
      return 3;
  }
}

interface Flags {
  name?: string;
  output?: string;
  retention?: string;
}

const VALUE_FLAGS: Record<string, keyof Flags> = {
  name: 'name',
  o: 'output',
  output: 'output',
  'snapshot-retention': 'retention',
  'etcd-snapshot-retention': 'retention',
};

function parseFlags(argv: string[]): { ok: true; flags: Flags; args: string[] } | { ok: false; error: string } {
  const flags: Flags = {};
  const args: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (!arg.startsWith('-') || arg === '-') {
      args.push(arg);
      continue;
    }
    if (arg === '--') {
      args.push(...argv.slice(i + 1));
      break;
    }
    const bare = arg.replace(/^--?/, '');
    const eq = bare.indexOf('=');
    const name = eq === -1 ? bare : bare.slice(0, eq);
    const key = VALUE_FLAGS[name];
    if (!key) return { ok: false, error: `flag provided but not defined: -${name}` };
    const value = eq === -1 ? argv[++i] : bare.slice(eq + 1);
    if (value === undefined) return { ok: false, error: `flag needs an argument: -${name}` };
    flags[key] = value;
  }
  return { ok: true, flags, args };
}

function snapshotDir(node: LabNode): string {
  return path.join(node.paths.dataDir, 'server', 'db', 'snapshots');
}

async function save({ lab, node, io }: CommandContext, name: string, args: string[]): Promise<number> {
  const now = lab.clock.now();
  if (args.length > 0) {
    // util.ErrCommandNoArgs
    io.stderr(logLine('fatal', 'Error: this command does not take any arguments', now));
    return 1;
  }
  const health = await lab.queryHealth();
  if (!health.healthy) {
    io.stderr(logLine('fatal', `failed to save etcd snapshot: context deadline exceeded (${health.reason})`, now));
    return 1;
  }
  const fileName = `${name}-${node.spec.name}-${Math.floor(now.getTime() / 1000)}`;
  const dir = snapshotDir(node);
  const file = path.join(dir, fileName);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  io.stderr(logLine('info', `Saving etcd snapshot to ${file}`, now));
  const snapshot = {
    lab: true,
    node: node.spec.name,
    leader: health.leader,
    members: health.running,
    takenAt: now.toISOString(),
  };
  await writeFile(file, JSON.stringify(snapshot) + '\n', { mode: 0o600 });
  io.stderr(logLine('info', `Snapshot ${fileName} saved.`, now));
  return 0;
}

async function snapshots(node: LabNode): Promise<SnapshotFile[]> {
  const dir = snapshotDir(node);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const files = await Promise.all(
    names.map(async (name) => {
      const file = path.join(dir, name);
      const info = await stat(file);
      // Upstream takes the creation time from the name's unix timestamp suffix when it has one.
      const ts = /-(\d+)$/.exec(name);
      return { name, file, size: info.size, createdAt: ts ? new Date(Number(ts[1]) * 1000) : info.mtime };
    }),
  );
  return files.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.name.localeCompare(b.name));
}

async function list({ node, io, lab }: CommandContext, output: string | undefined): Promise<number> {
  const files = await snapshots(node);
  const format = output?.toLowerCase();
  if (format !== undefined && format !== 'json' && format !== 'yaml') {
    io.stderr(logLine('fatal', `Error: invalid output format: ${output}`, lab.clock.now()));
    return 1;
  }
  if (format === 'json' || format === 'yaml') {
    const items = files.map((f) => ({
      name: f.name,
      location: `file://${f.file}`,
      nodeName: node.spec.name,
      createdAt: rfc3339(f.createdAt),
      size: f.size,
      status: 'successful',
    }));
    io.stdout(
      format === 'json'
        ? JSON.stringify(items) + '\n'
        : items
            .map(
              (i) =>
                `- ${Object.entries(i)
                  .map(([k, v]) => `${k}: ${String(v)}`)
                  .join('\n  ')}\n`,
            )
            .join(''),
    );
    return 0;
  }
  const rows = [
    ['Name', 'Location', 'Size', 'Created'],
    ...files.map((f) => [f.name, `file://${f.file}`, String(f.size), rfc3339(f.createdAt)]),
  ];
  io.stdout(tabwrite(rows));
  return 0;
}

async function remove({ node, io, lab }: CommandContext, names: string[]): Promise<number> {
  const now = lab.clock.now();
  if (names.length === 0) {
    io.stderr(logLine('fatal', 'Error: no snapshots given for removal', now));
    return 1;
  }
  io.stderr(logLine('info', 'Removing the given locally stored etcd snapshot(s)', now));
  // A name with no local file is logged and skipped (pkg/etcd/snapshot.go DeleteSnapshots), which upstream's
  // own test relies on: its `PRUNE_TEST[^\s]+` matches each name twice in `ls` (Name and Location columns).
  for (const name of names) {
    const file = path.join(snapshotDir(node), path.basename(name));
    if (
      !(await stat(file).then(
        () => true,
        () => false,
      ))
    ) {
      io.stderr(logLine('info', `Snapshot ${name}, does not exist`, now));
      continue;
    }
    await rm(file);
  }
  return 0;
}

async function prune({ node, io, lab }: CommandContext, name: string, retention: string | undefined): Promise<number> {
  const now = lab.clock.now();
  const keep = retention === undefined ? DEFAULT_RETENTION : Number(retention);
  if (!Number.isInteger(keep) || keep < 0) {
    io.stderr(`Incorrect Usage: invalid value "${retention}" for flag -snapshot-retention: parse error\n`);
    return 1;
  }
  const prefix = `${name}-${node.spec.name}-`;
  const mine = (await snapshots(node)).filter((f) => f.name.startsWith(prefix));
  // Newest first; everything past the retention count goes.
  const doomed = [...mine].reverse().slice(keep);
  for (const f of doomed) {
    io.stderr(logLine('info', `Removing local snapshot ${f.file}`, now));
    await rm(f.file, { force: true });
  }
  return 0;
}

function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Go's tabwriter with minwidth 0, tabwidth 0, padding 1, padchar ' ', no flags: cells padded, last column not. */
function tabwrite(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows)
    row.slice(0, -1).forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length + 1)));
  return rows
    .map((row) => row.map((cell, i) => (i < row.length - 1 ? cell.padEnd(widths[i]) : cell)).join('') + '\n')
    .join('');
}

// `<prog> etcd-snapshot save [--name N]`: on a server whose service is up and whose etcd has quorum, writes
// <data-dir>/server/db/snapshots/<name>-<node>-<unix-ts>.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isServerNode } from '../lab-node.js';
import { takeOption, type CommandContext } from './io.js';
import { connectionRefused, logLine } from './logrus.js';

export async function runEtcdSnapshot({ lab, node, io, argv }: CommandContext): Promise<number> {
  const [sub, ...rest] = argv;
  const now = lab.clock.now();
  if (sub !== 'save') {
    io.stderr(`Incorrect Usage: ${node.prog} etcd-snapshot: the lab answers only "save" (got "${sub ?? ''}")\n`);
    return 1;
  }
  if (!isServerNode(node) || node.service.state !== 'active') {
    io.stderr(connectionRefused(node.prog, '/db/snapshot', now));
    return 1;
  }
  const health = await lab.queryHealth();
  if (!health.healthy) {
    io.stderr(logLine('fatal', `failed to save etcd snapshot: context deadline exceeded (${health.reason})`, now));
    return 1;
  }
  const name = takeOption(rest, ['--name']).value ?? 'on-demand';
  const fileName = `${name}-${node.spec.name}-${Math.floor(now.getTime() / 1000)}`;
  const dir = path.join(node.paths.dataDir, 'server', 'db', 'snapshots');
  const file = path.join(dir, fileName);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const snapshot = { lab: true, node: node.spec.name, leader: health.leader, members: health.running, takenAt: now.toISOString() };
  await writeFile(file, JSON.stringify(snapshot) + '\n', { mode: 0o600 });
  io.stderr(logLine('info', `Saving etcd snapshot to ${file}`, now));
  io.stderr(logLine('info', `Snapshot ${fileName} saved.`, now));
  io.stdout(`${file}\n`);
  return 0;
}

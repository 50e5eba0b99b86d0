// Files a lab node is made of, outside its certificates: bin/ commands, etc/config.yaml, and the inventory entry
// through which keyturn reaches it with the ordinary `local` transport.
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import { isServer, type Distro } from '../model/cluster.js';
import { shq } from '../util/shell-quote.js';
import { labNodePaths, type LabNodeSpec } from './contract.js';

type LabPaths = { root: string; socket: string; client: string; latency: string; inventory: string };

/** The node's PATH: its bin/ first, so `<prog>`, `systemctl`, `journalctl` and `sh` are the lab's. */
export function nodePath(root: string, name: string): string {
  return `${labNodePaths(root, name).bin}:/usr/local/bin:/usr/bin:/bin`;
}

export async function writeNodeCommands(paths: LabPaths, node: LabNodeSpec): Promise<void> {
  const { bin } = labNodePaths(paths.root, node.name);
  await mkdir(bin, { recursive: true });
  for (const prog of [node.distro, 'systemctl', 'journalctl']) {
    const script = [
      '#!/bin/sh',
      `# keyturn lab: ${prog} on ${node.name} (answered by the lab controller)`,
      `exec ${shq(process.execPath)} ${shq(paths.client)} ${shq(paths.socket)} ${shq(node.name)} ${shq(prog)} "$@"`,
      '',
    ].join('\n');
    await writeExecutable(path.join(bin, prog), script);
  }
  await writeExecutable(path.join(bin, 'sh'), latencyShell(paths.latency));
}

/**
 * bin/sh: keyturn's local transport spawns `sh` from the node's PATH, so the latency fault lives here: sleep
 * DIR/latency-ms milliseconds when that file exists, then hand over to the real /bin/sh.
 */
function latencyShell(latencyFile: string): string {
  return [
    '#!/bin/sh',
    '# keyturn lab: sh with the latency fault (DIR/latency-ms) applied before every node command',
    `if [ -r ${shq(latencyFile)} ]; then`,
    `  ms=$(cat ${shq(latencyFile)} 2>/dev/null)`,
    '  case "$ms" in',
    "    ''|*[!0-9]*) ;;",
    '    *) [ "$ms" -gt 0 ] && sleep "$((ms / 1000)).$(printf %03d $((ms % 1000)))" ;;',
    '  esac',
    'fi',
    'exec /bin/sh "$@"',
    '',
  ].join('\n');
}

async function writeExecutable(file: string, text: string): Promise<void> {
  await writeFile(file, text);
  await chmod(file, 0o755);
}

/** etc/config.yaml as an operator would have it: data-dir, node identity, and the role switches of split servers. */
export function nodeConfigYaml(node: LabNodeSpec, dataDir: string, joinAddress: string | null): string {
  const config: Record<string, unknown> = { 'data-dir': dataDir, 'node-name': node.name, 'node-ip': node.address };
  if (joinAddress) config.server = `https://${joinAddress}:${supervisorPort(node.distro)}`;
  if (isServer(node.roles) && !node.roles.includes('control-plane')) {
    Object.assign(config, { 'disable-apiserver': true, 'disable-controller-manager': true, 'disable-scheduler': true });
  }
  if (isServer(node.roles) && !node.roles.includes('etcd')) config['disable-etcd'] = true;
  return stringify(config);
}

/** Where agents and joining servers register: 9345 on RKE2, the apiserver port 6443 on K3s. */
export function supervisorPort(distro: Distro): number {
  return distro === 'rke2' ? 9345 : 6443;
}

export async function writeInventory(file: string, root: string, nodes: LabNodeSpec[]): Promise<void> {
  const entries = nodes.map((node) => ({
    name: node.name,
    address: node.address,
    roles: node.roles,
    distro: node.distro,
    dataDir: labNodePaths(root, node.name).dataDir,
    transport: 'local',
    sudo: false,
    env: { PATH: nodePath(root, node.name) },
  }));
  await writeFile(file, stringify({ nodes: entries }));
}

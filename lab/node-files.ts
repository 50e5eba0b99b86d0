// Files a lab node is made of, outside its certificates: bin/ commands, etc/config.yaml, and the inventory entry
// through which keyturn reaches it with the ordinary `local` transport.
import { existsSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import { isServer, killallScript, type Distro } from '../src/model/cluster.js';
import { shq } from '../src/util/shell-quote.js';
import { labNodePaths, type LabNodeSpec } from './contract.js';
import { nodeLoopbackDir } from './etcd/loopback.js';
import { UsageError } from '../src/errors.js';
import { runningAsBinary } from '../src/util/self-command.js';

type LabPaths = {
  root: string;
  socket: string;
  httpSocket: string;
  client: string;
  latency: string;
  inventory: string;
};

/** Where curl is, if anywhere: node commands then cost a curl call instead of a Node start. */
function findCurl(): string | null {
  for (const candidate of ['/usr/bin/curl', '/bin/curl', '/usr/local/bin/curl']) {
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

/** The node's PATH: its bin/ first, so `<prog>`, `systemctl`, `journalctl`, `sh` and `curl` are the lab's. */
export function nodePath(root: string, name: string): string {
  return `${labNodePaths(root, name).bin}:/usr/local/bin:/usr/bin:/bin`;
}

export async function writeNodeCommands(paths: LabPaths, node: LabNodeSpec): Promise<void> {
  const { bin } = labNodePaths(paths.root, node.name);
  await mkdir(bin, { recursive: true });
  const curl = findCurl();
  // Without curl the node commands run the lab's node client through process.execPath, which in the single
  // binary is keyturn itself, not a Node that runs scripts.
  if (!curl && runningAsBinary())
    throw new UsageError(
      "keyturn lab: the single keyturn binary needs curl (/usr/bin/curl) for the lab's node commands; install curl, or run the lab with node bin/keyturn.js",
    );
  // <prog>-killall.sh sits beside <prog>, as upstream's installers put it.
  for (const prog of [node.distro, 'systemctl', 'journalctl', killallScript(node.distro)]) {
    const script = curl
      ? curlCommand(curl, paths.httpSocket, node.name, prog)
      : nodeClientCommand(paths, node.name, prog);
    await writeExecutable(path.join(bin, prog), script);
  }
  await writeExecutable(path.join(bin, 'sh'), latencyShell(paths.latency));
  if (curl)
    await writeExecutable(
      path.join(bin, 'curl'),
      loopbackCurl(curl, nodeLoopbackDir(labNodePaths(paths.root, node.name).root), node.name),
    );
}

/**
 * bin/curl: the real curl, except that a URL on 127.0.0.1, localhost or [::1] goes to this node's own loopback
 * (etcd/loopback.ts) through --unix-socket, which keeps the URL — so TLS still checks its host against the
 * certificate. A port this node does not listen on has no socket there: curl fails to connect (exit 7), as it
 * does on a node where nothing listens.
 */
function loopbackCurl(curl: string, loopbackDir: string, node: string): string {
  return [
    '#!/bin/sh',
    `# keyturn lab: curl on ${node}, with this node's own loopback (${loopbackDir})`,
    `lo=${shq(loopbackDir)}`,
    'port=',
    'for a in "$@"; do',
    '  case $a in',
    "    http://127.0.0.1|http://127.0.0.1[:/]*|http://localhost|http://localhost[:/]*|'http://[::1]'|'http://[::1]'[:/]*) d=80 ;;",
    "    https://127.0.0.1|https://127.0.0.1[:/]*|https://localhost|https://localhost[:/]*|'https://[::1]'|'https://[::1]'[:/]*) d=443 ;;",
    '    *) continue ;;',
    '  esac',
    "  r=${a#*://}; r=${r#'[::1]'}; r=${r#127.0.0.1}; r=${r#localhost}",
    '  case $r in :[0-9]*) r=${r#:}; p=${r%%[!0-9]*} ;; *) p=$d ;; esac',
    '  if [ -n "$port" ] && [ "$port" != "$p" ]; then echo "curl (keyturn lab): one loopback port per call" >&2; exit 2; fi',
    '  port=$p',
    'done',
    `[ -z "$port" ] && exec ${shq(curl)} "$@"`,
    `exec ${shq(curl)} --unix-socket "$lo/$port" "$@"`,
    '',
  ].join('\n');
}

function nodeClientCommand(paths: LabPaths, node: string, prog: string): string {
  return [
    '#!/bin/sh',
    `# keyturn lab: ${prog} on ${node} (answered by the lab controller)`,
    `exec ${shq(process.execPath)} ${shq(paths.client)} ${shq(paths.socket)} ${shq(node)} ${shq(prog)} "$@"`,
    '',
  ].join('\n');
}

/**
 * The same command through curl (http-exec-server.ts): every argument becomes an `arg` form field, in order;
 * the body (stdout) goes straight to our stdout (fd 4, a dup of it) while the headers, captured through fd 3,
 * carry the exit code and base64 stderr. Never `-o /dev/fd/N`: opening that path re-opens a regular file and
 * truncates it. Only shell builtins besides curl (and base64 when there is stderr).
 */
function curlCommand(curl: string, socket: string, node: string, prog: string): string {
  const url = `http://lab/exec?node=${encodeURIComponent(node)}&prog=${encodeURIComponent(prog)}`;
  const curlBase = `${shq(curl)} -sS -N --unix-socket ${shq(socket)}`;
  return [
    '#!/bin/sh',
    `# keyturn lab: ${prog} on ${node} (answered by the lab controller over ${socket})`,
    ...(prog === 'journalctl'
      ? ['follow=', 'for a in "$@"; do case $a in -f|--follow|-[a-zA-Z]*f*) follow=1 ;; esac; done']
      : []),
    'n=$#; i=0',
    'while [ "$i" -lt "$n" ]; do a=$1; shift; set -- "$@" --data-urlencode "arg=$a"; i=$((i + 1)); done',
    // A follower is ended by a signal: curl itself must be the process that receives it, so the lab sees the
    // connection close (a shell waiting on curl would die and leave curl streaming on).
    ...(prog === 'journalctl'
      ? [`[ -n "$follow" ] && exec ${curlBase} --data-urlencode "cwd=$PWD" "$@" ${shq(url)}`]
      : []),
    'exec 4>&1',
    `h=$(${curlBase} -D /dev/fd/3 --data-urlencode "cwd=$PWD" "$@" ${shq(url)} 3>&1 1>&4 2>/dev/null) || {`,
    `  echo ${shq(`${prog}: lab is not running`)} >&2; exit 1; }`,
    'code=1; err=',
    'while IFS= read -r line; do',
    '  case $line in',
    '    [Xx]-[Ee]xit:*) code=${line#*:}; code=${code# }; code=${code%%[!0-9]*} ;;',
    '    [Xx]-[Ss]tderr:*) err=${line#*:}; err=${err# }; err=${err%%[!A-Za-z0-9+/=]*} ;;',
    '  esac',
    'done <<EOF',
    '$h',
    'EOF',
    '[ -n "$err" ] && printf %s "$err" | base64 -d >&2',
    'exit "${code:-1}"',
    '',
  ].join('\n');
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

/**
 * etc/config.yaml as an operator would have it: data-dir, node identity, the role switches of split servers, and
 * for a node that joins (agents, servers after the first) `server:` with the secure token copied from the first
 * server's node-token (`K10<CA hash>::server:<secret>`), as the docs tell operators to.
 */
export function nodeConfigYaml(
  node: LabNodeSpec,
  dataDir: string | null,
  joinAddress: string | null,
  token: string | null = null,
): string {
  const config: Record<string, unknown> = {
    ...(dataDir === null ? {} : { 'data-dir': dataDir }),
    'node-name': node.name,
    'node-ip': node.address,
  };
  if (joinAddress) config.server = `https://${joinAddress}:${supervisorPort(node.distro)}`;
  if (joinAddress && token) config.token = token;
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

/** dataDirInUnit: the inventory leaves dataDir out, so keyturn finds it as on such a node (the unit's ExecStart). */
export async function writeInventory(
  file: string,
  root: string,
  nodes: LabNodeSpec[],
  dataDirInUnit = false,
): Promise<void> {
  const entries = nodes.map((node) => ({
    name: node.name,
    address: node.address,
    roles: node.roles,
    distro: node.distro,
    ...(dataDirInUnit ? {} : { dataDir: labNodePaths(root, node.name).dataDir }),
    transport: 'local',
    sudo: false,
    // <PROG>_CONFIG_FILE is the variable upstream's --config flag reads: keyturn finds the node's config.yaml (and
    // its join token) where the lab keeps it, through the same variable a real node could set.
    env: {
      PATH: nodePath(root, node.name),
      [`${node.distro.toUpperCase()}_CONFIG_FILE`]: path.join(labNodePaths(root, node.name).etcDir, 'config.yaml'),
    },
  }));
  await writeFile(file, stringify({ nodes: entries }));
}

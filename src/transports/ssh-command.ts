// Building the ssh command line and the command the node runs. Nothing here starts a process.
//
// The node receives one string that its login shell parses, so every piece is quoted with shq (POSIX quoting; zx's
// quote() emits bash-only $'..'). The script is wrapped so that it first reports its process group on stderr:
// killing the local ssh does not end a remote `journalctl -f` or `sleep`, so on timeout/abort we end that group
// on the node with a second command.
import { randomBytes } from 'node:crypto';
import { UsageError } from '../errors.js';
import type { InventoryNode } from '../model/inventory.js';
import { shJoin, shq } from '../util/shell-quote.js';
import { deliverEnv } from './env-stdin.js';

export interface SshConnectionSettings {
  controlDir: string;
  connectTimeoutSeconds: number;
  /**
   * 'auto' (a session's commands): the invocation may become the node's master (ControlMaster=auto) and keep it
   * open (ControlPersist). 'no' (a lone command, e.g. a status scan): it uses a master that is already listening
   * at the control path, else makes a connection of its own that ends with it — no master, so nothing to stop.
   */
  controlMaster?: 'auto' | 'no';
}

/** sun_path is 104 bytes on macOS/BSD (108 on Linux); ssh adds "/" + 40 hex (%C) + a 17-char temp suffix. */
const UNIX_SOCKET_PATH_MAX = 104;
const CONTROL_PATH_OVERHEAD = 1 + 40 + 17;

/** Whether ssh's control sockets fit under `controlDir` (a unix socket path is short). */
export function controlDirFits(controlDir: string): boolean {
  return controlDir.length + CONTROL_PATH_OVERHEAD < UNIX_SOCKET_PATH_MAX;
}

export function checkControlDir(controlDir: string): void {
  if (!controlDirFits(controlDir)) {
    throw new UsageError(
      `ssh control dir ${controlDir}: too long for a unix socket path (${controlDir.length} chars) — set XDG_RUNTIME_DIR or KEYTURN_STATE_DIR to a folder of at most ${UNIX_SOCKET_PATH_MAX - CONTROL_PATH_OVERHEAD - 1 - '/keyturn-ssh'.length} chars`,
    );
  }
}

/** Options shared by every ssh invocation for a node (commands, kills, `-O exit`), ending with `--` and the host. */
export function sshConnectionArgs(node: InventoryNode, settings: SshConnectionSettings): string[] {
  const ssh = node.ssh ?? {};
  const controlMaster = settings.controlMaster ?? 'auto';
  const args = [
    '-o',
    'BatchMode=yes',
    '-o',
    `ConnectTimeout=${settings.connectTimeoutSeconds}`,
    // One TCP connection serves the many commands of a session; ControlPersist keeps it briefly between them.
    // (On the command line the first value of an option wins, so these come before the inventory's options.)
    '-o',
    `ControlMaster=${controlMaster}`,
    '-o',
    `ControlPath=${settings.controlDir}/%C`,
    ...(controlMaster === 'auto' ? ['-o', 'ControlPersist=60s'] : []),
    '-o',
    'ServerAliveInterval=5',
    '-o',
    'ServerAliveCountMax=3',
  ];
  if (ssh.port !== undefined) args.push('-p', String(ssh.port));
  if (ssh.user !== undefined) args.push('-l', ssh.user);
  if (ssh.identityFile !== undefined) args.push('-i', ssh.identityFile, '-o', 'IdentitiesOnly=yes');
  if (ssh.jumpHost !== undefined) args.push('-J', ssh.jumpHost);
  for (const option of ssh.options ?? []) args.push('-o', option);
  args.push('--', node.address);
  return args;
}

/**
 * A run of one script: its marker nonce (so the script's own output cannot fake a marker), the remote command, and
 * what goes on ssh's stdin before the caller's input (the node's env, never on the command line: env-stdin.ts).
 */
export interface RemoteInvocation extends NodeCommand {
  nonce: string;
}

const MARKER_WORD = 'keyturn-remote-pgid';

export function buildRemoteInvocation(node: InventoryNode, script: string): RemoteInvocation {
  const nonce = randomBytes(8).toString('hex');
  // /proc/$$/stat field 5 is the process group; sshd starts every session in its own (setsid), and sudo with
  // use_pty starts another one, so we read it instead of assuming. Without /proc we fall back to $$.
  const wrapper = [
    'kt_pgid=$$',
    '[ -r /proc/$$/stat ] && read -r _ _ _ _ kt_pgid _ < /proc/$$/stat',
    `printf '%s\\n' "${MARKER_WORD} ${nonce} $kt_pgid $$" >&2`,
    // Not `exec`: if the script dies from a signal, the wrapper still exits 128+n. ssh itself would turn the
    // signal into 255, which we must keep meaning "ssh failed".
    `sh -c ${shq(script)}`,
    'exit $?',
  ].join('; ');
  return { nonce, ...nodeCommand(node, wrapper) };
}

export interface NodeCommand {
  /** `[sudo -n] sh -c <script>`, each word quoted: the string the node's login shell runs. */
  remoteCommand: string;
  /** Written to ssh's stdin first: the node's env (null when it has none). */
  stdinPrefix: string | null;
}

/** The command line for a node and the stdin that carries its env (values never appear on the command line). */
export function nodeCommand(node: InventoryNode, script: string): NodeCommand {
  const delivery = deliverEnv(node.name, node.env, script);
  const argv = [...(node.sudo ? ['sudo', '-n'] : []), 'sh', '-c', delivery.script];
  return { remoteCommand: shJoin(argv), stdinPrefix: delivery.stdinPrefix };
}

export interface RemoteProcess {
  pgid: number;
  pid: number;
}

/** Parses the wrapper's first stderr line; null when it is not our marker. */
export function parseMarker(line: string, nonce: string): RemoteProcess | null {
  const match = new RegExp(`^${MARKER_WORD} ${nonce} (\\d+) (\\d+)$`).exec(line.replace(/\r$/, ''));
  if (!match) return null;
  return { pgid: Number(match[1]), pid: Number(match[2]) };
}

/**
 * Ends a remote command: TERM to its process group, up to ~1 s for it to go, then KILL. (Bounded short because
 * `kill -0` also sees zombies, which a container's init may never reap.) Written for dash/busybox
 * `kill` (no `--`; `kill -TERM -<pgid>` addresses a group). Group ids ≤ 1 are never signalled.
 */
export function remoteKillScript(target: RemoteProcess): string {
  const group = target.pgid > 1 ? `-${target.pgid}` : null;
  const pid = target.pid > 1 ? String(target.pid) : null;
  if (group === null) return pid === null ? 'true' : `kill -TERM ${pid} 2>/dev/null; exit 0`;
  // "Still running" counts live members only: where nothing reaps orphans (a container's minimal init), the ended
  // follower stays a zombie and kill -0 would wait out the whole second on every stop. Without ps, kill -0.
  const alive = `alive() { if command -v ps >/dev/null 2>&1; then ps -eo pgid=,stat= 2>/dev/null | awk -v g=${target.pgid} '$1 == g && $2 !~ /^Z/ { f = 1 } END { exit !f }'; else kill -0 ${group} 2>/dev/null; fi; }`;
  return [
    `kill -TERM ${group} 2>/dev/null || { ${pid ? `kill -TERM ${pid} 2>/dev/null;` : ''} exit 0; }`,
    alive,
    'n=0',
    `while alive && [ "$n" -lt 10 ]; do sleep 0.1; n=$((n + 1)); done`,
    `kill -KILL ${group} 2>/dev/null`,
    'exit 0',
  ].join('; ');
}

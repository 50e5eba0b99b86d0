// A fleet of real sshd servers for the SSH benchmark: one per lab node, listening on that node's own loopback
// address (127.0.x.y) and a shared port, each with its own generated host key (so each has its own known_hosts
// line and host-key checking stays ON), all trusting one user key, as an operator's fleet does. Each server sets
// the lab node's environment for its sessions (sshd_config SetEnv: the node's PATH with its bin/ first, its
// RKE2_CONFIG_FILE), so a command arriving over ssh finds that node's systemctl, journalctl and files the way it
// would on a real node, whichever tool sent it: keyturn, parallel-ssh or Ansible need no per-node env of their own.
// Every session also gets an empty HOME of the node's own (see below).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { InventoryEntry } from './bench-lab.js';

const run = promisify(execFile);
const READY_DEADLINE_MS = 20_000;

export interface FleetNode {
  entry: InventoryEntry;
  /** The node's sshd (its children serve the connections). */
  pid: number;
}

export interface SshFleet {
  dir: string;
  port: number;
  user: string;
  identityFile: string;
  /** One line per node address: `[addr]:port <host key>`. */
  knownHostsFile: string;
  /** ssh options every tool uses: the key, and the fleet's known_hosts with checking on (BatchMode: no prompts). */
  sshOptions: string[];
  nodes: FleetNode[];
  stop(): Promise<void>;
}

/** A port free on every one of these addresses (probed by binding each in turn). */
async function freePortOn(addresses: readonly string[]): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await listenOnce(addresses[0], 0);
    let free = true;
    for (const address of addresses.slice(1)) {
      if ((await listenOnce(address, port).catch(() => -1)) !== port) {
        free = false;
        break;
      }
    }
    if (free) return port;
  }
  throw new Error(`no port free on all ${addresses.length} node addresses`);
}

function listenOnce(address: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, address, () => {
      const a = server.address();
      const got = typeof a === 'object' && a ? a.port : 0;
      server.close(() => resolve(got));
    });
  });
}

/** sshd_config SetEnv value: double-quoted (sshd splits on whitespace and honours quotes). */
function setEnvWord(name: string, value: string): string {
  if (/["\\\n]/.test(value)) throw new Error(`lab env ${name}: cannot be passed through sshd SetEnv`);
  return `${name}="${value}"`;
}

const live = new Set<() => Promise<void>>();

/** Stops every fleet still up (run.ts calls it on SIGINT/SIGTERM and after each benchmark). */
export async function stopAllFleets(): Promise<void> {
  await Promise.all([...live].map((stop) => stop().catch(() => undefined)));
}

export async function startSshFleet(
  entries: readonly InventoryEntry[],
  extraEnv: (n: InventoryEntry) => Record<string, string> = () => ({}),
): Promise<SshFleet> {
  const sshd = ['/usr/sbin/sshd', '/usr/bin/sshd'].find((p) => {
    try {
      readFileSync(p);
      return true;
    } catch {
      return false;
    }
  });
  if (!sshd) throw new Error('sshd not found (apt-get install openssh-server)');
  const dir = mkdtempSync(path.join(tmpdir(), 'kt-fleet-'));
  mkdirSync('/run/sshd', { recursive: true });
  const children: ChildProcess[] = [];
  const stop = async () => {
    live.delete(stop);
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  live.add(stop);
  try {
    const identityFile = path.join(dir, 'id_ed25519');
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'keyturn-bench-operator', '-f', identityFile]);
    writeFileSync(path.join(dir, 'authorized_keys'), readFileSync(`${identityFile}.pub`));
    const port = await freePortOn(entries.map((e) => e.address));
    const knownHosts: string[] = [];
    const nodes: FleetNode[] = [];
    // Host keys first (ssh-keygen is a process each), a few at a time.
    const keyDir = (n: InventoryEntry) => path.join(dir, n.name);
    for (let i = 0; i < entries.length; i += 8) {
      await Promise.all(
        entries.slice(i, i + 8).map(async (n) => {
          mkdirSync(keyDir(n));
          await run('ssh-keygen', [
            '-q',
            '-t',
            'ed25519',
            '-N',
            '',
            '-C',
            `keyturn-bench-${n.name}`,
            '-f',
            path.join(keyDir(n), 'host_ed25519'),
          ]);
        }),
      );
    }
    for (const n of entries) {
      const hostKey = path.join(keyDir(n), 'host_ed25519');
      // HOME too: the account's own dotfiles (this machine's root has a ~/.bashrc that takes ~1 s, which bash
      // runs for every ssh session) are not a node's; each node gets an empty home of its own.
      const home = path.join(keyDir(n), 'home');
      mkdirSync(home);
      const env = { ...n.env, HOME: home, ...extraEnv(n) };
      const config = path.join(keyDir(n), 'sshd_config');
      writeFileSync(
        config,
        [
          `ListenAddress ${n.address}:${port}`,
          `HostKey ${hostKey}`,
          `PidFile ${path.join(keyDir(n), 'sshd.pid')}`,
          `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
          'StrictModes no',
          'PermitRootLogin yes',
          'UsePAM no',
          'PasswordAuthentication no',
          'KbdInteractiveAuthentication no',
          'PubkeyAuthentication yes',
          'MaxSessions 50',
          'LogLevel ERROR',
          ...(Object.keys(env).length > 0
            ? [
                `SetEnv ${Object.entries(env)
                  .map(([k, v]) => setEnvWord(k, v))
                  .join(' ')}`,
              ]
            : []),
          '',
        ].join('\n'),
      );
      const child = spawn(sshd, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
      children.push(child);
      nodes.push({ entry: n, pid: child.pid as number });
      knownHosts.push(
        `[${n.address}]:${port} ${readFileSync(`${hostKey}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ')}`,
      );
    }
    const knownHostsFile = path.join(dir, 'known_hosts');
    writeFileSync(knownHostsFile, `${knownHosts.join('\n')}\n`);
    // Ready when each address accepts a TCP connection (sshd at LogLevel ERROR says nothing when it listens).
    await Promise.all(entries.map((n, i) => waitAccepting(n.address, port, children[i])));
    return {
      dir,
      port,
      user: userInfo().username,
      identityFile,
      knownHostsFile,
      sshOptions: [
        '-i',
        identityFile,
        '-o',
        'IdentitiesOnly=yes',
        '-o',
        `UserKnownHostsFile=${knownHostsFile}`,
        '-o',
        'StrictHostKeyChecking=yes',
        '-o',
        'BatchMode=yes',
      ],
      nodes,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function waitAccepting(address: string, port: number, child: ChildProcess): Promise<void> {
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr = (stderr + c).slice(-2000)));
  const deadline = Date.now() + READY_DEADLINE_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`sshd on ${address}:${port} exited ${child.exitCode}: ${stderr.trim()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = createServerProbe(address, port, resolve);
      socket.setTimeout(1000, () => {
        socket.destroy();
        resolve(false);
      });
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`sshd on ${address}:${port} not accepting after ${READY_DEADLINE_MS} ms: ${stderr.trim()}`);
}

function createServerProbe(address: string, port: number, done: (ok: boolean) => void) {
  const socket = connect({ host: address, port });
  socket.once('connect', () => {
    socket.destroy();
    done(true);
  });
  socket.once('error', () => done(false));
  return socket;
}

// A real OpenSSH server on 127.0.0.1 for transport tests: generated host and user keys in a temp dir, host-key
// checking left ON (the test gets a known_hosts file that trusts exactly this server). Also one per lab node, with
// the lab's inventory turned into one that reaches each node over ssh through its own server.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { findBinary } from './binaries.js';
import type { LabHandle, LabInventoryNode } from './lab.js';

const run = promisify(execFile);
const READY_DEADLINE_MS = 10_000;

export interface TestSshd {
  port: number;
  host: '127.0.0.1';
  identityFile: string;
  knownHostsFile: string;
  /** `-o` options for the inventory: trusts this server's host key without turning checking off. */
  sshOptions: string[];
  user: string;
  /** The sshd's main pid: its children are the per-connection processes. */
  pid: number;
  /** Everything sshd logged so far (-e: to stderr), e.g. to count "Accepted publickey" lines. */
  log(): string;
  /** Pids of the per-connection sshd processes (killing them drops the connections). */
  connectionPids(): Promise<number[]>;
  stop(): Promise<void>;
}

export interface SshdOptions {
  /**
   * sshd's MaxStartups: how many connections may be unauthenticated at once before new ones are dropped (default
   * 10:30:100). A low value makes a burst of parallel connects fail the way a busy server does.
   */
  maxStartups?: string;
}

export async function startSshd(options: SshdOptions = {}): Promise<TestSshd> {
  const sshd = findBinary('sshd');
  if (!sshd) throw new Error('sshd not found');
  const dir = mkdtempSync(path.join(tmpdir(), 'kt-sshd-'));
  mkdirSync('/run/sshd', { recursive: true }); // privilege separation directory sshd insists on
  const hostKey = path.join(dir, 'host_ed25519');
  const identityFile = path.join(dir, 'id_ed25519');
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'keyturn-test-host', '-f', hostKey]);
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'keyturn-test-user', '-f', identityFile]);
  writeFileSync(path.join(dir, 'authorized_keys'), readFileSync(`${identityFile}.pub`));

  const port = await findFreePort();
  const configFile = path.join(dir, 'sshd_config');
  writeFileSync(
    configFile,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
      'StrictModes no', // the keys live under /tmp
      'PermitRootLogin yes', // tests run as root
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'MaxSessions 50',
      ...(options.maxStartups === undefined ? [] : [`MaxStartups ${options.maxStartups}`]),
      'LogLevel INFO',
      '',
    ].join('\n'),
  );

  const child = spawn(sshd, ['-D', '-e', '-f', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString('utf8')));
  await waitForListening(child, () => log, port);

  const hostPublicKey = readFileSync(`${hostKey}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
  const knownHostsFile = path.join(dir, 'known_hosts');
  writeFileSync(knownHostsFile, `[127.0.0.1]:${port} ${hostPublicKey}\n`);
  const pid = child.pid as number;

  const connectionPids = async () => {
    const { stdout } = await run('pgrep', ['-P', String(pid)]).catch(() => ({ stdout: '' }));
    return stdout.split(/\s+/).filter(Boolean).map(Number);
  };

  return {
    port,
    host: '127.0.0.1',
    identityFile,
    knownHostsFile,
    sshOptions: [`UserKnownHostsFile=${knownHostsFile}`],
    user: userInfo().username,
    pid,
    log: () => log,
    connectionPids,
    stop: async () => {
      const children = await connectionPids();
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      // Connections outlive the listener; end the ones this server accepted.
      for (const connection of children) {
        try {
          process.kill(connection, 'SIGTERM');
        } catch {
          // already gone
        }
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One sshd per lab node (real nodes have their own host keys), by node name. */
export async function startSshdPerNode(lab: LabHandle): Promise<Map<string, TestSshd>> {
  return new Map(await Promise.all(lab.nodes.map(async (n) => [n.name, await startSshd()] as const)));
}

/**
 * The lab's inventory (YAML) with every node reached over ssh through its own sshd, the node's env applied on the
 * far side. Each node keeps its own address (etcd listens there; the inventory needs distinct addresses); ssh is
 * pointed at the node's sshd by HostName, as a ~/.ssh/config alias would. Host-key checking stays on: each
 * known_hosts file trusts exactly that node's sshd.
 */
export function sshInventoryFor(lab: LabHandle, sshds: ReadonlyMap<string, TestSshd>): string {
  const labNodes = (parse(readFileSync(lab.inventory, 'utf8')) as { nodes: LabInventoryNode[] }).nodes;
  const nodes = labNodes.map((n) => {
    const sshd = sshds.get(n.name)!;
    return {
      name: n.name,
      address: n.address,
      roles: n.roles,
      distro: n.distro,
      dataDir: n.dataDir,
      transport: 'ssh',
      ssh: {
        port: sshd.port,
        user: sshd.user,
        identityFile: sshd.identityFile,
        options: [...sshd.sshOptions, 'HostName=127.0.0.1'],
      },
      env: n.env,
    };
  });
  return `nodes: ${JSON.stringify(nodes, null, 2)}\n`;
}

async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** sshd -e logs "Server listening on 127.0.0.1 port N." once it accepts connections; that is our ready event. */
function waitForListening(child: ChildProcess, log: () => string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      clearTimeout(deadline);
      child.stderr?.off('data', check);
      child.off('exit', onExit);
    };
    const check = () => {
      if (log().includes(`Server listening on 127.0.0.1 port ${port}`)) {
        cleanup();
        resolve();
      }
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`sshd exited (${code}) before listening:\n${log()}`));
    };
    const deadline = setTimeout(() => {
      cleanup();
      child.kill('SIGKILL');
      reject(new Error(`sshd not listening on ${port} after ${READY_DEADLINE_MS} ms:\n${log()}`));
    }, READY_DEADLINE_MS);
    child.stderr?.on('data', check);
    child.once('exit', onExit);
    check();
  });
}

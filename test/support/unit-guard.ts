// setupFiles of the unit project: a unit test that starts a system process (etcd, sshd, tmux, kubectl, the keyturn
// CLI or a lab) fails at once, naming the file to move, instead of quietly making the inner loop slow. The split
// itself is test/support/projects.ts; this catches what its scan of imports cannot see.
import childProcess from 'node:child_process';
import path from 'node:path';
import { syncBuiltinESMExports } from 'node:module';
import { promisify } from 'node:util';

const SYSTEM_COMMANDS = new Set(['etcd', 'etcdctl', 'sshd', 'ssh', 'tmux', 'kubectl']);

function refuse(command: string, args: readonly unknown[]): void {
  const base = path.basename(String(command));
  const argv = args.map(String);
  const cli = argv.some((a) => a.endsWith('bin/keyturn.js') || a.endsWith('src/cli.tsx'));
  if (SYSTEM_COMMANDS.has(base) || cli) {
    throw new Error(
      `unit test started \`${[base, ...argv.slice(0, 3)].join(' ')}\`: a system process. Import it through test/support (lab.ts, sshd.ts, binaries.ts) so test/support/projects.ts puts the file in the system project.`,
    );
  }
}

type Spawner = ((command: string, ...rest: unknown[]) => unknown) & { [promisify.custom]?: Spawner };
const mutable = childProcess as unknown as Record<string, Spawner>;
const guard = (original: Spawner): Spawner =>
  function guarded(this: unknown, command: string, ...rest: unknown[]) {
    refuse(command, Array.isArray(rest[0]) ? (rest[0] as unknown[]) : []);
    return original.call(this, command, ...rest);
  };
for (const name of ['spawn', 'spawnSync', 'execFile', 'execFileSync'] as const) {
  const original = mutable[name];
  const guarded = guard(original);
  // promisify(execFile) resolves { stdout, stderr } through this symbol: keep it, guarded too.
  const custom = original[promisify.custom];
  if (custom) guarded[promisify.custom] = guard(custom);
  mutable[name] = guarded;
}
syncBuiltinESMExports();

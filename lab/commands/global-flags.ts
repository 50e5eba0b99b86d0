// The flags `<prog>` takes before its subcommand (urfave/cli app flags). k3s: `--debug` (env K3S_DEBUG) and
// `--data-dir`/`-d` (k3s pkg/cli/cmds/root.go NewApp), so upstream's own e2e helper runs
// `k3s --debug certificate rotate`. rke2 sets no app flags (rancher/rke2 pkg/cli/cmds/root.go NewApp), so only
// urfave's own --help/--version exist there and `rke2 --debug ...` is refused as upstream refuses it.
// Go's flag package accepts one or two dashes and `--name=value` alike.
import path from 'node:path';

export type GlobalFlags =
  | { ok: true; version: boolean; debug: boolean; rest: string[]; dataDirGiven: boolean }
  | { ok: false; message: string };

const BOOL_TRUE = new Set(['1', 't', 'T', 'true', 'TRUE', 'True']);
const BOOL_FALSE = new Set(['0', 'f', 'F', 'false', 'FALSE', 'False']);

export function takeGlobalFlags(prog: string, argv: string[], nodeDataDir: string): GlobalFlags {
  let debug = false;
  let dataDirGiven = false;
  let i = 0;
  for (; i < argv.length; i += 1) {
    const arg = argv[i];
    if (!arg.startsWith('-') || arg === '-' || arg === '--') break;
    const [name, inline] = splitFlag(arg);
    if (name === 'version' || name === 'v') return { ok: true, version: true, debug, rest: [], dataDirGiven };
    if (prog === 'k3s' && name === 'debug') {
      if (inline !== undefined && !BOOL_TRUE.has(inline) && !BOOL_FALSE.has(inline)) {
        return { ok: false, message: usage(`invalid boolean value "${inline}" for -debug: parse error`) };
      }
      debug = inline === undefined || BOOL_TRUE.has(inline);
      continue;
    }
    if (prog === 'k3s' && (name === 'data-dir' || name === 'd')) {
      const value = inline ?? argv[++i];
      if (value === undefined) return { ok: false, message: usage(`flag needs an argument: -${name}`) };
      // The lab keeps one data dir per node: another value would be a different (empty) node state.
      if (path.resolve(value) !== path.resolve(nodeDataDir)) {
        return {
          ok: false,
          message: `lab: --data-dir ${value} is not this node's data dir (${nodeDataDir}); the lab models one data dir per node\n`,
        };
      }
      dataDirGiven = true;
      continue;
    }
    return { ok: false, message: usage(`flag provided but not defined: -${name}`) };
  }
  return { ok: true, version: false, debug, rest: argv.slice(i), dataDirGiven };
}

function splitFlag(arg: string): [string, string | undefined] {
  const bare = arg.replace(/^--?/, '');
  const eq = bare.indexOf('=');
  return eq === -1 ? [bare, undefined] : [bare.slice(0, eq), bare.slice(eq + 1)];
}

function usage(error: string): string {
  return `Incorrect Usage: ${error}\n`;
}

/**
 * `--data-dir`/`-d` given to a subcommand (certificate, secrets-encrypt and etcd-snapshot copy the server's
 * data-dir flag in k3s and rke2; k3s tests/integration run `k3s secrets-encrypt status -d /tmp/k3sse`): argv without
 * it when it names this node's data dir, or the one-line refusal.
 */
export function takeSubcommandDataDir(
  argv: string[],
  nodeDataDir: string,
): { ok: true; rest: string[]; dataDirGiven: boolean } | { ok: false; message: string } {
  const rest: string[] = [];
  let dataDirGiven = false;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const [name, inline] = arg.startsWith('-') ? splitFlag(arg) : ['', undefined];
    if (name !== 'data-dir' && name !== 'd') {
      rest.push(arg);
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) return { ok: false, message: usage(`flag needs an argument: -${name}`) };
    if (path.resolve(value) !== path.resolve(nodeDataDir)) {
      return {
        ok: false,
        message: `lab: --data-dir ${value} is not this node's data dir (${nodeDataDir}); the lab models one data dir per node\n`,
      };
    }
    dataDirGiven = true;
  }
  return { ok: true, rest, dataDirGiven };
}

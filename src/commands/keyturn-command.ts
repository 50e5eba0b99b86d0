// The one home for a `keyturn …` command line keyturn suggests to the operator (a diagnosis's fix, a refusal, a
// resume hint): it carries the --kubeconfig, --context, --inventory and --state-dir the operator gave this
// session, so that pasting it reaches the same cluster and the same journals, quoted for POSIX sh.
import { shJoin, shq } from '../util/shell-quote.js';
import type { ClusterOptions } from './options.js';
import type { CommandText } from '../run/deps.js';

type GlobalOption = keyof ClusterOptions;

const FLAG: Record<GlobalOption, string> = {
  kubeconfig: '--kubeconfig',
  context: '--context',
  inventory: '--inventory',
  stateDir: '--state-dir',
};

/** Which of the session's options each command accepts (cli.tsx); report and abandon read journals only. */
const ACCEPTS: Record<string, readonly GlobalOption[]> = {
  status: ['kubeconfig', 'context', 'inventory'],
  plan: ['kubeconfig', 'context', 'inventory'],
  run: ['kubeconfig', 'context', 'inventory', 'stateDir'],
  resume: ['kubeconfig', 'context', 'inventory', 'stateDir'],
  report: ['stateDir'],
  abandon: ['stateDir'],
};

/** The session's options `command` accepts, as argv words (only those the operator gave). */
function flagsFor(command: string, opts: ClusterOptions): string[] {
  return (ACCEPTS[command] ?? []).flatMap((k) => (opts[k] ? [FLAG[k], opts[k]] : []));
}

/** `keyturn <args…>` plus the session's options, every word quoted for POSIX sh. */
export function keyturnCommand(args: readonly string[], opts: ClusterOptions): string {
  return shJoin(['keyturn', ...args, ...flagsFor(args[0] ?? '', opts)]);
}

/**
 * Text that names keyturn commands in backticks (the engine's fixes: "then `keyturn resume`") with the session's
 * options added to each. The words already there are kept as written (a `<recipe>` placeholder stays one).
 */
export function withSessionOptions(text: string, opts: ClusterOptions): string {
  return text.replace(/`keyturn ([a-z][a-z-]*)((?: [^`\s]+)*)`/g, (whole, command: string, rest: string) => {
    const flags = flagsFor(command, opts);
    return flags.length === 0 ? whole : `\`keyturn ${command}${rest} ${flags.map(shq).join(' ')}\``;
  });
}

/** The run layer's way of naming keyturn commands (src/run/deps.ts CommandText), for this session's options. */
export function commandText(opts: ClusterOptions): CommandText {
  return { command: (args) => keyturnCommand(args, opts), withOptions: (text) => withSessionOptions(text, opts) };
}

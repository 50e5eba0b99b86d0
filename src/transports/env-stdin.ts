// A node's environment (inventory `env`: K3S_TOKEN, proxies with passwords…) reaches its command on stdin, never on
// a command line: argv is readable by every user in `ps`, on the workstation (the ssh or sudo process) and on the
// node (sshd's session, the shell). The command line carries a fixed reader instead; it reads `export NAME='value'`
// lines up to an end line with a fresh nonce, exports them, and runs the script in the same shell. The shell's
// `read` takes a pipe byte by byte (POSIX), so whatever follows the end line is still the script's own stdin.
// The script stays on the command line: it is keyturn's own text, printed by `plan`, never a secret.
import { randomBytes } from 'node:crypto';
import { shq } from '../util/shell-quote.js';
import { envAssignments } from './exec-result.js';

export interface EnvDelivery {
  /** The script to run with `sh -c`: the reader first when there is an environment to deliver. */
  script: string;
  /** What to write to the command's stdin before the caller's own input; null when there is no environment. */
  stdinPrefix: string | null;
}

/** Exit code when the environment did not arrive whole (stdin closed early): nothing of the script ran. */
export const ENV_NOT_RECEIVED_EXIT = 125;

export function deliverEnv(nodeName: string, env: Record<string, string> | undefined, script: string): EnvDelivery {
  envAssignments(nodeName, env); // validates the names: one-line error naming the node and the name
  const entries = Object.entries(env ?? {});
  if (entries.length === 0) return { script, stdinPrefix: null };
  const end = `keyturn-env-end-${randomBytes(8).toString('hex')}`;
  const reader = [
    'kt_env=; kt_got=',
    `while IFS= read -r kt_line; do if [ "$kt_line" = ${end} ]; then kt_got=1; break; fi; kt_env="$kt_env$kt_line\n"; done`,
    `if [ -z "$kt_got" ] || ! eval "$kt_env"; then echo 'keyturn: the node environment did not arrive on stdin' >&2; exit ${ENV_NOT_RECEIVED_EXIT}; fi`,
    'unset kt_env kt_line kt_got',
  ].join('; ');
  const exports = entries.map(([name, value]) => `export ${name}=${shq(value)}\n`).join('');
  // A fresh `sh` from the node's own PATH (now exported) runs the script, as `env NAME=… sh -c script` did: the
  // node's environment decides which shell runs it, and the reader's variables are gone.
  return { script: `${reader}\nexec sh -c ${shq(script)}`, stdinPrefix: `${exports}${end}\n` };
}

/** The stdin to give the process: the environment first, then the caller's input (undefined: none at all). */
export function stdinWith(stdinPrefix: string | null, callerInput: string | undefined): string | undefined {
  return stdinPrefix === null ? callerInput : stdinPrefix + (callerInput ?? '');
}

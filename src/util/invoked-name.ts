// kubectl runs a plugin as `kubectl-<name>` (any executable of that name on PATH): invoked through the
// kubectl-keyturn link, keyturn's usage and help say `kubectl keyturn`, the command the operator typed.
import path from 'node:path';

/** 'kubectl keyturn' when started as kubectl-keyturn (the binary's argv0, or the script node runs), else 'keyturn'. */
export function invokedName(argv0: string, script: string | undefined): string {
  const names = [argv0, script ?? ''].map((p) => path.basename(p).replace(/\.[cm]?js$/, ''));
  return names.includes('kubectl-keyturn') ? 'kubectl keyturn' : 'keyturn';
}

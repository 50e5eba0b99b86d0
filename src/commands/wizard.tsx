// `keyturn` with no subcommand: the interactive wizard. It needs a terminal on both ends; scripts get a pointer
// to `keyturn status` instead of a hung prompt.
import React from 'react';
import type { ClusterOptions } from './options.js';

export interface WizardIo {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

const NOT_A_TERMINAL = 'keyturn: the wizard needs a terminal; use `keyturn status` for a non-interactive report\n';

/** False (after saying so on stderr) when stdin or stdout is not a terminal. */
export function ensureTerminal(io: WizardIo = process): boolean {
  if (io.stdin.isTTY && io.stdout.isTTY) return true;
  io.stderr.write(NOT_A_TERMINAL);
  return false;
}

export async function runWizard(opts: ClusterOptions, io: WizardIo = process): Promise<number> {
  if (!ensureTerminal(io)) return 2;
  const { openClusterSession } = await import('./cluster-session.js');
  const [session, { render }, { App }] = await Promise.all([
    openClusterSession(opts),
    import('ink'),
    import('../screens/App.js'),
  ]);
  // Child processes run with piped stdio (transports/process-runner), so nothing but Ink writes to the terminal.
  const instance = render(<App discover={session.discover} onExit={() => {}} />, {
    stdin: io.stdin,
    stdout: io.stdout,
    stderr: io.stderr,
    exitOnCtrlC: true,
    patchConsole: true,
  });
  try {
    await instance.waitUntilExit();
  } finally {
    await session.dispose();
  }
  return 0;
}

// Dispatch of node commands: bin/systemctl, bin/journalctl, bin/<prog> and bin/<prog>-killall.sh on every node.
import { runCertificate } from './certificate.js';
import { runEtcdSnapshot } from './etcd-snapshot.js';
import { takeGlobalFlags, takeSubcommandDataDir } from './global-flags.js';
import type { CommandContext } from './io.js';
import { answerAtDefaultDataDir } from './default-data-dir.js';
import { runJournalctl } from './journalctl.js';
import { isKillallCommand, runKillall } from './killall.js';
import { runSecretsEncrypt } from './secrets-encrypt.js';
import { runSystemctl } from './systemctl.js';

export type { CommandContext, CommandIO } from './io.js';

export async function runNodeCommand(prog: string, context: CommandContext): Promise<number> {
  if (prog === 'systemctl') return runSystemctl(context);
  if (prog === 'journalctl') return runJournalctl(context);
  if (prog === context.node.prog) return runProg(context);
  if (isKillallCommand(prog, context)) return runKillall(context);
  context.io.stderr(`sh: ${prog}: not found\n`);
  return 127;
}

async function runProg(context: CommandContext): Promise<number> {
  const { node, io } = context;
  const globals = takeGlobalFlags(node.prog, context.argv, node.paths.dataDir);
  if (!globals.ok) {
    io.stderr(globals.message);
    return 1;
  }
  if (globals.version) return printVersion(context);
  const [sub, ...subArgs] = globals.rest;
  const local = takeSubcommandDataDir(subArgs, node.paths.dataDir);
  if (!local.ok) {
    io.stderr(local.message);
    return 1;
  }
  const next = { ...context, argv: local.rest };
  if (context.lab.options.dataDirInUnit && !globals.dataDirGiven && !local.dataDirGiven) {
    const answered = answerAtDefaultDataDir(next, sub ?? '');
    if (answered !== null) return answered;
  }
  switch (sub) {
    case 'certificate':
      return runCertificate(next);
    case 'secrets-encrypt':
      return runSecretsEncrypt(next);
    case 'etcd-snapshot':
      return runEtcdSnapshot(next);
    case 'version':
      return printVersion(context);
    default:
      io.stderr(
        `Incorrect Usage: ${node.prog}: unknown command "${sub ?? ''}" (the lab answers certificate, secrets-encrypt, etcd-snapshot, --version)\n`,
      );
      return 1;
  }
}

function printVersion({ node, io, lab }: CommandContext): number {
  io.stdout(`${node.prog} version ${lab.options.version} (lab)\ngo version go1.23.8\n`);
  return 0;
}

// Composition root: parse argv, then hand over to one command module (loaded lazily so that `status --json`
// and the lab's node commands never pay for Ink or the Kubernetes client they do not use).
import { Command, CommanderError, Option } from 'commander';
import pkg from '../package.json' with { type: 'json' };
import { UsageError } from './errors.js';
import { closest } from './util/closest.js';
import { invokedName } from './util/invoked-name.js';
import { honourNoColor } from './util/no-color.js';
import { redact } from './util/redact.js';
import type { ClusterOptions } from './commands/options.js';
import type { OutputOptions } from './commands/output-format.js';

/** Exit codes, one list for every command's --help and the README. */
const EXIT_CODES = `
Exit codes:
  0    done; for status: every check passed
  1    a check warned or failed, or a run stopped (a gate failed, a node was declined)
  2    bad input (arguments, kubeconfig, inventory, PEM, recipe) or the cluster could not be read at all
  130  interrupted by ctrl-c (SIGINT), after a clean stop (locks released, journal written)
`;

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

/**
 * `several`: status reads several clusters (`--context a --context b`, each with its own `--inventory a=FILE`);
 * one --context and one --inventory are the usual use, and every other command takes one of each.
 */
function clusterOptions(cmd: Command, several = false): Command {
  const context = several
    ? new Option(
        '--context <name>',
        'kubeconfig context to use; repeat it to read several clusters (one row each)',
      ).argParser(collect)
    : new Option('--context <name>', 'kubeconfig context to use');
  const inventory = several
    ? new Option(
        '--inventory <file>',
        'YAML inventory of nodes, for nodes the API cannot tell or when it is down; with several contexts CONTEXT=FILE, repeated',
      ).argParser(collect)
    : new Option('--inventory <file>', 'YAML inventory of nodes, for nodes the API cannot tell or when it is down');
  return cmd
    .option('--kubeconfig <file>', 'kubeconfig to use (default: KUBECONFIG, then ~/.kube/config)')
    .addOption(context)
    .addOption(inventory)
    .option(
      '--state-dir <dir>',
      'where run journals and locks are kept (default: KEYTURN_STATE_DIR or ~/.local/state/keyturn)',
    );
}

/** `-o json|yaml` and its older alias `--json`, on every command that prints a document (docs/json.md). */
function outputOptions(cmd: Command): Command {
  return cmd
    .option('-o, --output <format>', 'print one document instead of text: json | yaml (fields: docs/json.md)')
    .option('--json', 'the same as -o json');
}

/**
 * `--read-only` (or KEYTURN_READ_ONLY) is the wizard's, but a session that asked for it must not change anything
 * from the command line either: run, resume and abandon refuse it, never ignore it.
 */
function refuseReadOnly(cmd: Command): void {
  if (!cmd.optsWithGlobals<{ readOnly?: boolean }>().readOnly) return;
  throw new UsageError(
    `${cmd.name()} changes the cluster or its runs and this session is read-only (--read-only or KEYTURN_READ_ONLY set): look with the wizard or \`keyturn plan\`, or drop it to ${cmd.name()}`,
  );
}

function buildProgram(exit: (code: number) => void): Command {
  const program = new Command(invokedName(process.argv0, process.argv[1]))
    .description(
      'Rotate RKE2/K3s certificates, CAs and secrets-encryption keys, or recover a restart loop, one confirmed node at a time.',
    )
    // Usage mistakes are bad input like any other: ONE line, "keyturn: <problem> (run with --help for usage)",
    // not commander's "error: ..." plus a second line. Subcommands inherit this output configuration.
    .configureOutput({
      outputError: (text, write) =>
        write(
          `keyturn: ${text
            .replace(/^error:\s*/, '')
            .trim()
            .replace(/\s*\n\s*/g, ' ')} (run with --help for usage)\n`,
        ),
    })
    // Subcommands declare the cluster options too: let each command own the options written after it, and read
    // the ones written before it (keyturn --kubeconfig K status) through optsWithGlobals().
    .enablePositionalOptions()
    .version(pkg.version, '-V, --version', "print keyturn's version")
    .helpCommand('help [command]', 'show help for a command')
    .addHelpText('after', EXIT_CODES)
    .exitOverride();

  // The wizard takes no operands: a word here is a command keyturn does not have (commander alone would call it
  // "too many arguments").
  clusterOptions(program)
    .addOption(
      new Option(
        '--read-only',
        'the wizard without a key that changes anything: no run starts, continues or is abandoned; plans are shown',
      ).env('KEYTURN_READ_ONLY'),
    )
    .argument('[command]')
    .usage('[options] [command]') // commander would list [command] twice: once for the argument, once for the subcommands
    .action(async (command: string | undefined, opts: ClusterOptions & { readOnly?: boolean }) => {
      if (command !== undefined) {
        const known = program.commands.map((c) => c.name());
        const near = closest(command, known);
        throw new UsageError(
          `unknown command '${command}'${near ? ` (did you mean '${near}'?)` : ''}; commands: ${known.join(', ')}`,
        );
      }
      const { runWizard } = await import('./commands/wizard.js');
      exit(await runWizard(opts));
    });

  outputOptions(
    clusterOptions(
      program
        .command('status')
        .description('one-shot scan of every node: certificates, CA, encryption, etcd, services'),
      true,
    ),
  )
    .option('--all-contexts', "read every context of the kubeconfig: one row per cluster (README, 'Many clusters')")
    .option('--detail', 'with several clusters: each cluster in full after the table')
    .action(async (_opts: unknown, cmd: Command) => {
      type StatusFlags = Omit<ClusterOptions, 'context' | 'inventory'> &
        OutputOptions & { allContexts?: boolean; detail?: boolean };
      const opts = cmd.optsWithGlobals<StatusFlags>();
      // `keyturn --context a status --context b` reads both: the program's one, then the command's own (so too --inventory).
      const before = cmd.parent?.opts<ClusterOptions>() ?? {};
      const own = cmd.opts<{ context?: string[]; inventory?: string[] }>();
      const contexts = [...(before.context ? [before.context] : []), ...(own.context ?? [])];
      const inventories = [...(before.inventory ? [before.inventory] : []), ...(own.inventory ?? [])];
      if (opts.allContexts || new Set(contexts).size > 1) {
        const { runFleetStatus } = await import('./commands/status-fleet.js');
        exit(await runFleetStatus({ ...opts, contexts, inventories }));
        return;
      }
      if (inventories.length > 1)
        throw new UsageError(
          '--inventory given twice for one cluster — pass one file (CONTEXT=FILE pairs are for several --context)',
        );
      const { runStatus } = await import('./commands/status.js');
      exit(await runStatus({ ...opts, context: contexts[0], inventory: inventories[0] }));
    });

  outputOptions(
    clusterOptions(
      program
        .command('plan')
        .argument('<recipe>', 'recipe name')
        .description('print the ordered per-node plan with the exact commands; changes nothing'),
    ),
  )
    .option('--agent-wave <N|P%>', 'plan agents in waves of at most N (or P% of the agents), as `run --agent-wave`')
    .action(async (recipe: string, _opts: unknown, cmd: Command) => {
      const { runPlan } = await import('./commands/plan.js');
      exit(await runPlan(recipe, cmd.optsWithGlobals<ClusterOptions & OutputOptions & { agentWave?: string }>()));
    });

  clusterOptions(
    program
      .command('run')
      .argument('<recipe>', 'recipe name')
      .description('run a recipe node by node, asking before each node'),
  )
    .option(
      '--settle <seconds>',
      "seconds to watch each node after it starts (default: the recipe's, 150 for servers, 30 for agents)",
    )
    .option(
      '--gate-timeout <seconds>',
      "how long a node may take to pass its gate before the run stops (default: each step's, 3-10 minutes)",
    )
    .option(
      '--agent-wave <N|P%>',
      'agents in waves of at most N (or P% of the agents, rounded up): one confirmation and one gate per wave; servers stay one at a time (default 1)',
    )
    .action(async (recipe: string, _opts: unknown, cmd: Command) => {
      refuseReadOnly(cmd);
      const { runRecipe } = await import('./commands/run.js');
      exit(
        await runRecipe(
          recipe,
          cmd.optsWithGlobals<ClusterOptions & { settle?: string; gateTimeout?: string; agentWave?: string }>(),
        ),
      );
    });

  clusterOptions(program.command('resume').description('continue the run that was interrupted'))
    .option(
      '--agent-wave <N|P%>',
      "group the run's remaining agents in waves of at most N (or P%); 1: one at a time (default: as the run was planned)",
    )
    .action(async (_opts: unknown, cmd: Command) => {
      refuseReadOnly(cmd);
      const { runResume } = await import('./commands/resume.js');
      exit(await runResume(cmd.optsWithGlobals<ClusterOptions & { agentWave?: string }>()));
    });

  outputOptions(program.command('report'))
    .argument('<run-id>', 'id of a run (see the state directory)')
    .option('--state-dir <dir>', 'where run journals are kept')
    .description("print a run's audit record as Markdown (or the folded run state with -o)")
    .action(async (runId: string, opts: OutputOptions & { stateDir?: string }) => {
      const { runReport } = await import('./commands/report.js');
      exit(await runReport(runId, opts));
    });

  program
    .command('abandon')
    .argument('<run-id>', 'id of a run that did not finish')
    .option('--reason <text>', 'why, for the audit record')
    .option('--state-dir <dir>', 'where run journals are kept')
    .description('close a run that will not be continued (recorded with who and why; never offered again)')
    .action(async (runId: string, opts: { stateDir?: string; reason?: string }, cmd: Command) => {
      refuseReadOnly(cmd);
      const { runAbandon } = await import('./commands/abandon.js');
      exit(await runAbandon(runId, opts));
    });

  const lab = program.command('lab').description('the built-in simulated cluster');
  lab
    .command('up')
    .description('start a lab cluster in the foreground; prints "lab ready" when every node is up')
    .addOption(new Option('--topology <t>', 'split | ha | single | large:N').default('split'))
    .addOption(new Option('--distro <d>', 'rke2 | k3s').choices(['rke2', 'k3s']).default('rke2'))
    .option('--version <v>', 'kubelet version, e.g. v1.32.5+rke2r1 (default: a current release of the distro)')
    .requiredOption('--dir <dir>', "directory for the lab's files (kubeconfig, inventory.yaml, nodes/)")
    .addOption(
      new Option('--etcd <mode>', 'real etcd members when /usr/bin/etcd exists (auto), or force one')
        .choices(['auto', 'real', 'emulated'])
        .default('auto'),
    )
    .option('--speed <factor>', 'time scale: simulated waits are divided by this', '1')
    .option('--net <a.b.c>', 'first three octets of node addresses', '127.0.10')
    .option('--api-port <port>', 'Kubernetes API port (0 = any free port)', '0')
    .option('--secrets <n>', 'secrets in the cluster', '40')
    .addOption(
      new Option('--encryption-provider <p>', 'secrets-encryption provider')
        .choices(['aescbc', 'secretbox'])
        .default('aescbc'),
    )
    .option('--joined-all-servers', 'every server joined a peer with server: set (no init node left)')
    .option('--data-dir-in-unit', "give each node's data dir only on its unit's ExecStart, not in config.yaml")
    .action(async (opts: Record<string, string>) => {
      const { runLabUp } = await import('./commands/lab-up.js');
      exit(await runLabUp(opts));
    });
  lab
    .command('fault')
    .argument(
      '<name>',
      'stop-service | parallel-restart | expire-certs | ca-drift | hash-mismatch | latency | slow-reload',
    )
    .argument('[args...]', 'fault arguments (latency takes milliseconds)')
    .option('--node <name>', 'node to inject the fault into')
    .requiredOption('--dir <dir>', 'directory of a running lab')
    .description('inject a fault into a running lab')
    .action(async (name: string, args: string[], opts: { node?: string; dir: string }) => {
      const { runLabFault } = await import('./commands/lab-fault.js');
      exit(await runLabFault(name, args, opts));
    });

  program
    .command('demo')
    .description(
      "start a lab (split topology) and open the wizard on it: a rehearsal, keyturn's own waits scaled with the lab",
    )
    .addOption(new Option('--distro <d>', 'rke2 | k3s').choices(['rke2', 'k3s']).default('rke2'))
    .addOption(new Option('--topology <t>', 'split | ha | single | large:N').default('split'))
    .option('--speed <factor>', "time scale of the lab and of keyturn's settle, gate and wait times", '4')
    .option('--net <a.b.c>', 'first three octets of the lab node addresses', '127.0.10')
    .action(async (opts: { distro: string; speed: string; net: string; topology: string }) => {
      const { runDemo } = await import('./commands/demo.js');
      exit(await runDemo(opts));
    });

  program
    .command('completion')
    .argument('<shell>', 'bash | zsh | fish')
    .option('--kubeconfig <file>', 'kubeconfig whose contexts to offer (default: KUBECONFIG, then ~/.kube/config)')
    .description(
      'print a shell completion script (recipe names, remembered node names and kubeconfig contexts included)',
    )
    .action(async (shell: string, opts: { kubeconfig?: string }) => {
      const { runCompletion } = await import('./commands/completion.js');
      exit(runCompletion(shell, program, opts));
    });

  return program;
}

/**
 * Ink draws only a final frame when CI or CONTINUOUS_INTEGRATION is set (it reads them once, when first imported).
 * With a terminal on both ends a person is watching, whatever the environment says; piped runs never reach Ink.
 */
function renderInteractivelyOnATerminal(): void {
  if (!process.stdin.isTTY || !process.stdout.isTTY) return;
  delete process.env.CI;
  delete process.env.CONTINUOUS_INTEGRATION;
}

/**
 * A reader that stops early (`keyturn --help | head -1`) closes the pipe under us: its choice, not an error. Stop
 * quietly, as a tool killed by SIGPIPE would, instead of an unhandled 'error' event's stack trace.
 */
function stopQuietlyWhenTheReaderLeaves(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

async function main(argv: string[]): Promise<void> {
  stopQuietlyWhenTheReaderLeaves();
  renderInteractivelyOnATerminal();
  honourNoColor(process.env);
  let code = 0;
  const program = buildProgram((c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit 0; usage mistakes exit 2 (commander already printed the one-line reason).
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`keyturn: ${redact(err.message)}\n`);
      process.exitCode = 2;
      return;
    }
    // Anything else is keyturn's fault or the machine's, not the operator's: still one line, never a stack on an
    // on-call engineer's screen (KEYTURN_DEBUG=1 shows it).
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(
      `keyturn: ${redact(message.split('\n')[0])}${process.env.KEYTURN_DEBUG ? '' : ' (KEYTURN_DEBUG=1 shows where)'}\n`,
    );
    if (process.env.KEYTURN_DEBUG && err instanceof Error) process.stderr.write(`${err.stack ?? ''}\n`);
    process.exitCode = 1;
  }
  process.exitCode = code;
}

await main(process.argv);

// `keyturn lab up`: start a lab in the foreground, print one "lab ready" line, stop everything on SIGINT/SIGTERM/SIGHUP.
import { UsageError } from '../errors.js';
import { LabController } from '../../lab/controller.js';
import { discardLabDir } from '../../lab/lab-files.js';
import type { LabOptions } from '../../lab/contract.js';
import { parseLabOptions, type RawLabUpOptions } from '../../lab/options.js';

/**
 * A start that failed because the lab's addresses are taken is the operator's input (another lab on the same --net
 * or --api-port): one line naming the flag and the fix, not a stack.
 */
function explainStartFailure(error: unknown, options: LabOptions): unknown {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const port = (error as { port?: number } | null)?.port;
  if (code === 'EADDRINUSE' && port !== undefined && port === options.apiPort) {
    return new UsageError(`--api-port ${port}: the port is already in use — pass another port, or 0 for a free one`);
  }
  if (code === 'EADDRINUSE' || /EADDRINUSE|already in use/.test(message)) {
    return new UsageError(
      `--net ${options.net}: the lab's node addresses are in use (another lab?) — stop it, or pass another --net such as 127.0.11`,
    );
  }
  return error;
}

export async function runLabUp(raw: RawLabUpOptions): Promise<number> {
  const options = parseLabOptions(raw);
  const lab = new LabController(options, (line) => process.stderr.write(`lab: ${line}\n`));
  const stopped = new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
    // A closed terminal (tmux kill, ssh drop) sends SIGHUP, whose default would leave real etcd members orphaned.
    process.once('SIGHUP', () => resolve('SIGHUP'));
  });
  const started = Date.now();
  const outcome = await Promise.race([
    lab.start().then(
      (summary) => ({ kind: 'ready' as const, summary }),
      (error: unknown) => ({ kind: 'failed' as const, error }),
    ),
    stopped.then((signal) => ({ kind: 'signal' as const, signal })),
  ]);
  switch (outcome.kind) {
    case 'failed':
      await lab.stop().catch(() => undefined);
      await discardLabDir(lab.paths).catch(() => undefined);
      throw explainStartFailure(outcome.error, options);
    case 'signal':
      await lab.stop();
      return 0;
    case 'ready': {
      const { summary } = outcome;
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      process.stdout.write(
        `lab ready: ${summary.nodes} nodes (${options.distro} ${options.version}, etcd ${summary.etcdMode}) ` +
          `kubeconfig=${summary.kubeconfig} inventory=${summary.inventory} api=${summary.apiUrl} in ${seconds}s\n`,
      );
      const signal = await stopped;
      process.stderr.write(`lab: ${signal}, stopping\n`);
      await lab.stop();
      // Anything still holding the event loop after a clean stop is a bug; do not let it keep the process alive.
      setTimeout(() => process.exit(0), 3_000).unref();
      return 0;
    }
  }
}

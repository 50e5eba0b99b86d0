// `keyturn lab up`: start a lab in the foreground, print one "lab ready" line, stop everything on SIGINT/SIGTERM/SIGHUP.
import { LabController } from '../lab/controller.js';
import { parseLabOptions, type RawLabUpOptions } from '../lab/options.js';

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
    lab.start().then((summary) => ({ kind: 'ready' as const, summary }), (error: unknown) => ({ kind: 'failed' as const, error })),
    stopped.then((signal) => ({ kind: 'signal' as const, signal })),
  ]);
  switch (outcome.kind) {
    case 'failed':
      await lab.stop().catch(() => undefined);
      throw outcome.error;
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

// A keyturn run in a process of its own, for the SIGKILL tests. Argument: one JSON object
//   { kubeconfig, inventory, stateDir, runId, mode: 'start' | 'resume', holdAt: step key, gateTimeout? }
// It starts (or resumes) the every-kind recipe against the lab, answering yes everywhere, and holds the step
// `holdAt` right after that step's first node command (a pause step: at the question), printing
// "HELD <key>" on stdout: the moment the test kills it. Without holdAt it runs to the end and prints "END <status>".
// Each node question is printed as "ASKED <node> <resumed>".
import { everyKindRecipe } from './support-recipe.js';
import type { RunHooks } from './support-lab-run.js';
import { planLabRun, resumeLabRun, startLabRun } from './support-lab-run.js';

interface Args {
  kubeconfig: string;
  inventory: string;
  stateDir: string;
  runId: string;
  mode: 'start' | 'resume';
  holdAt?: string;
  gateTimeout?: number;
}

const args = JSON.parse(process.argv[2] ?? '{}') as Args;
const access = { kubeconfig: args.kubeconfig, inventory: args.inventory };

const hold = (key: string): Promise<never> => {
  process.stdout.write(`HELD ${key}\n`);
  setInterval(() => undefined, 1 << 30); // keep the process alive, in the middle of the step, until it is killed
  return new Promise<never>(() => undefined);
};

const hooks: RunHooks = {
  onConfirm: (req) => void process.stdout.write(`ASKED ${req.node} ${req.resumed}\n`),
  afterExec: async ({ step }) => {
    if (args.holdAt && step?.key === args.holdAt) await hold(step.key);
  },
  pause: async (req) => (args.holdAt && req.key === args.holdAt ? hold(req.key) : 'continue'),
};

async function main(): Promise<void> {
  const driven =
    args.mode === 'start'
      ? await startLabRun(
          access,
          await planLabRun(access, everyKindRecipe, args.runId, { gateTimeoutSeconds: args.gateTimeout }),
          args.stateDir,
          hooks,
        )
      : await resumeLabRun(access, args.stateDir, args.runId, hooks);
  process.stdout.write(`END ${driven.state.outcome.status}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

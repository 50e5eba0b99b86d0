// The run use case, shared by `keyturn run`, `keyturn resume` and the wizard: prepare (prepare.ts), conduct through
// the UI port (conduct.ts, ui-port.ts), and the outcome the command prints (outcome.ts).
export { holderOf, realClock, type CommandText, type RunDeps, type RunSession, type RunTiming } from './deps.js';
export { nodeFactsFrom } from './node-facts.js';
export { outcomeOf, refused, type RunOutcome } from './outcome.js';
export {
  lockRefusal,
  missingNodes,
  offerSettle,
  otherClusterRefusal,
  prepareNewRun,
  prepareResume,
  SETTLE_CHOICES,
  type Prepared,
  type ResumeWording,
  type RunInput,
} from './prepare.js';
export { conductRun } from './conduct.js';
export type { RunHeader, RunStage, RunUi, SettleChoice, StartOffer } from './ui-port.js';

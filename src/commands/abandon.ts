// `keyturn abandon <run-id>`: close a run that will not be continued, in its journal, with who and why. It is never
// offered or resumed again; `keyturn report` keeps its record. A run that is live in another terminal is refused.
import { foldEvents, type RunEvent } from '../engine/index.js';
import { inputError } from '../errors.js';
import {
  isRunId,
  journalExists,
  openFileJournal,
  readJournal,
  resolveStateDir,
  runningHere,
} from '../journal/index.js';
import { currentOperator } from './operator.js';
import { keyturnCommand } from './keyturn-command.js';

export interface AbandonOptions {
  stateDir?: string;
  reason?: string;
}

export const DEFAULT_ABANDON_REASON = 'closed by the operator: it will not be continued';

/** Appends run-abandoned; returns the line to tell the operator. Throws a UsageError for a run that cannot be closed. */
export async function abandonRun(runId: string, opts: AbandonOptions = {}): Promise<string> {
  const stateDir = resolveStateDir(opts.stateDir);
  const input = `abandon ${runId}`;
  if (!isRunId(runId) || !(await journalExists(stateDir, runId)))
    throw inputError(input, `no such run in ${stateDir}`, 'pass a run id that `keyturn resume` or the dashboard names');
  const state = foldEvents((await readJournal(stateDir, runId)).events);
  if (!state) throw inputError(input, 'the journal does not start with a run', 'check the file under runs/');
  switch (state.outcome.status) {
    case 'succeeded':
      throw inputError(input, 'the run succeeded', 'nothing to close');
    case 'abandoned':
      throw inputError(input, `already abandoned by ${state.outcome.by} at ${state.outcome.at}`, 'nothing to do');
    case 'active':
    case 'stopped':
    case 'failed':
      break;
  }
  const live = await runningHere(stateDir, runId);
  if (live)
    throw inputError(
      input,
      `${live.holder} is running it now (pid ${live.pid}, since ${live.since})`,
      'quit it in that terminal first',
    );
  const reason = opts.reason?.trim() || DEFAULT_ABANDON_REASON;
  const operator = currentOperator();
  const event: RunEvent = { type: 'run-abandoned', at: new Date().toISOString(), operator, reason };
  const journal = await openFileJournal(stateDir, runId);
  try {
    await journal.append(event);
  } finally {
    await journal.close();
  }
  return `run ${runId} abandoned by ${operator.user}@${operator.host} (${reason}): it will not be offered or resumed again; \`${keyturnCommand(['report', runId], { stateDir: opts.stateDir })}\` keeps its record`;
}

export async function runAbandon(runId: string, opts: AbandonOptions): Promise<number> {
  process.stdout.write(`${await abandonRun(runId, opts)}\n`);
  return 0;
}

// `keyturn report <run-id>`: the run's audit record as Markdown (read from its journal; changes nothing).
import { foldEvents, renderReport } from '../engine/index.js';
import { inputError } from '../errors.js';
import { formatDocument, outputFormat, type OutputOptions } from './output-format.js';
import { isRunId, journalExists, listRuns, readJournal, resolveStateDir } from '../journal/index.js';

export async function runReport(runId: string, opts: OutputOptions & { stateDir?: string }): Promise<number> {
  const format = outputFormat(opts);
  const stateDir = resolveStateDir(opts.stateDir);
  if (!isRunId(runId) || !(await journalExists(stateDir, runId))) {
    const known = (await listRuns(stateDir)).slice(0, 5).map((r) => r.runId);
    throw inputError(
      `report ${runId}`,
      `no such run in ${stateDir}`,
      known.length > 0 ? `recent runs: ${known.join(', ')}` : 'pass --state-dir where the run was journalled',
    );
  }
  const { events, skipped } = await readJournal(stateDir, runId);
  const state = foldEvents(events);
  if (!state)
    throw inputError(`report ${runId}`, 'the journal does not start with a run', 'check the file under runs/');
  if (format) {
    process.stdout.write(formatDocument({ ...state, tornLines: skipped.length }, format));
    return 0;
  }
  process.stdout.write(renderReport(state));
  if (skipped.length > 0)
    process.stdout.write(`\n_Journal note: ${skipped.length} torn line(s) ignored (keyturn was killed mid-write)._\n`);
  return 0;
}

export { openFileJournal, journalExists } from './file-journal.js';
export type { FileJournal } from './file-journal.js';
export { parseJournal, readJournal, listRuns, findResumableRun } from './read.js';
export type { JournalRead, RunSummary } from './read.js';
export { resolveStateDir, journalPath, runsDir, isRunId } from './state-dir.js';
export { acquireLocalLock, readLocalLock, runningHere } from './lock-file.js';

// Reads a run journal back, tolerating a torn line (keyturn killed mid-write), and lists runs for resume/report.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { foldEvents, type RunEvent, type RunState } from '../engine/index.js';
import { journalPath, runsDir } from './state-dir.js';
import { parseUntrustedJson } from '../util/untrusted-text.js';

export interface JournalRead {
  events: RunEvent[];
  /** Lines that were not whole JSON events (a torn last line; or an earlier one cut by a crash). */
  skipped: { line: number; text: string }[];
}

export function parseJournal(text: string): JournalRead {
  const events: RunEvent[] = [];
  const skipped: JournalRead['skipped'] = [];
  text.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return;
    try {
      const value = parseUntrustedJson(raw);
      if (typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string')
        events.push(value as RunEvent);
      else skipped.push({ line: i + 1, text: raw.slice(0, 200) });
    } catch {
      skipped.push({ line: i + 1, text: raw.slice(0, 200) });
    }
  });
  return { events, skipped };
}

export async function readJournal(stateDir: string, runId: string): Promise<JournalRead> {
  return parseJournal(await readFile(journalPath(stateDir, runId), 'utf8'));
}

export interface RunSummary {
  runId: string;
  recipe: string;
  createdAt: string;
  status: RunState['outcome']['status'];
  state: RunState;
}

/** Every readable run, newest first. */
export async function listRuns(stateDir: string): Promise<RunSummary[]> {
  let names: string[];
  try {
    names = await readdir(runsDir(stateDir));
  } catch {
    return [];
  }
  const runs: RunSummary[] = [];
  for (const name of names.filter((n) => n.endsWith('.jsonl'))) {
    const runId = path.basename(name, '.jsonl');
    const state = foldEvents((await readJournal(stateDir, runId)).events);
    if (state)
      runs.push({ runId, recipe: state.plan.recipe, createdAt: state.createdAt, status: state.outcome.status, state });
  }
  return runs.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/**
 * The newest run that did not succeed (interrupted, quit, or stopped by a failed gate) and is worth continuing:
 * what `resume` continues and the dashboard offers.
 * `belongs` keeps the runs of one cluster (the state dir is shared by every cluster the operator works on).
 */
export async function findResumableRun(
  stateDir: string,
  belongs: (state: RunState) => boolean = () => true,
): Promise<RunSummary | null> {
  const laterSuccess = new Set<string>();
  for (const run of (await listRuns(stateDir)).filter((r) => belongs(r.state))) {
    if (run.status === 'succeeded') laterSuccess.add(run.recipe);
    else if (isWorthResuming(run.state) && !laterSuccess.has(run.recipe)) return run;
  }
  return null;
}

/**
 * Not abandoned, and something was started: a run quit (or ctrl-c'd) before its first step changed nothing, and a
 * new run is the same thing without a nag. A newer successful run of the same recipe supersedes it (above).
 */
function isWorthResuming(state: RunState): boolean {
  if (state.outcome.status === 'succeeded' || state.outcome.status === 'abandoned') return false;
  return Object.values(state.steps).some((s) => s.status !== 'pending');
}

// Where keyturn keeps run journals and locks: --state-dir, else KEYTURN_STATE_DIR, else ~/.local/state/keyturn
// (XDG_STATE_HOME/keyturn when set). Never the settings store: run state lives only here.
import os from 'node:os';
import path from 'node:path';

export function resolveStateDir(explicit?: string, env: NodeJS.ProcessEnv = process.env, home = os.homedir()): string {
  if (explicit) return path.resolve(explicit);
  if (env.KEYTURN_STATE_DIR) return path.resolve(env.KEYTURN_STATE_DIR);
  if (env.XDG_STATE_HOME) return path.join(env.XDG_STATE_HOME, 'keyturn');
  return path.join(home, '.local', 'state', 'keyturn');
}

export function runsDir(stateDir: string): string {
  return path.join(stateDir, 'runs');
}

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function journalPath(stateDir: string, runId: string): string {
  if (!RUN_ID.test(runId)) throw new Error(`bug: run id ${JSON.stringify(runId)} is not a file name`);
  return path.join(runsDir(stateDir), `${runId}.jsonl`);
}

export function isRunId(value: string): boolean {
  return RUN_ID.test(value);
}

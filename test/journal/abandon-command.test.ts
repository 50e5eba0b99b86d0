// `keyturn abandon <run-id>` through the built launcher: the run is closed in its journal with who and why, the
// report says so, it is not resumable any more; a second abandon, an unknown id and a run live in another
// terminal are one-line refusals (exit 2) that write nothing.
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { findResumableRun, journalPath } from '../../src/journal/index.js';
import { setup, start } from '../engine/support/run.js';
import { ScriptedConfirm } from '../engine/support/ports.js';
import { repoRoot } from '../support/paths.js';

const exec = promisify(execFile);
const launcher = path.join(repoRoot, 'bin/keyturn.js');

async function keyturn(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [launcher, ...args], { cwd: repoRoot });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

/** A real engine run quit at the agents, journalled in `dir` as `runId`. */
async function quitRun(dir: string, runId: string): Promise<void> {
  const s = await setup('rotate-certs', 'ha', {
    confirm: new ScriptedConfirm((req) => (req.block.phase === 'agents' ? { answer: 'quit' } : { answer: 'run' })),
  });
  await start(s);
  const events = s.journal.events.map((e) =>
    e.type === 'run-created' ? { ...e, runId, plan: { ...e.plan, runId } } : e,
  );
  await mkdir(path.join(dir, 'runs'), { recursive: true });
  await writeFile(journalPath(dir, runId), events.map((e) => JSON.stringify(e)).join('\n') + '\n');
}

describe('keyturn abandon', () => {
  it('closes the run with who and why; the report says so; it is no longer resumable; twice is refused', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kt-abandon-'));
    const runId = '20261204-120000-rotate-certs-abcd';
    await quitRun(dir, runId);
    expect((await findResumableRun(dir))?.runId).toBe(runId);

    const r = await keyturn(['abandon', runId, '--state-dir', dir, '--reason', 'superseded by a manual fix']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(
        `^run ${runId} abandoned by \\S+@\\S+ \\(superseded by a manual fix\\): it will not be offered or resumed again`,
      ),
    );
    expect(await findResumableRun(dir)).toBeNull();
    const report = await keyturn(['report', runId, '--state-dir', dir]);
    expect(report.stdout).toMatch(/- \*\*Outcome:\*\* abandoned by \S+@\S+: superseded by a manual fix/);

    const journal = await readFile(journalPath(dir, runId), 'utf8');
    const again = await keyturn(['abandon', runId, '--state-dir', dir]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(new RegExp(`^keyturn: abandon ${runId}: already abandoned by \\S+ at [^\\n]+\\n$`));
    expect(await readFile(journalPath(dir, runId), 'utf8')).toBe(journal);

    const unknown = await keyturn(['abandon', '20990101-nope', '--state-dir', dir]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^keyturn: abandon 20990101-nope: no such run in /);
  });

  it('refuses a run that another live keyturn is driving from this workstation', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kt-abandon-live-'));
    const runId = '20261204-130000-rotate-certs-beef';
    await quitRun(dir, runId);
    const other = spawn('sleep', ['30']);
    try {
      await writeFile(
        path.join(dir, 'keyturn.lock'),
        JSON.stringify({ pid: other.pid, runId, holder: 'ops@bastion', since: '2026-12-04T13:00:00Z' }),
      );
      const r = await keyturn(['abandon', runId, '--state-dir', dir]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(
        new RegExp(
          `^keyturn: abandon ${runId}: ops@bastion is running it now \\(pid ${other.pid}, since [^)]+\\) — quit it in that terminal first\\n$`,
        ),
      );
      expect((await findResumableRun(dir))?.runId).toBe(runId);
    } finally {
      other.kill();
    }
  });
});

import { appendFile, mkdir, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/engine/events.js';
import {
  acquireLocalLock,
  findResumableRun,
  journalPath,
  listRuns,
  openFileJournal,
  parseJournal,
  readJournal,
  resolveStateDir,
} from '../../src/journal/index.js';
import { setup, start } from '../engine/support/run.js';
import { ScriptedConfirm } from '../engine/support/ports.js';

const tmp = () => mkdtemp(path.join(os.tmpdir(), 'keyturn-journal-'));

describe('state dir', () => {
  it('--state-dir, then KEYTURN_STATE_DIR, then XDG_STATE_HOME, then ~/.local/state/keyturn', () => {
    expect(resolveStateDir('/x', { KEYTURN_STATE_DIR: '/y' }, '/home/a')).toBe('/x');
    expect(resolveStateDir(undefined, { KEYTURN_STATE_DIR: '/y' }, '/home/a')).toBe('/y');
    expect(resolveStateDir(undefined, { XDG_STATE_HOME: '/s' }, '/home/a')).toBe('/s/keyturn');
    expect(resolveStateDir(undefined, {}, '/home/a')).toBe('/home/a/.local/state/keyturn');
  });
});

describe('file journal', () => {
  it('appends one JSON line per event, file mode 0600, dir 0700', async () => {
    const dir = await tmp();
    const j = await openFileJournal(dir, 'r1');
    await j.append({ type: 'run-quit', at: 't1', block: null });
    await j.append({ type: 'run-succeeded', at: 't2' });
    await j.close();
    const text = await readFile(journalPath(dir, 'r1'), 'utf8');
    expect(text.split('\n')).toEqual([
      '{"type":"run-quit","at":"t1","block":null}',
      '{"type":"run-succeeded","at":"t2"}',
      '',
    ]);
    expect((await stat(journalPath(dir, 'r1'))).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(dir, 'runs'))).mode & 0o777).toBe(0o700);
  });

  it('tolerates a torn last line, and the next append starts on a new line', async () => {
    const dir = await tmp();
    const j = await openFileJournal(dir, 'r2');
    await j.append({ type: 'run-quit', at: 't1', block: null });
    await j.close();
    await appendFile(journalPath(dir, 'r2'), '{"type":"step-sta'); // killed mid-write
    const torn = await readJournal(dir, 'r2');
    expect(torn.events).toHaveLength(1);
    expect(torn.skipped).toEqual([{ line: 2, text: '{"type":"step-sta' }]);
    const again = await openFileJournal(dir, 'r2');
    await again.append({ type: 'run-succeeded', at: 't2' });
    await again.close();
    const read = await readJournal(dir, 'r2');
    expect(read.events.map((e) => e.type)).toEqual(['run-quit', 'run-succeeded']);
    expect(read.skipped).toHaveLength(1);
  });

  it('parses a journal cut at any byte into a prefix of its events', async () => {
    const s = await setup('rotate-certs', 'single');
    await start(s);
    const text = s.journal.events.map((e) => JSON.stringify(e)).join('\n') + '\n';
    for (let cut = 0; cut < text.length; cut += 97) {
      const { events } = parseJournal(text.slice(0, cut));
      expect(events).toEqual(s.journal.events.slice(0, events.length));
    }
  });

  it('a real run journalled to disk folds back to the same state; lists runs and finds the resumable one', async () => {
    const dir = await tmp();
    const quitter = new ScriptedConfirm((req) =>
      req.block.phase === 'agents' ? { answer: 'quit' } : { answer: 'run' },
    );
    const s = await setup('rotate-certs', 'ha', { confirm: quitter });
    const file = await openFileJournal(dir, s.plan.runId);
    const mem = s.ports.journal;
    s.ports.journal = {
      append: async (e: RunEvent) => {
        await mem.append(e);
        await file.append(e);
      },
    };
    const state = await start(s);
    await file.close();
    expect(state.outcome.status).toBe('stopped');
    expect((await readJournal(dir, s.plan.runId)).events).toEqual(s.journal.events);
    const runs = await listRuns(dir);
    expect(runs.map((r) => [r.runId, r.status])).toEqual([['run-1', 'stopped']]);
    expect((await findResumableRun(dir))?.runId).toBe('run-1');
    await writeFile(path.join(dir, 'runs', 'junk.jsonl'), 'not json\n');
    expect(await listRuns(dir)).toHaveLength(1);
  });
});

describe('local lock', () => {
  it('one holder at a time; a dead holder is stale', async () => {
    const dir = await tmp();
    const a = await acquireLocalLock(dir, { runId: 'r1', holder: 'a@h', since: 't' });
    expect(a.ok).toBe(true);
    const b = await acquireLocalLock(dir, { runId: 'r2', holder: 'b@h', since: 't' });
    expect(b).toMatchObject({ ok: false, heldBy: { runId: 'r1', holder: 'a@h', pid: process.pid } });
    if (a.ok) await a.release();
    const c = await acquireLocalLock(dir, { runId: 'r3', holder: 'c@h', since: 't' });
    expect(c.ok).toBe(true);
    if (c.ok) await c.release();
    await writeFile(
      path.join(dir, 'keyturn.lock'),
      JSON.stringify({ pid: 2 ** 22 + 12345, runId: 'old', holder: 'x', since: 't' }),
    );
    expect((await acquireLocalLock(dir, { runId: 'r4', holder: 'd@h', since: 't' })).ok).toBe(true);
  });
});

describe('which run is worth continuing', () => {
  /** A real engine run of rotate-certs on `ha`, journalled as `runId` created at `at`, quit as `outcome` says. */
  async function journalled(
    dir: string,
    runId: string,
    at: string,
    outcome: 'quit-first' | 'quit-agents' | 'succeed',
  ): Promise<void> {
    const quitter = new ScriptedConfirm((req) =>
      outcome === 'quit-first' || (outcome === 'quit-agents' && req.block.phase === 'agents')
        ? { answer: 'quit' }
        : { answer: 'run' },
    );
    const s = await setup('rotate-certs', 'ha', { confirm: quitter });
    await start(s);
    const events = s.journal.events.map((e) =>
      e.type === 'run-created' ? { ...e, runId, at, plan: { ...e.plan, runId } } : e,
    );
    await mkdir(path.join(dir, 'runs'), { recursive: true });
    await writeFile(journalPath(dir, runId), events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  }

  it('not a run quit before its first step (nothing changed), not one a newer success superseded, not an abandoned one', async () => {
    const dir = await tmp();
    await journalled(dir, 'r-old-quit', '2026-01-01T00:00:00Z', 'quit-agents');
    expect((await findResumableRun(dir))?.runId).toBe('r-old-quit');
    await journalled(dir, 'r-nothing', '2026-01-02T00:00:00Z', 'quit-first');
    expect((await listRuns(dir)).map((r) => r.runId)).toContain('r-nothing');
    expect((await findResumableRun(dir))?.runId).toBe('r-old-quit');
    await journalled(dir, 'r-ok', '2026-01-03T00:00:00Z', 'succeed');
    expect(await findResumableRun(dir)).toBeNull();
    await journalled(dir, 'r-new-quit', '2026-01-04T00:00:00Z', 'quit-agents');
    expect((await findResumableRun(dir))?.runId).toBe('r-new-quit');
    const journal = await openFileJournal(dir, 'r-new-quit');
    await journal.append({
      type: 'run-abandoned',
      at: '2026-01-05T00:00:00Z',
      operator: { user: 'oncall', host: 'bastion' },
      reason: 'replaced by a fresh run',
    });
    await journal.close();
    expect((await listRuns(dir)).find((r) => r.runId === 'r-new-quit')?.status).toBe('abandoned');
    expect(await findResumableRun(dir)).toBeNull();
  });
});

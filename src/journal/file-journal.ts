// Append-only JSONL journal, one file per run: each event is one line, written and fsynced before the engine
// acts on the next one. Files are 0600 in a 0700 directory (they name nodes, commands and operators).
import { constants } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { redactEvent, type JournalPort, type RunEvent } from '../engine/index.js';
import { ensureOwnDir, refuseLinkedFile } from '../util/private-dir.js';
import { journalPath, runsDir } from './state-dir.js';

export interface FileJournal extends JournalPort {
  readonly path: string;
  close(): Promise<void>;
}

async function endsWithNewline(handle: FileHandle): Promise<boolean> {
  const { size } = await handle.stat();
  if (size === 0) return true;
  const buf = Buffer.alloc(1);
  await handle.read(buf, 0, 1, size - 1);
  return buf[0] === 0x0a;
}

/** Opens (creating when missing) the run's journal for appending. */
export async function openFileJournal(stateDir: string, runId: string): Promise<FileJournal> {
  const file = journalPath(stateDir, runId);
  ensureStateDirs(path.dirname(path.dirname(file)));
  refuseLinkedFile(file, 'run journal');
  // O_NOFOLLOW: a link planted at the journal's name is refused (ELOOP), never written through.
  const handle = await open(
    file,
    constants.O_RDWR | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW,
    0o600,
  );
  await handle.chmod(0o600); // an existing file keeps its mode on open: make sure
  // Killed mid-write: end the torn line so the next event starts on its own line (the reader skips it).
  let needNewline = !(await endsWithNewline(handle));
  let queue: Promise<void> = Promise.resolve();
  const append = (event: RunEvent): Promise<void> => {
    const write = async () => {
      // Every writer's events (the driver's, abandon's) are redacted here: a journal is read by others later.
      const line = `${needNewline ? '\n' : ''}${JSON.stringify(redactEvent(event))}\n`;
      needNewline = false;
      await handle.write(line);
      await handle.sync();
    };
    queue = queue.then(write, write);
    return queue;
  };
  return {
    path: file,
    append,
    async close() {
      await queue.catch(() => undefined);
      await handle.close();
    },
  };
}

export async function journalExists(stateDir: string, runId: string): Promise<boolean> {
  try {
    await stat(journalPath(stateDir, runId));
    return true;
  } catch {
    return false;
  }
}

/** The state dir and its runs/ folder: made private, refused when a link, someone else's, or writable by others. */
export function ensureStateDirs(stateDir: string): void {
  ensureOwnDir(stateDir, 'state dir', 'owner-writes');
  ensureOwnDir(runsDir(stateDir), 'runs dir', 'owner-writes');
}

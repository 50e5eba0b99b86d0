// A local lock file in the state directory: one keyturn process drives runs from this workstation at a time.
// Created exclusively (O_EXCL); a lock whose process is gone is stale and may be taken.
import { open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { ensureOwnDir } from '../util/private-dir.js';
import { parseUntrustedJson } from '../util/untrusted-text.js';

export interface LocalLockInfo {
  pid: number;
  runId: string;
  holder: string;
  since: string;
}

export type LocalLockResult = { ok: true; release: () => Promise<void> } | { ok: false; heldBy: LocalLockInfo | null };

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Another live keyturn process driving `runId` from this workstation now, if any (its lock says so). */
export async function runningHere(stateDir: string, runId: string): Promise<LocalLockInfo | null> {
  const lock = await readLocalLock(stateDir);
  return lock && lock.runId === runId && lock.pid !== process.pid && alive(lock.pid) ? lock : null;
}

export async function readLocalLock(stateDir: string): Promise<LocalLockInfo | null> {
  try {
    return parseUntrustedJson(await readFile(path.join(stateDir, 'keyturn.lock'), 'utf8')) as LocalLockInfo;
  } catch {
    return null;
  }
}

export async function acquireLocalLock(
  stateDir: string,
  info: Omit<LocalLockInfo, 'pid'>,
  pid = process.pid,
): Promise<LocalLockResult> {
  const file = path.join(stateDir, 'keyturn.lock');
  // O_EXCL (wx) never follows a link at the lock's name; the folder itself is checked here.
  ensureOwnDir(stateDir, 'state dir', 'owner-writes');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const h = await open(file, 'wx', 0o600);
      await h.writeFile(JSON.stringify({ ...info, pid }));
      await h.sync();
      await h.close();
      return { ok: true, release: () => rm(file, { force: true }) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const held = await readLocalLock(stateDir);
      if (held && alive(held.pid)) return { ok: false, heldBy: held };
      await rm(file, { force: true }); // stale: its process is gone
    }
  }
  return { ok: false, heldBy: await readLocalLock(stateDir) };
}

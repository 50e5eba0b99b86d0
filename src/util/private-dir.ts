// The one home for the folders keyturn keeps its own files in (settings, run journals, locks, ssh control sockets)
// and for refusing a file there that is a symbolic link. keyturn often runs as root: a folder another user could
// write to, or a link planted where keyturn writes, would let that user redirect root's writes (the link's target
// overwritten and chmod'ed) or receive root's ssh connections (a socket planted in the control folder). So a folder
// is made with mode 0700 in one mkdir (no window in which it is open), then checked with lstat, never followed:
// a directory, not a link, owned by us, and not writable by anyone else (`private`: not even readable by them).
import { lstatSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { inputError } from '../errors.js';
import { shq } from './shell-quote.js';

export type DirPolicy =
  /** Only its owner may enter it (the ssh control sockets). */
  | 'private'
  /** Nobody but its owner may write to it (settings, journals, locks); reading is left to the operator's umask. */
  | 'owner-writes';

/** Makes `dir` (0700, its missing parents too) unless it exists, then refuses it when it is not safely ours. */
export function ensureOwnDir(dir: string, what: string, policy: DirPolicy): string {
  const full = path.resolve(dir);
  mkdirSync(path.dirname(full), { recursive: true, mode: 0o700 });
  try {
    mkdirSync(full, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  checkOwnDir(full, what, policy);
  return full;
}

/** Throws a one-line UsageError when `dir` is a link, not a directory, someone else's, or open to others. */
export function checkOwnDir(dir: string, what: string, policy: DirPolicy): void {
  const st = lstatSync(dir);
  const input = `${what} ${dir}`;
  if (st.isSymbolicLink())
    throw inputError(
      input,
      'is a symbolic link, which keyturn does not follow',
      `remove it (rm ${shq(dir)}) and keyturn makes a private folder there`,
    );
  if (!st.isDirectory())
    throw inputError(input, 'is not a folder', `remove it or move it aside (keyturn makes a private folder there)`);
  const me = process.geteuid?.();
  if (me !== undefined && st.uid !== me) {
    throw inputError(
      input,
      `belongs to uid ${st.uid}, not to you (uid ${me})`,
      `remove it (another user may have planted it) and keyturn makes its own`,
    );
  }
  const open = policy === 'private' ? st.mode & 0o077 : st.mode & 0o022;
  if (open !== 0) {
    const who = policy === 'private' ? 'other users can enter it' : 'other users can write to it';
    throw inputError(
      input,
      `mode ${(st.mode & 0o7777).toString(8).padStart(4, '0')}: ${who}`,
      `chmod 700 ${shq(dir)} after checking nothing in it was planted, or remove it`,
    );
  }
}

/** Throws a one-line UsageError when `file` exists and is a symbolic link or not a regular file (never followed). */
export function refuseLinkedFile(file: string, what: string): void {
  let st;
  try {
    st = lstatSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const input = `${what} ${file}`;
  if (st.isSymbolicLink())
    throw inputError(
      input,
      'is a symbolic link, which keyturn does not write through',
      `remove the link (rm ${shq(file)}); keyturn writes a new file`,
    );
  if (!st.isFile()) throw inputError(input, 'is not a regular file', 'remove it or move it aside');
}

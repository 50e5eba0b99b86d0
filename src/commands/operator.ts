// Who is at the keyboard, as the journal and the locks name them.
import os from 'node:os';
import type { Operator } from '../engine/index.js';

export function currentOperator(): Operator {
  let user = process.env.USER ?? 'unknown';
  try {
    user = os.userInfo().username;
  } catch {
    // no passwd entry (containers): keep $USER
  }
  return { user, host: os.hostname() };
}

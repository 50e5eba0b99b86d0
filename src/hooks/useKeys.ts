// Every key of a chunk, one at a time. A terminal (or tmux, or a fast typist over a slow link) can deliver several
// keys in one read; Ink then hands the whole chunk to useInput as one "input" ("jj", "jjj\r"), and a handler that
// compares input to 'j' drops them all. Escape sequences (arrows, page keys) are already one chunk each in Ink 6.
import { useInput, type Key } from 'ink';

/** A keypress with no modifier or special key: what Ink reports for a plain character. */
export const NO_KEY: Key = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageDown: false,
  pageUp: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
  super: false,
  hyper: false,
  capsLock: false,
  numLock: false,
};

/** One character of a chunk as the keypress Ink would report had it come alone. */
function keyOf(ch: string): [string, Key] {
  const code = ch.charCodeAt(0);
  if (ch === '\r' || ch === '\n') return ['', { ...NO_KEY, return: true }];
  if (ch === '\t') return ['', { ...NO_KEY, tab: true }];
  if (ch === '\x7f' || ch === '\b') return ['', { ...NO_KEY, backspace: true }];
  // Ctrl-A … Ctrl-Z arrive as bytes 1-26; Ink reports them as the letter with ctrl set.
  if (code >= 1 && code <= 26) return [String.fromCharCode(code + 96), { ...NO_KEY, ctrl: true }];
  return [ch, { ...NO_KEY, shift: /[A-Z]/.test(ch) }];
}

/**
 * The keys in one useInput call: the call itself when it is one key (or an escape sequence Ink already parsed),
 * else each character of the chunk.
 */
export function keysOf(input: string, key: Key): Array<[string, Key]> {
  const chars = [...input];
  if (chars.length <= 1 || key.ctrl || key.meta || input.includes('\x1b')) return [[input, key]];
  return chars.map(keyOf);
}

/** useInput, called once per key even when the terminal delivered several keys in one chunk. */
export function useKeys(handler: (input: string, key: Key) => void, options?: { isActive?: boolean }): void {
  useInput((input, key) => {
    for (const [i, k] of keysOf(input, key)) handler(i, k);
  }, options);
}

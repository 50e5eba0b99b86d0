// Ink draws each frame by splitting every written line into one cell per character (with its ANSI styles) and
// joining each row of cells back into a string, through @alcalzone/ansi-tokenize. That general path allocates
// several objects per cell — a grapheme segment, a token, a styled copy, a styles array, and three Sets plus
// arrays to diff the styles of every pair of neighbouring cells — even for unstyled text and blank cells. A
// 160-column log pane redrawn 9 times a second during a log flood made ~80 MB/s of such garbage, and V8 answered
// by growing its young generation to 32 MiB: the tail's resident memory rose by that much.
//
// The bundle routes Ink's output.js to these three functions (bin/bundle-patches.mjs). They return what the
// library returns (test/util/ink-text-cells.test.ts compares them on styled, wide, emoji and linked text), but
// printable ASCII without escapes is cut into cells directly, other lines' cells are kept for the next frame, and
// neighbouring unstyled cells are joined without diffing their (empty) styles.
import {
  ansiCodesToString,
  diffAnsiCodes,
  styledCharsFromTokens as styledCharsFromAnyTokens,
  tokenize as tokenizeAny,
  type AnsiCode,
  type StyledChar,
  type Token,
} from '@alcalzone/ansi-tokenize';
import { BoundedCache } from './bounded-cache.js';

/** The styles of every unstyled cell made here; frozen so a caller that tried to change it would fail loudly. */
const NO_STYLES: AnsiCode[] = Object.freeze([]) as unknown as AnsiCode[];

/**
 * Lines with styles or non-ASCII characters (borders, titles, highlighted cells) mostly come back unchanged
 * frame after frame: their cells are kept, up to this many lines, instead of being cut again every frame. Kept
 * cells are compacted (see compact()); a 160-column line then costs ~10 KB, so this is ~1 MB at most.
 */
export const STYLED_LINES_KEPT = 100;
const styledLines = new BoundedCache<string, StyledChar[]>(STYLED_LINES_KEPT);

/** Cell arrays made by tokenize() below: styledCharsFromTokens hands these back as they are. */
const readyCells = new WeakSet<readonly Token[]>();

/** Printable ASCII (space to tilde): one code unit is one grapheme and one column, and no escape can start. */
function isPrintableAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

function sameStyles(a: readonly AnsiCode[], b: readonly AnsiCode[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i].code !== b[i].code || a[i].endCode !== b[i].endCode) return false;
  return true;
}

/**
 * The library gives every cell its own styles array and its own grapheme string (~330 bytes a cell). Cells kept
 * across frames share them instead: one frozen styles array per run of equally styled cells, one string per run
 * of equal characters (ASCII from V8's single-character strings) — ~65 bytes a cell.
 */
function compact(cells: readonly StyledChar[]): StyledChar[] {
  const out: StyledChar[] = new Array(cells.length);
  let previous: StyledChar | undefined;
  let styles: AnsiCode[] = NO_STYLES;
  let value = '';
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i];
    if (cell.styles.length === 0) styles = NO_STYLES;
    else if (previous === undefined || !sameStyles(previous.styles, cell.styles))
      styles = Object.freeze([...cell.styles]) as AnsiCode[];
    if (cell.value !== value)
      value =
        cell.value.length === 1 && cell.value.charCodeAt(0) < 0x80
          ? String.fromCharCode(cell.value.charCodeAt(0))
          : cell.value;
    out[i] = { type: 'char', value, fullWidth: cell.fullWidth, styles };
    previous = cell;
  }
  return out;
}

function ready(cells: StyledChar[]): StyledChar[] {
  readyCells.add(cells);
  return cells;
}

/**
 * Ink calls this only as `styledCharsFromTokens(tokenize(line))`, so it returns the line's styled cells directly
 * (which styledCharsFromTokens passes through); a call with `endChar` takes the library's path unchanged.
 * The cells are never changed by Ink's Output (it replaces cells in its rows, never edits one), so cells kept for a
 * repeated line can be shared between frames.
 */
export function tokenize(text: string, endChar?: number): Token[] {
  if (endChar !== undefined) return tokenizeAny(text, endChar);
  if (isPrintableAscii(text)) {
    const cells: StyledChar[] = new Array(text.length);
    for (let i = 0; i < text.length; i++)
      cells[i] = { type: 'char', value: text[i], fullWidth: false, styles: NO_STYLES };
    return ready(cells);
  }
  let cells = styledLines.get(text);
  if (cells === undefined) {
    cells = ready(compact(styledCharsFromAnyTokens(tokenizeAny(text))));
    styledLines.set(text, cells);
  }
  return cells;
}

export function styledCharsFromTokens(tokens: Token[]): StyledChar[] {
  return readyCells.has(tokens) ? (tokens as StyledChar[]) : styledCharsFromAnyTokens(tokens);
}

export function styledCharsToString(chars: StyledChar[]): string {
  let text = '';
  let previous: readonly AnsiCode[] = NO_STYLES;
  for (const char of chars) {
    // From no styles to no styles there is nothing to write: skip the diff and its allocations.
    if (previous.length > 0 || char.styles.length > 0)
      text += ansiCodesToString(diffAnsiCodes(previous as AnsiCode[], char.styles));
    text += char.value;
    previous = char.styles;
  }
  if (previous.length > 0) text += ansiCodesToString(diffAnsiCodes(previous as AnsiCode[], []));
  return text;
}

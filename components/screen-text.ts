// Node and API text keeps its tabs (src/util/untrusted-text.ts: parsers read tab-separated output), but the screen
// cannot draw them: Ink counts a tab as width 0 while the terminal jumps to its next tab stop, so a tab pushes the
// rest of the line — and a panel's right border — out of place. Every component drawing untrusted lines draws them
// through screenText: tabs become spaces up to the next 8-column stop, counted from the start of the text (as
// expand(1) does). Columns are counted per code point; wide characters before a tab may shift it by one stop.

export const TAB_STOP = 8;

/** The text with each tab expanded to spaces up to the next TAB_STOP column (per line). */
export function screenText(text: string): string {
  if (!text.includes('\t')) return text;
  let out = '';
  let column = 0;
  for (const c of text) {
    if (c === '\t') {
      const pad = TAB_STOP - (column % TAB_STOP);
      out += ' '.repeat(pad);
      column += pad;
    } else {
      out += c;
      column = c === '\n' ? 0 : column + 1;
    }
  }
  return out;
}

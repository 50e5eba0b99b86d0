// Markdown for the audit record, where node output, API text and names are data, never markup: a node's line of
// three backticks must not close keyturn's code block, and its headings, links, emphasis and HTML must show as the
// characters they are (GitHub-flavoured Markdown, as incident trackers render it). Pure.

/** Marks a line break inside a code span in a table cell, where a real newline would end the row. */
const CELL_NEWLINE = ' ⏎ ';

/** The longest run of backticks in the text. */
function longestBacktickRun(text: string): number {
  let longest = 0;
  for (const m of text.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  return longest;
}

/**
 * Inline text (prose, list items, headings): every character that starts Markdown or HTML is backslash-escaped
 * (CommonMark escapes any ASCII punctuation), an underscore only where it could start or end emphasis (so
 * snake_case names stay readable), and newlines become <br>, so nothing can start a line of its own. The same in
 * a table cell: its | is escaped too.
 */
export function mdText(text: string): string {
  return text
    .replace(/[\\`*[\]<>|~&#!]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g, (c) => `\\${c}`)
    .replace(/\r?\n/g, '<br>');
}

/** A code span: delimited by a backtick run longer than any inside, so the text shows exactly as it is. */
export function mdCode(text: string): string {
  if (text === '') return '';
  const fence = '`'.repeat(longestBacktickRun(text) + 1);
  // A span that starts or ends with a backtick (or a space) needs a space of padding, which CommonMark strips.
  const pad = /^[` ]|[` ]$/.test(text) ? ' ' : '';
  return `${fence}${pad}${text.replace(/\r?\n/g, ' ')}${pad}${fence}`;
}

/** A code span in a table cell: pipes escaped (GFM splits cells at every unescaped |, even inside code spans, and
 * removes the backslash), line breaks marked. */
export function mdCodeCell(text: string): string {
  return mdCode(text.replace(/\r?\n/g, CELL_NEWLINE)).replace(/\|/g, '\\|');
}

/** A fenced code block whose fence is longer than any backtick run in the lines, so no line can close it. */
export function mdFence(lines: readonly string[]): string[] {
  const fence = '`'.repeat(Math.max(3, longestBacktickRun(lines.join('\n')) + 1));
  return [fence, ...lines, fence];
}

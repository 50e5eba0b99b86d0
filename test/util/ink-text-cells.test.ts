// The bundle draws Ink's frames through src/util/ink-text-cells.ts instead of @alcalzone/ansi-tokenize's own three
// functions: these tests hold it to the library's results on every kind of text a frame holds.
import * as library from '@alcalzone/ansi-tokenize';
import { describe, expect, it } from 'vitest';
import { styledCharsFromTokens, styledCharsToString, tokenize } from '../../src/util/ink-text-cells.js';

const ESC = '\u001b';
const SAMPLES: Record<string, string> = {
  empty: '',
  'plain log line': 'Jun 01 12:00:00 agent-1 rke2[4242]: time="2025-06-01T12:00:00Z" level=info msg="flood line 7"   ',
  'every printable ASCII character': Array.from({ length: 95 }, (_, i) => String.fromCharCode(0x20 + i)).join(''),
  'red bold': `${ESC}[31m${ESC}[1merror${ESC}[22m${ESC}[39m plain after`,
  'dim then bold (both end with 22m)': `${ESC}[2mdim${ESC}[1mboth${ESC}[22m none`,
  'compound and 256/true colour': `${ESC}[1;38;5;208morange${ESC}[0m ${ESC}[38;2;10;20;30mrgb${ESC}[39m`,
  hyperlink: `${ESC}]8;;https://example.com${ESC}\\\u0007link${ESC}]8;;\u0007 after`,
  'wide CJK': '証明書の期限 ok',
  'emoji with variation selector and a flag': 'ok ✔️ 🇩🇪 done',
  'combining mark': 'e\u0301tcd',
  'box drawing (styled border)': `${ESC}[2m│${ESC}[22m text ${ESC}[2m│${ESC}[22m`,
  'tab and other controls': 'a\tb\u0007c',
  'non-ASCII Latin': 'naïve café',
};

function libraryCells(text: string): library.StyledChar[] {
  return library.styledCharsFromTokens(library.tokenize(text));
}

describe("Ink text cells (the bundle's fast path for plain text)", () => {
  for (const [name, text] of Object.entries(SAMPLES)) {
    it(`cuts and joins "${name}" exactly as @alcalzone/ansi-tokenize does`, () => {
      const cells = styledCharsFromTokens(tokenize(text));
      expect(cells).toEqual(libraryCells(text));
      expect(styledCharsToString(cells)).toBe(library.styledCharsToString(libraryCells(text)));
    });
  }

  it('stops at endChar like the library', () => {
    const text = SAMPLES['plain log line'];
    for (const endChar of [0, 1, 10, text.length, text.length + 5]) {
      expect(styledCharsFromTokens(tokenize(text, endChar))).toEqual(
        library.styledCharsFromTokens(library.tokenize(text, endChar)),
      );
    }
    expect(tokenize('', 3)).toEqual(library.tokenize('', 3));
    // With an end, tokens are the library's own (ANSI tokens included), for any caller that wants tokens.
    expect(tokenize(SAMPLES['red bold'], 3)).toEqual(library.tokenize(SAMPLES['red bold'], 3));
  });

  it('joins a row that mixes blank cells, plain text and styled cells as the library does', () => {
    // A row as Ink's Output builds it: blank cells it starts with, then cells of several written lines laid over them.
    const blank = (): library.StyledChar => ({ type: 'char', value: ' ', fullWidth: false, styles: [] });
    const row = [
      blank(),
      ...styledCharsFromTokens(tokenize(SAMPLES['box drawing (styled border)'])),
      blank(),
      ...styledCharsFromTokens(tokenize('plain')),
      ...libraryCells(SAMPLES['red bold']),
      blank(),
      ...libraryCells(SAMPLES['compound and 256/true colour']),
    ];
    expect(styledCharsToString(row)).toBe(library.styledCharsToString(row));
    expect(styledCharsToString([])).toBe(library.styledCharsToString([]));
  });

  it("hands back the same cells for a styled line drawn again (a border on every frame), equal to the library's", () => {
    const border = SAMPLES['box drawing (styled border)'];
    const first = styledCharsFromTokens(tokenize(border));
    const again = styledCharsFromTokens(tokenize(border));
    expect(again).toBe(first);
    expect(again).toEqual(libraryCells(border));
    // Kept cells share their styles: frozen, so a caller that tried to change one would fail here.
    expect(again[0].styles.length).toBeGreaterThan(0);
    expect(() => again[0].styles.push(again[0].styles[0])).toThrow(TypeError);
  });

  it('gives plain cells a styles list nobody can change (a caller that tried would fail here, not corrupt other cells)', () => {
    const [cell] = styledCharsFromTokens(tokenize('x'));
    expect(cell.styles).toEqual([]);
    expect(() => cell.styles.push({ type: 'ansi', code: `${ESC}[1m`, endCode: `${ESC}[22m` })).toThrow(TypeError);
  });
});

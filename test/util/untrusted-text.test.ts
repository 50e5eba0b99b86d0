// The one sanitiser for untrusted text: escape sequences and control characters go (each leaves a visible mark),
// newlines, tabs and every printable character stay.
import { describe, expect, it } from 'vitest';
import {
  neutraliseStrings,
  neutraliseText,
  parseUntrustedJson,
  REMOVED_MARK as X,
} from '../../src/util/untrusted-text.js';

const ESC = '\u001b';
const BEL = '\u0007';

/** Control characters left in a string (tab and newline are allowed). */
const controls = (s: string) => [...s].filter((c) => /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.test(c));

describe('neutraliseText', () => {
  it.each([
    ['OSC 0 window title (BEL)', `a${ESC}]0;pwned${BEL}b`, `a${X}b`],
    ['OSC 0 window title (ST)', `a${ESC}]2;pwned${ESC}\\b`, `a${X}b`],
    ['OSC 52 clipboard', `${ESC}]52;c;Y3VybCBldmlsIHwgc2g=${BEL}done`, `${X}done`],
    ['OSC 8 hyperlink', `${ESC}]8;;http://evil${ESC}\\click${ESC}]8;;${ESC}\\`, `${X}click${X}`],
    ['SGR colour', `${ESC}[31;1mred${ESC}[0m`, `${X}red${X}`],
    ['CSI cursor up and erase line', `ok${ESC}[2A${ESC}[2K`, `ok${X}${X}`],
    ['private CSI (hide cursor, alternate screen)', `${ESC}[?25l${ESC}[?1049h.`, `${X}${X}.`],
    ['8-bit CSI and OSC', `\u009b31m\u009d0;t\u0007x`, `${X}${X}x`],
    ['DCS (tmux passthrough)', `${ESC}Ptmux;${ESC}${ESC}]0;t${BEL}${ESC}\\z`, `${X}${X}${X}${X}z`],
    ['two-byte ESC (charset, reset terminal)', `${ESC}(0q${ESC}c`, `${X}q${X}`],
    ['bare ESC at the end', `end${ESC}`, `end${X}`],
    ['carriage return that overwrites a line', 'safe\rEVIL', `safe${X}EVIL`],
    [
      'backspace, NUL, BEL, DEL, vertical tab, form feed',
      'a\bb\u0000c\u0007d\u007fe\u000bf\u000cg',
      `a${X}b${X}c${X}d${X}e${X}f${X}g`,
    ],
  ])('%s', (_what, input, expected) => {
    const out = neutraliseText(input);
    expect(out).toBe(expected);
    expect(controls(out)).toEqual([]);
  });

  it('an unterminated OSC ends at the line: the next lines are kept', () => {
    expect(neutraliseText(`a${ESC}]0;no end\nsecond line\nthird`)).toBe(`a${X}\nsecond line\nthird`);
  });

  it('keeps newlines, tabs, UTF-8 and wide characters as they are (same string, no copy needed)', () => {
    const text = 'NAME\tSTATUS\nnode-1\tReady ✓ — ünïcödé 日本語 🚀\n';
    expect(neutraliseText(text)).toBe(text);
  });

  it('turns CRLF into LF (every parser reads both)', () => {
    expect(neutraliseText('a\r\nb\r\n')).toBe('a\nb\n');
  });

  it('shows bidi controls as a visible escape, text kept in its real order (Trojan Source)', () => {
    // "access denied" that a bidi-aware terminal would show reversed, and every other bidi control once.
    const spoof = 'user \u202Edeined ssecca\u202C ok';
    expect(neutraliseText(spoof)).toBe('user <U+202E>deined ssecca<U+202C> ok');
    const all = [
      '\u202A',
      '\u202B',
      '\u202C',
      '\u202D',
      '\u202E',
      '\u2066',
      '\u2067',
      '\u2068',
      '\u2069',
      '\u200E',
      '\u200F',
      '\u061C',
    ];
    const out = neutraliseText(all.join('.'));
    expect(out).toBe(
      '<U+202A>.<U+202B>.<U+202C>.<U+202D>.<U+202E>.<U+2066>.<U+2067>.<U+2068>.<U+2069>.<U+200E>.<U+200F>.<U+061C>',
    );
  });

  it('shows zero-width characters as a visible escape: a name cannot pass for another', () => {
    expect(neutraliseText('rke2\u200B-server')).toBe('rke2<U+200B>-server');
    expect(neutraliseText('\uFEFFa\u200Cb\u200Dc\u2060d')).toBe('<U+FEFF>a<U+200C>b<U+200D>c<U+2060>d');
  });

  it('escapes format characters next to control sequences, and stays idempotent', () => {
    const once = neutraliseText(`${ESC}]0;t${BEL}\u202Ex\u200B`);
    expect(once).toBe(`${X}<U+202E>x<U+200B>`);
    expect(neutraliseText(once)).toBe(once);
  });

  it('is idempotent', () => {
    const once = neutraliseText(`x${ESC}]0;t${BEL}\r\n${ESC}[1my`);
    expect(neutraliseText(once)).toBe(once);
  });
});

describe('neutraliseStrings', () => {
  it('cleans every string of a plain object, keys and arrays included; other values pass', () => {
    const input = {
      name: `n${ESC}[2J`,
      [`k${BEL}`]: [`v${ESC}]0;t${BEL}`, 3, null, true],
      nested: { deep: `\u009b1m` },
    };
    expect(neutraliseStrings(input)).toEqual({
      name: `n${X}`,
      [`k${X}`]: [`v${X}`, 3, null, true],
      nested: { deep: X },
    });
  });
});

describe('parseUntrustedJson', () => {
  it('neutralises strings that JSON escapes decode to control characters', () => {
    const text = JSON.stringify({ holder: `mallory${ESC}]0;pwned${BEL}`, list: [`${ESC}[31m`] });
    expect(text).not.toContain(ESC); // the raw text is clean: only decoding makes the escape
    expect(parseUntrustedJson(text)).toEqual({ holder: `mallory${X}`, list: [X] });
  });

  it('throws on bad JSON like JSON.parse', () => {
    expect(() => parseUntrustedJson('{')).toThrow(SyntaxError);
  });
});

describe('journalctl is never asked for --all', () => {
  // Without -a journalctl strips ANSI sequences and prints "[N blob data]" for a message with other unprintable
  // characters (systemd src/shared/logs-show.c output_short: strip_tab_ansi, utf8_is_printable); with it, a node's
  // log reaches keyturn raw. The sanitiser still runs either way; this keeps the first line of defence.
  it('no keyturn source that runs journalctl passes -a or --all', async () => {
    const { readdirSync, readFileSync, statSync } = await import('node:fs');
    const path = await import('node:path');
    const { repoRoot } = await import('../support/paths.js');
    const files = (dir: string): string[] =>
      readdirSync(path.join(repoRoot, dir)).flatMap((name) => {
        const rel = path.join(dir, name);
        if (rel === path.join('src', 'lab')) return [];
        return statSync(path.join(repoRoot, rel)).isDirectory() ? files(rel) : /\.tsx?$/.test(name) ? [rel] : [];
      });
    const calls = [...files('src'), ...files('recipes')].flatMap((f) =>
      readFileSync(path.join(repoRoot, f), 'utf8')
        .split('\n')
        .filter((l) => /journalctl/.test(l) && !/^\s*(\/\/|\*)/.test(l))
        .map((l) => `${f}: ${l.trim()}`),
    );
    expect(calls.length).toBeGreaterThan(3); // the scan, the follower, the error-id and reencrypt reads
    // Every word after journalctl up to the end of its command, quotes and commas stripped (shJoin([...]) or sh).
    const asksAll = (line: string) =>
      line
        .split(/journalctl/)
        .slice(1)
        .some((rest) =>
          rest
            .split(/[|;&)]/)[0]
            .split(/[\s,'"`\]]+/)
            .some((w) => w === '--all' || /^-[A-Za-z]*a[A-Za-z]*$/.test(w)),
        );
    expect(asksAll("journalctl', '-u', unit, '-a'")).toBe(true); // the finder finds one
    expect(asksAll('journalctl -fa -u x')).toBe(true);
    expect(calls.filter(asksAll)).toEqual([]);
  });
});

// Text from nodes and from the API is untrusted: a journal line, `systemctl show`, a node's stderr, an annotation or
// a Lease holder can carry terminal control sequences (OSC 0 retitles the operator's window, OSC 52 writes the
// clipboard, SGR and cursor moves repaint or hide what the screen says — the class of kubectl's CVE-2021-25743).
// keyturn neutralises such text ONCE, where it enters: the node transports' output (exec-result.ts), the API
// gateway's objects and failures (kube-mapping.ts, kube-failure.ts, kube-raw.ts), and JSON decoded from either or
// read back from disk (parseUntrustedJson). Everything downstream — screens, status, report, errors — can then
// print it as it is, and keyturn's own styling is the only styling on screen.
//
// What stays: printable text (all of Unicode outside the control ranges), newlines and tabs, so parsers of
// multi-line and tab-separated output work as before. CRLF becomes LF (every parser reads both). What goes: every
// other C0 control, DEL and the C1 controls; an escape sequence (CSI, OSC and the other string controls, two-byte
// ESC sequences, their 8-bit C1 forms) goes whole, payload included. Each removal leaves REMOVED_MARK in its place,
// so the operator sees that the node or object sent something there.
//
// Unicode format characters that change what a line appears to say without being control bytes — the bidi
// controls (U+202A–U+202E, U+2066–U+2069, U+200E/U+200F, U+061C: "Trojan Source", text shown in another order than
// it is) and the zero-width characters (U+200B–U+200D, U+2060, U+FEFF: a name that looks like another, words hidden
// between letters) — are shown as a visible escape, `<U+202E>`, one per character: the text around them is kept in
// its real (logical) order, and the code says which trick was there. Operational text (journal lines, names,
// annotations) has no use for them; an emoji joined with U+200D shows its parts.

/** Marks where a control character or an escape sequence was removed: U+241B SYMBOL FOR ESCAPE. */
export const REMOVED_MARK = '\u241b';

/** Any character this module removes or escapes (tab and newline are kept). */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]/;

/** Bidi controls and zero-width characters: shown as `<U+XXXX>`. */
const FORMAT = /[\u061c\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]/g;

const visibleEscape = (c: string) => `<U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}>`;

/**
 * In order: CRLF; CSI (ESC [ or 8-bit CSI) with its parameter, intermediate and final bytes; a string control
 * (OSC, DCS, SOS, PM, APC; ESC-prefixed or 8-bit) up to its BEL or ST terminator — or, unterminated, up to the
 * next ESC or newline, so it cannot swallow the following lines; a two-byte ESC sequence (with intermediates);
 * any other single control character.
 */
const SEQUENCE =
  /\r\n|(?:\u001b\[|\u009b)[\u0030-\u003f]*[\u0020-\u002f]*[\u0040-\u007e]?|(?:\u001b[\]PX^_]|[\u0090\u0098\u009d-\u009f])[^\u0007\u001b\u009c\n]*(?:\u0007|\u001b\\|\u009c)?|\u001b[\u0020-\u002f]*[\u0030-\u007e]?|[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * The text with every control character and escape sequence replaced by REMOVED_MARK (CRLF by LF), and every bidi
 * control and zero-width character by its visible escape.
 */
export function neutraliseText(text: string): string {
  if (!CONTROL.test(text)) return text;
  return text.replace(SEQUENCE, (m) => (m === '\r\n' ? '\n' : REMOVED_MARK)).replace(FORMAT, visibleEscape);
}

/** A copy of a plain value (API object, decoded JSON) with every string in it neutralised, keys included. */
export function neutraliseStrings<T>(value: T): T {
  return neutraliseValue(value) as T;
}

function neutraliseValue(value: unknown): unknown {
  if (typeof value === 'string') return neutraliseText(value);
  if (Array.isArray(value)) return value.map(neutraliseValue);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [neutraliseText(k), neutraliseValue(v)]));
  }
  return value;
}

/**
 * JSON.parse for text from a node, the API or a file: JSON escapes (`\u001b`) decode to control characters after
 * the transport has neutralised the raw text, so every decoded string is neutralised too. Throws as JSON.parse does.
 */
export function parseUntrustedJson(text: string): unknown {
  return JSON.parse(text, (_key, value: unknown) => (typeof value === 'string' ? neutraliseText(value) : value));
}

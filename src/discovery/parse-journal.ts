// Splits journal text into bounded, printable lines and reads the parts diagnoses need.
// Real journals carry non-UTF-8 bytes (locale month names, binary garbage), megabyte-long lines (a dumped
// object), and, when pasted from issues, cut prefixes ("an 23 12:12:38 ...") — none of which may crash or flood us.

export const MAX_LINE_CHARS = 4096;

export type LogLevel = 'fatal' | 'error' | 'warning' | 'info' | 'debug' | 'unknown';

export interface JournalLine {
  /** The whole line (bounded, U+FFFD for invalid bytes), for evidence. */
  raw: string;
  /** "Jan 23 12:12:39" style prefix as printed, or null when the line has no journald prefix. */
  stamp: string | null;
  host: string | null;
  /** Syslog identifier, e.g. rke2 or k3s. */
  ident: string | null;
  /** The program's own text after "ident[pid]: ", or the whole line. */
  message: string;
  level: LogLevel;
}

/** Decodes bytes as UTF-8 with replacement characters (never throws). */
export function decodeText(input: string | Uint8Array): string {
  return typeof input === 'string' ? input : new TextDecoder('utf-8', { fatal: false }).decode(input);
}

export function truncateLine(line: string, max = MAX_LINE_CHARS): string {
  if (line.length <= max) return line;
  return `${line.slice(0, max)}… [${line.length - max} more characters]`;
}

// journald short format: "<stamp> <host> <ident>[<pid>]: <message>". The stamp's month may be in any locale or cut
// by a paste, so it is "anything up to a HH:MM:SS time".
const SHORT = /^(.{0,40}?\d{1,2}:\d{2}:\d{2}(?:\.\d+)?(?:[+-]\d{4})?)\s+(\S+)\s+([^\s[\]:]+)(?:\[(\d+)\])?:(?:\s+(.*))?$/;

function levelOf(message: string): LogLevel {
  const logrus = /\blevel=(\w+)/.exec(message);
  if (logrus) {
    const l = logrus[1].toLowerCase();
    if (l === 'fatal' || l === 'panic') return 'fatal';
    if (l === 'error') return 'error';
    if (l === 'warning' || l === 'warn') return 'warning';
    if (l === 'info') return 'info';
    if (l === 'debug' || l === 'trace') return 'debug';
  }
  // logrus text mode: FATA[0000], ERRO[0000]; klog: E0919 10:50:50.932898
  const tag = /^(FATA|ERRO|WARN|INFO|DEBU)\[/.exec(message);
  if (tag) return ({ FATA: 'fatal', ERRO: 'error', WARN: 'warning', INFO: 'info', DEBU: 'debug' } as const)[tag[1] as 'FATA'];
  const klog = /^([FEWI])\d{4} \d{2}:\d{2}:\d{2}/.exec(message);
  if (klog) return ({ F: 'fatal', E: 'error', W: 'warning', I: 'info' } as const)[klog[1] as 'F'];
  return 'unknown';
}

export function parseJournalLine(rawLine: string): JournalLine {
  const raw = truncateLine(rawLine.replace(/\r$/, ''));
  const m = SHORT.exec(raw);
  const message = m ? (m[5] ?? '') : raw;
  return {
    raw,
    stamp: m ? m[1] : null,
    host: m ? m[2] : null,
    ident: m ? m[3] : null,
    message,
    level: levelOf(message),
  };
}

/** Every non-empty line; "-- No entries --" and "-- Boot ... --" markers are dropped. */
export function parseJournal(input: string | Uint8Array): JournalLine[] {
  return decodeText(input)
    .split('\n')
    .filter((l) => l.trim() !== '' && !/^-- .* --$/.test(l.trim()))
    .map(parseJournalLine);
}

/** The logrus msg="..." text with escapes undone, or the message itself. */
export function logMessage(line: JournalLine): string {
  const m = /\bmsg="((?:[^"\\]|\\.)*)"/.exec(line.message);
  return m ? m[1].replace(/\\(.)/g, '$1') : line.message;
}

// Splits journal text into bounded, printable lines and reads the parts diagnoses need.
// Real journals carry non-UTF-8 bytes (locale month names, binary garbage), megabyte-long lines (a dumped
// object), and, when pasted from issues, cut prefixes ("an 23 12:12:38 ...") — none of which may crash or flood us.
import { parseUntrustedJson } from '../util/untrusted-text.js';

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
  /** The fields of a JSON (zap) log line, as embedded etcd and some components write them; null otherwise. */
  fields: Record<string, unknown> | null;
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
const SHORT =
  /^(.{0,40}?\d{1,2}:\d{2}:\d{2}(?:\.\d+)?(?:[+-]\d{4})?)\s+(\S+)\s+([^\s[\]:]+)(?:\[(\d+)\])?:(?:\s+(.*))?$/;

/** zap's levels (etcd, and components that log JSON): debug, info, warn, error, dpanic, panic, fatal. */
const ZAP_LEVELS: Record<string, LogLevel> = {
  debug: 'debug',
  info: 'info',
  warn: 'warning',
  error: 'error',
  dpanic: 'error',
  panic: 'fatal',
  fatal: 'fatal',
};

/** The fields of a JSON log line ({"level":...,"msg":...}); null for any other text. Never throws. */
function jsonFields(message: string): Record<string, unknown> | null {
  const text = message.trim();
  if (!text.startsWith('{') || !text.endsWith('}')) return null;
  try {
    const value: unknown = parseUntrustedJson(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
    const fields = value as Record<string, unknown>;
    return typeof fields.level === 'string' && typeof fields.msg === 'string' ? fields : null;
  } catch {
    return null;
  }
}

function levelOf(message: string, fields: Record<string, unknown> | null): LogLevel {
  if (fields) return ZAP_LEVELS[String(fields.level).toLowerCase()] ?? 'unknown';
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
  if (tag)
    return ({ FATA: 'fatal', ERRO: 'error', WARN: 'warning', INFO: 'info', DEBU: 'debug' } as const)[tag[1] as 'FATA'];
  const klog = /^([FEWI])\d{4} \d{2}:\d{2}:\d{2}/.exec(message);
  if (klog) return ({ F: 'fatal', E: 'error', W: 'warning', I: 'info' } as const)[klog[1] as 'F'];
  return 'unknown';
}

export function parseJournalLine(rawLine: string): JournalLine {
  const raw = truncateLine(rawLine.replace(/\r$/, ''));
  const m = SHORT.exec(raw);
  const message = m ? (m[5] ?? '') : raw;
  const fields = jsonFields(message);
  return {
    raw,
    stamp: m ? m[1] : null,
    host: m ? m[2] : null,
    ident: m ? m[3] : null,
    message,
    level: levelOf(message, fields),
    fields,
  };
}

/** Every non-empty line; "-- No entries --" and "-- Boot ... --" markers are dropped. */
export function parseJournal(input: string | Uint8Array): JournalLine[] {
  return decodeText(input)
    .split('\n')
    .filter((l) => l.trim() !== '' && !/^-- .* --$/.test(l.trim()))
    .map(parseJournalLine);
}

/** The logrus msg="..." text with escapes undone, a JSON line's msg (with its error field), or the message itself. */
export function logMessage(line: JournalLine): string {
  if (line.fields) {
    const error = line.fields.error;
    return `${String(line.fields.msg)}${typeof error === 'string' && error !== '' ? `: ${error}` : ''}`;
  }
  const m = /\bmsg="((?:[^"\\]|\\.)*)"/.exec(line.message);
  return m ? m[1].replace(/\\(.)/g, '$1') : line.message;
}

export type SecretsEventReason = 'SecretsProgress' | 'SecretsUpdateComplete' | 'SecretsUpdateError';

/**
 * A secrets re-encryption event logged in the journal, in either form upstream has used:
 * - klog structured, as client-go's event broadcaster logs events in current releases:
 *   `"Event occurred" object="n1" ... reason="SecretsProgress" message="reencrypted 50 secrets"` (k3s#11384, 2024);
 * - the older event broadcaster through logrus: `msg="Event(v1.ObjectReference{Kind:\"Node\", ...}): type:
 *   'Normal' reason: 'SecretsProgress' reencrypted 8490 secrets"` (k3s#5933, v1.24.3).
 * null for any other line.
 */
export function secretsEventOf(line: string): { reason: SecretsEventReason; message: string } | null {
  const klog = /\breason="(Secrets(?:Progress|UpdateComplete|UpdateError))"/.exec(line);
  if (klog)
    return {
      reason: klog[1] as SecretsEventReason,
      message: /\bmessage="((?:[^"\\]|\\.)*)"/.exec(line)?.[1]?.replace(/\\(.)/g, '$1') ?? '',
    };
  const old = /\breason: '(Secrets(?:Progress|UpdateComplete|UpdateError))' (.*)$/.exec(line);
  if (!old) return null;
  // Inside logrus' msg="..." the text ends at the closing quote.
  const message = old[2].replace(/"\s*$/, '').replace(/\\(.)/g, '$1');
  return { reason: old[1] as SecretsEventReason, message };
}

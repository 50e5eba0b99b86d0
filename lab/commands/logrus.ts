// The CLI's own log lines as logrus writes them to a pipe (stderr, text formatter without colours).
import { logrusTime } from '../clock.js';
import { goQuote } from '../journal.js';

export function logLine(level: 'info' | 'warning' | 'error' | 'fatal', msg: string, now: Date = new Date()): string {
  return `time="${logrusTime(now)}" level=${level} msg=${goQuote(msg)}\n`;
}

/** What upstream's CLI prints when the local server does not answer (the service is down). */
export function connectionRefused(prog: string, path: string, now: Date, method: 'Get' | 'Put' = 'Get'): string {
  const port = prog === 'rke2' ? 9345 : 6443;
  return logLine(
    'fatal',
    `${method} "https://127.0.0.1:${port}${path}": dial tcp 127.0.0.1:${port}: connect: connection refused`,
    now,
  );
}

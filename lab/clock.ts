// The lab's time: real wall-clock time (certificates are checked against it) and a speed factor that shrinks every
// simulated duration (service start, RestartSec=5s) so a whole rotation runs in seconds in tests.

export class LabClock {
  constructor(readonly speed: number) {}

  now(): Date {
    return new Date();
  }

  /** A simulated duration in real milliseconds. */
  scaled(simulatedMs: number): number {
    return Math.max(1, Math.round(simulatedMs / this.speed));
  }

  /** Waits a simulated duration; resolves false when the signal fired first. */
  sleep(simulatedMs: number, signal?: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve(false);
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve(true);
      }, this.scaled(simulatedMs));
      const onAbort = () => {
        clearTimeout(timer);
        resolve(false);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** journald's short format timestamp: `Nov 22 02:10:03` (the lab runs in UTC). */
export function journalTime(date: Date): string {
  return `${MONTHS[date.getUTCMonth()]} ${pad(date.getUTCDate())} ${hms(date)}`;
}

/** systemd's timestamp in `systemctl show`: `Sat 2026-11-22 02:10:03 UTC`. */
export function systemdTime(date: Date): string {
  return `${WEEKDAYS[date.getUTCDay()]} ${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ${hms(date)} UTC`;
}

/** logrus' time field: RFC 3339 in UTC without fractions, `2026-11-22T02:10:03Z`. */
export function logrusTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function hms(date: Date): string {
  return `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
}

/** Parses a journald short timestamp back, assuming the year of `reference`. */
export function parseJournalTime(text: string, reference: Date): Date | undefined {
  const m = /^([A-Z][a-z]{2}) (\d{2}) (\d{2}):(\d{2}):(\d{2})/.exec(text);
  if (!m) return undefined;
  const month = MONTHS.indexOf(m[1]);
  if (month < 0) return undefined;
  return new Date(Date.UTC(reference.getUTCFullYear(), month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])));
}

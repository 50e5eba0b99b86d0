// Go's renderings of times that upstream's output uses, so lab output reads exactly like a real node's.
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const two = (n: number) => String(n).padStart(2, '0');

/** time.RFC3339 in UTC: 2025-04-12T18:50:33Z (no fractional seconds). */
export function formatRfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Go layout "Jan 02, 2006 15:04 MST" in UTC: May 15, 2026 22:03 UTC. */
export function formatGoDate(date: Date): string {
  const month = MONTHS[date.getUTCMonth()];
  return `${month} ${two(date.getUTCDate())}, ${date.getUTCFullYear()} ${two(date.getUTCHours())}:${two(date.getUTCMinutes())} UTC`;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
const MONTH = 30 * DAY;
const YEAR = 12 * MONTH;
const LONG_TIME = 37 * YEAR;

// go-humanize's RelTime magnitudes: the first whose bound exceeds the duration picks the wording; `unit` divides
// (truncating) for the %d forms.
const MAGNITUDES: { below: number; format: string; unit: number }[] = [
  { below: SECOND, format: 'now', unit: SECOND },
  { below: 2 * SECOND, format: '1 second', unit: 1 },
  { below: MINUTE, format: '%d seconds', unit: SECOND },
  { below: 2 * MINUTE, format: '1 minute', unit: 1 },
  { below: HOUR, format: '%d minutes', unit: MINUTE },
  { below: 2 * HOUR, format: '1 hour', unit: 1 },
  { below: DAY, format: '%d hours', unit: HOUR },
  { below: 2 * DAY, format: '1 day', unit: 1 },
  { below: WEEK, format: '%d days', unit: DAY },
  { below: 2 * WEEK, format: '1 week', unit: 1 },
  { below: MONTH, format: '%d weeks', unit: WEEK },
  { below: 2 * MONTH, format: '1 month', unit: 1 },
  { below: YEAR, format: '%d months', unit: MONTH },
  { below: 18 * MONTH, format: '1 year', unit: 1 },
  { below: 2 * YEAR, format: '2 years', unit: 1 },
  { below: LONG_TIME, format: '%d years', unit: YEAR },
  { below: Number.POSITIVE_INFINITY, format: 'a long while', unit: 1 },
];

/**
 * humanize.RelTime(now, now+d, "", "") as upstream's table prints RESIDUAL TIME: the size of the gap without a
 * direction, so an expired certificate also reads "1 month" (its STATUS says EXPIRED).
 */
export function humanizeDuration(ms: number): string {
  const size = Math.abs(ms);
  const magnitude = MAGNITUDES.find((m) => size < m.below) ?? MAGNITUDES[MAGNITUDES.length - 1];
  return magnitude.format.replace('%d', String(Math.trunc(size / magnitude.unit)));
}

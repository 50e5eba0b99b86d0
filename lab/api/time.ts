// Timestamps and ages in the forms the apiserver and kubectl use.

/** metav1.Time: RFC 3339 in UTC with second precision, e.g. 2025-03-19T20:40:47Z. */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** metav1.MicroTime (leases, eventTime): microsecond precision, e.g. 2025-03-19T20:40:47.123000Z. */
export function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/**
 * The AGE column: kubectl's human duration, which keeps two units while they matter (`5m30s`, `3h12m`, `2d4h`,
 * `1y30d`) and drops the smaller one later (`45m`, `20h`, `300d`).
 */
export function humanAge(since: string | Date, now: Date = new Date()): string {
  const start = typeof since === 'string' ? Date.parse(since) : since.getTime();
  if (Number.isNaN(start)) return '<unknown>';
  const seconds = Math.floor((now.getTime() - start) / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return withRest(minutes, 'm', seconds % 60, 's');
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return withRest(hours, 'h', minutes % 60, 'm');
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (days < 8) return withRest(days, 'd', hours % 24, 'h');
  if (days < 365 * 2) return `${days}d`;
  const years = Math.floor(days / 365);
  if (years < 8) return withRest(years, 'y', days % 365, 'd');
  return `${years}y`;
}

function withRest(major: number, majorUnit: string, minor: number, minorUnit: string): string {
  return minor === 0 ? `${major}${majorUnit}` : `${major}${majorUnit}${minor}${minorUnit}`;
}

/**
 * A client's timestamp as the apiserver stores a MicroTime field: UTC, exactly six fractional digits
 * (2025-01-02T03:04:05.678Z → 2025-01-02T03:04:05.678000Z). undefined when it is not RFC 3339.
 */
export function normalizeMicroTime(value: string): string | undefined {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(value);
  if (!m) return undefined;
  const fraction = (m[2] ?? '').padEnd(6, '0').slice(0, 6);
  if (m[3] === 'Z') return `${m[1]}.${fraction}Z`;
  const parsed = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(parsed)) return undefined;
  return `${rfc3339(new Date(parsed)).slice(0, -1)}.${fraction}Z`;
}

// POSIX sh quoting. zx's quote() emits bash-only $'..', which dash and busybox sh do not understand.

/** Quotes one value so that any POSIX sh reads it back as exactly that single word. */
export function shq(value: string): string {
  if (value === '') return "''";
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Joins argv into a command line for POSIX sh, quoting every word. */
export function shJoin(argv: readonly string[]): string {
  return argv.map(shq).join(' ');
}

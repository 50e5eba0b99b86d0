// NO_COLOR (https://no-color.org): "when present and not an empty string (regardless of its value), prevents the
// addition of ANSI color". Ink colours through chalk, whose supports-color reads FORCE_COLOR and the --color flags
// but not NO_COLOR; Node's own stream.hasColors() (the painted first frame) reads both, but counts an empty
// NO_COLOR as set. One rule for all of them, applied before any of them loads: a non-empty NO_COLOR becomes
// FORCE_COLOR=0, which both read as "no colour". An explicit FORCE_COLOR wins, as it does in Node and chalk.

/** Makes every colour decision in this process (and the processes it starts) follow NO_COLOR. */
export function honourNoColor(env: NodeJS.ProcessEnv): void {
  if (env.FORCE_COLOR !== undefined) return;
  if (env.NO_COLOR === undefined) return;
  if (env.NO_COLOR === '') {
    // Empty means "not set" by the convention; Node would still turn colour off for it.
    delete env.NO_COLOR;
    return;
  }
  env.FORCE_COLOR = '0';
}

// `journalctl -u <unit> [-n N] [-f] [--since "..."] [--no-pager] [-o short|cat]` over the node's journal file.
// Every line of a node's journal is about its one unit (its main process or systemd about it), so -u selects all
// of them for the node's unit and none for any other.
import { readFile } from 'node:fs/promises';
import { parseJournalTime } from '../clock.js';
import type { CommandContext } from './io.js';

interface JournalQuery {
  units: string[];
  lines: number | undefined;
  follow: boolean;
  since: Date | undefined;
  output: 'short' | 'cat';
}

export async function runJournalctl({ node, argv, io, lab }: CommandContext): Promise<number> {
  const parsed = parseQuery(argv, lab.clock.now());
  if (typeof parsed === 'string') {
    io.stderr(`${parsed}\n`);
    return 1;
  }
  const matchesUnit =
    parsed.units.length === 0 ||
    parsed.units.some((u) => (u.endsWith('.service') ? u : `${u}.service`) === `${node.unit}.service`);
  const render = (line: string) => (parsed.output === 'cat' ? line.replace(/^\S+ \d+ [\d:]+ \S+ [^:]+: /, '') : line);
  const now = lab.clock.now();
  const keep = (line: string) => {
    if (!parsed.since) return true;
    const at = parseJournalTime(line, now);
    return at === undefined || at.getTime() >= parsed.since.getTime();
  };

  let text = '';
  try {
    text = await readFile(node.journal.file, 'utf8');
  } catch {
    text = '';
  }
  let lines = matchesUnit ? text.split('\n').filter((l) => l !== '' && keep(l)) : [];
  // -f without -n shows the last 10 lines first, like journalctl.
  const count = parsed.lines ?? (parsed.follow ? 10 : undefined);
  if (count !== undefined) lines = count === 0 ? [] : lines.slice(-count);
  if (lines.length === 0 && !parsed.follow) io.stdout('-- No entries --\n');
  for (const line of lines) io.stdout(render(line) + '\n');
  if (!parsed.follow) return 0;

  if (!matchesUnit)
    return new Promise((resolve) => io.signal.addEventListener('abort', () => resolve(0), { once: true }));
  return new Promise((resolve) => {
    const unsubscribe = node.journal.subscribe((line) => io.stdout(render(line) + '\n'));
    io.signal.addEventListener(
      'abort',
      () => {
        unsubscribe();
        resolve(0);
      },
      { once: true },
    );
  });
}

function parseQuery(argv: string[], now: Date): JournalQuery | string {
  const query: JournalQuery = { units: [], lines: undefined, follow: false, since: undefined, output: 'short' };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined];
    const value = () => inline ?? argv[++i] ?? '';
    if (flag === '-u' || flag === '--unit') query.units.push(value());
    else if (/^-u./.test(arg)) query.units.push(arg.slice(2));
    else if (flag === '-n' || flag === '--lines') query.lines = Number(value());
    else if (/^-n\d+$/.test(arg)) query.lines = Number(arg.slice(2));
    else if (flag === '-f' || flag === '--follow') query.follow = true;
    else if (flag === '-S' || flag === '--since') {
      const since = parseSince(value(), now);
      if (!since) return `Failed to parse timestamp: ${argv[i]}`;
      query.since = since;
    } else if (flag === '-o' || flag === '--output') {
      const output = value();
      if (output !== 'short' && output !== 'cat') return `Unsupported output mode in the lab: ${output} (short, cat)`;
      query.output = output;
    } else if (/^-[a-z]+$/.test(arg)) {
      // Combined short flags such as -xeu (x: catalog, e: pager end) — only u and f matter here.
      if (arg.includes('f')) query.follow = true;
      if (arg.endsWith('u')) query.units.push(argv[++i] ?? '');
    }
    // --no-pager, -q, --no-hostname and the like change nothing the lab prints.
  }
  if (query.lines !== undefined && (!Number.isInteger(query.lines) || query.lines < 0)) return 'Failed to parse lines';
  return query;
}

/** `2026-11-22 02:10:03`, `2026-11-22`, `-5min`, `5 min ago`, `@1700000000`, `today`, `now`. All in UTC. */
export function parseSince(text: string, now: Date): Date | undefined {
  const t = text.trim();
  if (t === 'now') return now;
  if (t === 'today') return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  if (/^@\d+$/.test(t)) return new Date(Number(t.slice(1)) * 1000);
  const relative = /^-?\s*(\d+)\s*(s|sec|second|seconds|m|min|minute|minutes|h|hour|hours|d|day|days)(\s+ago)?$/.exec(
    t,
  );
  if (relative && (t.startsWith('-') || relative[3])) {
    const unit =
      relative[2][0] === 'm' ? 60_000 : relative[2][0] === 'h' ? 3_600_000 : relative[2][0] === 'd' ? 86_400_000 : 1000;
    return new Date(now.getTime() - Number(relative[1]) * unit);
  }
  const absolute = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?(?:\s*UTC|Z)?$/.exec(t);
  if (absolute) {
    const [, y, mo, d, h = '0', mi = '0', s = '0'] = absolute;
    return new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)));
  }
  return undefined;
}

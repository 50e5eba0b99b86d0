import { describe, expect, it } from 'vitest';
import { renderReport } from '../../src/engine/report.js';
import { foldEvents } from '../../src/engine/reducer.js';
import { setup, start } from './support/run.js';

describe('renderReport', () => {
  it('records who, when, cluster, per-node steps with commands, exit codes, gates, backups and final expiry', async () => {
    const s = await setup('rotate-certs', 'ha', { distro: 'k3s' });
    await start(s);
    const md = renderReport(foldEvents(s.journal.events)!);
    expect(md).toContain('# keyturn run run-1: Rotate certificates');
    expect(md).toContain('- **Operator:** oncall@laptop (1 session)');
    expect(md).toContain('- **Cluster:** https://fake:6443; k3s v1.32.5+k3s1, 4 nodes');
    expect(md).toContain('- **Outcome:** succeeded');
    expect(md).toContain('### server-1 (etcd-control-plane, k3s, 127.0.10.3)');
    expect(md).toMatch(/\| servers\.stop \| `systemctl stop k3s` \| 2025-06-01T\S+ \| [\d.]+s \| 0 \| done: exit 0/);
    expect(md).toContain('| servers.rotate | `k3s certificate rotate` |');
    expect(md).toContain('  - etcd-quorum: pass — 3 members healthy');
    expect(md).toContain('- `/var/lib/rancher/k3s/server/tls.keyturn-run-1`');
    expect(md).toMatch(/\| agent-1 \| 2026-06-01T\S+ \|/);
    expect(md).toContain('| agents.stop | `systemctl stop k3s-agent` |');
    // Planned with the API down, no version was known: the report says so instead of leaving a gap.
    const state = foldEvents(s.journal.events)!;
    const unknown = renderReport({ ...state, plan: { ...state.plan, version: '' } });
    expect(unknown).toContain('; k3s (version unknown: the API could not be read when the run was planned), 4 nodes');
  });

  it('a failed run names the failed check, node, evidence and fix', async () => {
    const s = await setup('rotate-certs', 'ha', { crashLoop: ['server-2'] });
    await start(s);
    const md = renderReport(foldEvents(s.journal.events)!);
    expect(md).toContain('## Failure');
    expect(md).toContain('- **Node:** server-2');
    expect(md).toContain('- **Check:** unit-active');
    expect(md).toContain('recover-restart-loop');
    expect(md).toContain('authentication handshake failed');
    expect(md).toContain('| agent-1 | not read |');
  });
});

// ---- Hostile text in the record (issue #15 item 2): node output, names and API text are data, never markup. ----

/** Fenced blocks as CommonMark closes them: a closing fence is ≤3 spaces, a backtick run ≥ the opening's, spaces. */
function outsideFences(md: string): { outside: string[]; fences: string[][] } {
  const outside: string[] = [];
  const fences: string[][] = [];
  let open: { length: number; lines: string[] } | null = null;
  for (const line of md.split('\n')) {
    if (open) {
      const close = /^ {0,3}(`+)\s*$/.exec(line);
      if (close && close[1].length >= open.length) {
        fences.push(open.lines);
        open = null;
      } else open.lines.push(line);
      continue;
    }
    const start = /^ {0,3}(`{3,})[^`]*$/.exec(line);
    if (start) open = { length: start[1].length, lines: [] };
    else outside.push(line);
  }
  if (open) fences.push(open.lines);
  return { outside, fences };
}

/** The text with code spans removed (a backtick run up to the next run of the same length). */
const withoutCodeSpans = (line: string) => line.replace(/(`+)(?:(?!\1)[\s\S])*?\1(?!`)/g, '');

/** Markup characters in a line that are not backslash-escaped (and not keyturn's own <br>). */
function unescapedMarkup(line: string): string[] {
  // keyturn's own: <br> for a line break, **Label:** and **FAILED** in bold.
  const text = withoutCodeSpans(line)
    .replace(/<br>/g, '')
    .replace(/\*\*(?:[A-Z][a-z ]*:|FAILED|Gates|Backups)\*\*/g, '');
  return [...text.matchAll(/(?<!\\)(?:\\\\)*([<[*~])/g)].map((m) => m[1]);
}

describe('renderReport with hostile text', () => {
  const evidence = [
    'Dec 04 03:00:00 node-b rke2[1]: level=fatal msg="failed"',
    '```',
    '# Incident closed: nothing to see',
    '<img src=x onerror="alert(1)"> [click here](https://evil.example/login) **all clear**',
    '````',
    '| fake | table |',
  ];
  const hostileName = 'srv-2<script>x</script>#[link](http://e)';
  const hostileDetail = 'member is `healthy` <b>really</b> | pipe\n## injected heading\n- [ ] injected item';

  async function hostileReport(): Promise<string> {
    const s = await setup('rotate-certs', 'ha', { crashLoop: ['server-2'] });
    await start(s);
    const state = foldEvents(s.journal.events)!;
    if (state.outcome.status !== 'failed') throw new Error(`expected a failed run, got ${state.outcome.status}`);
    state.outcome.failure.evidence = evidence;
    state.outcome.failure.message = hostileDetail;
    state.outcome.failure.fix = `run ${hostileDetail}`;
    state.operators = [{ user: '<u>*op*</u>', host: 'h`o`st' }];
    // The node's name everywhere in the record, as an inventory or a node could give it.
    const renamed = JSON.parse(
      JSON.stringify(state).replaceAll('server-2', JSON.stringify(hostileName).slice(1, -1)),
    ) as typeof state;
    return renderReport(renamed);
  }

  it('a line of backticks in the evidence does not close the block: every evidence line stays inside it', async () => {
    const md = await hostileReport();
    const { fences } = outsideFences(md);
    const block = fences.find((f) => f.some((l) => l.includes('level=fatal')));
    expect(block).toEqual(evidence);
  });

  it("no heading, link, emphasis, list item or HTML from the node renders: only keyturn's own headings", async () => {
    const md = await hostileReport();
    const { outside } = outsideFences(md);
    const headings = outside.filter((l) => /^ {0,3}#{1,6}(\s|$)/.test(l)).map((l) => l.replace(/ \(.*$/, ''));
    expect(headings).toEqual([
      '# keyturn run run-1: Rotate certificates',
      '## Failure',
      '## Nodes',
      '### server-1',
      `### srv-2\\<script\\>x\\</script\\>\\#\\[link\\](http://e)`,
      '### server-3',
      '### agent-1',
      '## Certificate expiry after the run',
    ]);
    const markup = outside.flatMap((l) => unescapedMarkup(l).map((c) => `${c} in: ${l}`));
    expect(markup).toEqual([]);
    // A multi-line detail cannot start lines of its own.
    expect(outside.some((l) => l.startsWith('## injected') || l.startsWith('- [ ] injected'))).toBe(false);
  });

  it('table rows keep their six cells whatever the cells hold', async () => {
    const md = await hostileReport();
    const rows = outsideFences(md).outside.filter(
      (l) =>
        l.startsWith('| ') &&
        !l.startsWith('| Node |') &&
        !/^\| [^|]+ \| (not read|\S+T\S+Z) \|$/.test(withoutCodeSpans(l)),
    );
    expect(rows.length).toBeGreaterThan(8);
    for (const row of rows) {
      const cells = withoutCodeSpans(row).replace(/\\\|/g, '').split('|').length - 2;
      expect(cells, row).toBe(6);
    }
  });

  it('code spans hold backticks and pipes exactly (a run longer than any inside)', async () => {
    const { mdCode, mdCodeCell, mdFence } = await import('../../src/engine/markdown.js');
    expect(mdCode('echo `id`')).toBe('`` echo `id` ``');
    expect(mdCode('a ` b')).toBe('``a ` b``');
    expect(mdCode('`x`')).toBe('`` `x` ``');
    expect(mdCodeCell('a || b\nc')).toBe('`a \\|\\| b ⏎ c`');
    expect(mdFence(['````', 'x'])).toEqual(['`````', '````', 'x', '`````']);
  });
});

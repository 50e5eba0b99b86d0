// Holds docs/upstream.md, the ledger of upstream behaviours: its tables keep their six columns, every row names a
// source (URL, issue/PR or repository path), every file a row names exists, and every release gate of
// lab/upstream-versions.ts and every command the lab answers on a node has its place in it
// ("a lab behaviour without a row is a bug").
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as upstreamVersions from '../lab/upstream-versions.js';
import { repoRoot } from './support/paths.js';

const LEDGER = readFileSync(path.join(repoRoot, 'docs/upstream.md'), 'utf8');
const HEADER = ['behaviour', 'versions', 'source', 'keyturn handles it', 'lab emulates it', 'test that holds it'];

interface Row {
  line: number;
  section: string;
  cells: string[];
}

/** Cells of a Markdown table line; `\|` inside a cell is text, not a separator. */
function cellsOf(line: string): string[] {
  return line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split(/(?<!\\)\|/)
    .map((c) => c.trim());
}

function tables(markdown: string): { headers: { line: number; cells: string[] }[]; rows: Row[] } {
  const headers: { line: number; cells: string[] }[] = [];
  const rows: Row[] = [];
  let section = '';
  let inTable = false;
  markdown.split('\n').forEach((text, i) => {
    if (text.startsWith('## ')) section = text.slice(3);
    if (!text.startsWith('|')) {
      inTable = false;
      return;
    }
    if (!inTable) {
      inTable = true;
      headers.push({ line: i + 1, cells: cellsOf(text) });
      return;
    }
    if (/^\|(\s*-+\s*\|)+\s*$/.test(text)) return;
    rows.push({ line: i + 1, section, cells: cellsOf(text) });
  });
  return { headers, rows };
}

const { headers, rows } = tables(LEDGER);

// A URL, an issue or PR (k3s#11384, etcd-io/etcd#12345) or a repository path (owner/repo path[@commit]).
const SOURCE = /https?:\/\/\S+|\b[\w.-]+#\d+\b|\b[\w.-]+\/[\w.-]+ [\w./-]+/;

describe('docs/upstream.md', () => {
  it('has a table for every area, each with the six ledger columns', () => {
    const sections = [...LEDGER.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    for (const area of [
      'Nodes, roles, units',
      'Certificates and `certificate rotate`',
      '`certificate rotate-ca`',
      'Secrets encryption',
      'etcd',
      'API objects, annotations, events',
      'Journal signatures',
      'Version cuts',
      'Lab faults',
      'Lab node commands',
    ]) {
      expect(sections).toContain(area);
    }
    expect(headers.length).toBeGreaterThanOrEqual(10);
    for (const header of headers) expect(header.cells, `table at line ${header.line}`).toEqual(HEADER);
  });

  it('every row has six cells, a behaviour and a source that names a URL, an issue/PR or a repository path', () => {
    expect(rows.length).toBeGreaterThan(60);
    for (const row of rows) {
      const where = `docs/upstream.md:${row.line} (${row.section})`;
      expect(row.cells, where).toHaveLength(6);
      const [behaviour, versions, source, keyturn, lab, test] = row.cells;
      expect(behaviour.length, where).toBeGreaterThan(10);
      expect(versions, where).not.toBe('');
      expect(source, where).toMatch(SOURCE);
      for (const cell of [keyturn, lab, test]) expect(cell, where).not.toBe('');
    }
  });

  it('every file a row names exists in the repository', () => {
    const missing: string[] = [];
    for (const row of rows) {
      for (const cell of row.cells) {
        for (const [file] of cell.matchAll(/\b(?:src|recipes|test)\/[\w./-]+\.(?:tsx?|txt)\b/g)) {
          if (!existsSync(path.join(repoRoot, file))) missing.push(`docs/upstream.md:${row.line}: ${file}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('names every release gate exported by lab/upstream-versions.ts', () => {
    const gates = Object.entries(upstreamVersions)
      .filter(([, v]) => typeof v === 'function')
      .map(([name]) => name);
    expect(gates.length).toBeGreaterThanOrEqual(5);
    for (const gate of gates) expect(LEDGER, gate).toContain(`\`${gate}\``);
  });

  it('names every fault the lab can inject', () => {
    const faults = [...readFileSync(path.join(repoRoot, 'lab/faults.ts'), 'utf8').matchAll(/case '([\w-]+)':/g)].map(
      (m) => m[1],
    );
    expect(faults).toEqual(
      expect.arrayContaining([
        'stop-service',
        'parallel-restart',
        'expire-certs',
        'ca-drift',
        'hash-mismatch',
        'latency',
      ]),
    );
    const section = LEDGER.slice(LEDGER.indexOf('## Lab faults'), LEDGER.indexOf('## Lab node commands'));
    for (const fault of faults) expect(section, fault).toContain(`\`${fault}`);
  });

  it('names every command the lab answers on a node', () => {
    const commands = labNodeCommands();
    // The extraction itself must keep finding what lab/commands answers.
    expect(commands).toEqual(
      expect.arrayContaining([
        'systemctl reset-failed',
        'journalctl',
        '<prog> certificate rotate-ca',
        '<prog> secrets-encrypt rotate-keys',
        '<prog> etcd-snapshot save',
        '<prog> --version',
      ]),
    );
    for (const command of commands) expect(LEDGER, command).toContain(`\`${command}\``);
  });
});

/**
 * Every node command of lab/commands, read from its source: the programs and `<prog>` subcommands that
 * index.ts dispatches, then each subcommand's own verbs (case labels, verb lists, `sub !== '...'` checks).
 */
function labNodeCommands(): string[] {
  const dir = path.join(repoRoot, 'lab/commands');
  const source = (file: string) => readFileSync(path.join(dir, file), 'utf8');
  const index = source('index.ts');
  const programs = [...index.matchAll(/prog === '([\w-]+)'/g)].map((m) => m[1]);
  const runProg = index.slice(index.indexOf('async function runProg'));
  const subcommands = [...runProg.matchAll(/case '([^']+)':/g)].map((m) => m[1]);
  // A file's declared verb list (`const VERBS = [...] as const`) when it has one (its other switches are about
  // results, not verbs); otherwise its case labels and `sub === '...'` checks.
  const verbsOf = (text: string): string[] => {
    const list = /const [A-Z_]+ = \[([^\]]*)\] as const/.exec(text);
    if (list) return [...list[1].matchAll(/'([^']+)'/g)].map((m) => m[1]);
    const found = new Set<string>();
    for (const m of text.matchAll(/case '([^']+)':/g)) found.add(m[1]);
    for (const m of text.matchAll(/\bsub [!=]== '([^']+)'/g)) found.add(m[1]);
    return [...found];
  };
  const commands: string[] = [];
  for (const program of programs) {
    const file = `${program}.ts`;
    if (program === 'systemctl') commands.push(...verbsOf(source(file)).map((v) => `systemctl ${v}`));
    else commands.push(program);
  }
  // Global flags before the subcommand (k3s root.go): `<prog> --version` is answered from them.
  if (/globals\.version/.test(runProg)) commands.push('<prog> --version');
  if (/isKillallCommand/.test(index)) commands.push('<prog>-killall.sh');
  for (const sub of subcommands) {
    if (sub.startsWith('-') || sub === 'version') {
      if (sub === '--version') commands.push('<prog> --version');
      continue;
    }
    const file = `${sub}.ts`;
    if (!existsSync(path.join(dir, file)))
      throw new Error(`lab/commands/index.ts dispatches "${sub}" but there is no lab/commands/${file}`);
    const verbs = verbsOf(source(file));
    if (verbs.length === 0) throw new Error(`no verbs found in lab/commands/${file}`);
    commands.push(...verbs.map((v) => `<prog> ${sub} ${v}`));
  }
  return [...new Set(commands)].sort();
}

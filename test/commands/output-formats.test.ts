// `-o json|yaml` on status, plan and report, run as the CLI (from source) against a lab; and docs/json.md held to
// the documents: every field the real output of each command has must be listed there.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recipeNames } from '../../recipes/index.js';
import { newRunId } from '../../src/engine/driver.js';
import { driveLab } from '../engine/support/lab-drive.js';
import { startLab, type LabHandle } from '../support/lab.js';
import { deadPort, writeMultiKubeconfig } from '../support/multi-kubeconfig.js';
import { cliArgs, repoRoot } from '../support/paths.js';

const exec = promisify(execFile);

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

let lab: LabHandle;
let configDir = '';
let stateDir = '';
let runId = '';

async function keyturn(args: string[], withCluster = true): Promise<Ran> {
  const cluster = withCluster ? ['--kubeconfig', lab.kubeconfig, '--inventory', lab.inventory] : [];
  try {
    const { stdout, stderr } = await exec(process.execPath, [...cliArgs, ...args, ...cluster], {
      cwd: repoRoot,
      env: { ...process.env, KEYTURN_CONFIG_DIR: configDir, KEYTURN_STATE_DIR: stateDir },
      maxBuffer: 64 << 20,
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

/** `status --all-contexts` on a kubeconfig with the lab (context `lab`, its inventory) and a dead API (`gone`). */
async function fleetStatus(format: 'json' | 'yaml'): Promise<Ran> {
  const file = path.join(configDir, 'fleet-kubeconfig');
  await writeMultiKubeconfig(
    file,
    [{ context: 'lab', kubeconfig: lab.kubeconfig }],
    [{ context: 'gone', server: `https://127.0.0.1:${await deadPort()}` }],
  );
  return keyturn(
    ['status', '--kubeconfig', file, '--all-contexts', '--inventory', `lab=${lab.inventory}`, '-o', format],
    false,
  );
}

/** Every key path in a document, as segments: a key, or `[]` for a list item (`nodes`, `[]`, `name`). */
function fieldPaths(doc: unknown, prefix: string[] = [], out: string[][] = []): string[][] {
  if (Array.isArray(doc)) for (const item of doc) fieldPaths(item, [...prefix, '[]'], out);
  else if (doc !== null && typeof doc === 'object') {
    for (const [key, value] of Object.entries(doc)) {
      out.push([...prefix, key]);
      fieldPaths(value, [...prefix, key], out);
    }
  }
  return out;
}

/** The paths as docs/json.md writes them (`nodes[].name`); map keys may hold dots, so only for display. */
const shown = (segments: string[]) => segments.join('.').replace(/\.\[\]/g, '[]');

/** docs/json.md: the backticked paths in the first column of each `## keyturn <command>` section's table. */
function documented(markdown: string): Map<string, string[][]> {
  const sections = new Map<string, string[][]>();
  let current: string[][] | null = null;
  for (const line of markdown.split('\n')) {
    const heading = /^## `keyturn ([^`]+)`/.exec(line);
    if (heading) sections.set(heading[1], (current = []));
    else if (/^## /.test(line)) current = null;
    const row = /^\| `([^`]+)` \|/.exec(line);
    if (row && current)
      current.push(row[1].split('.').flatMap((seg) => (seg.endsWith('[]') ? [seg.slice(0, -2), '[]'] : [seg])));
  }
  return sections;
}

/** A documented path matches when every segment is equal, or the documented one is a `<placeholder>` (a map key). */
function matches(actual: string[], doc: string[]): boolean {
  return (
    actual.length === doc.length &&
    actual.every((seg, i) => seg === doc[i] || (/^<[^>]+>$/.test(doc[i]) && seg !== '[]'))
  );
}

/** Fields of `doc` no row names; `others`: a top-level field documented as another section (report's `plan`). */
function undocumented(doc: unknown, rows: string[][], others: Map<string, string[][]> = new Map()): string[] {
  const missing = fieldPaths(doc).filter((p) => {
    const other = p.length > 1 ? others.get(p[0]) : undefined;
    if (other) return !other.some((r) => matches(p.slice(1), r));
    return !rows.some((r) => matches(p, r));
  });
  return [...new Set(missing.map(shown))];
}

beforeAll(async () => {
  configDir = await mkdtemp(path.join(os.tmpdir(), 'kt-out-conf-'));
  lab = await startLab({ topology: 'split', etcd: 'emulated', speed: 20 });
  // A real run's journal for `report`: rotate-certs through the real session and transports.
  const driven = await driveLab(lab, 'rotate-certs', newRunId('rotate-certs', Date.now()));
  expect(driven.state.outcome.status).toBe('succeeded');
  stateDir = driven.stateDir;
  runId = driven.state.runId;
}, 300_000);

afterAll(async () => {
  await lab?.stop();
  if (configDir) await rm(configDir, { recursive: true, force: true });
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

describe('-o json|yaml', () => {
  it('status: -o json, --output yaml and the older --json print the same document', async () => {
    const json = await keyturn(['status', '-o', 'json']);
    expect(json.stderr).toBe('');
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout) as { nodes: { name: string }[] };
    expect(doc.nodes.map((n) => n.name).sort()).toEqual(lab.nodes.map((n) => n.name).sort());
    const yaml = await keyturn(['status', '--output', 'yaml']);
    expect(yaml.code).toBe(0);
    expect(yaml.stdout.trimStart().startsWith('{')).toBe(false);
    const fromYaml = parseYaml(yaml.stdout) as typeof doc;
    expect(fieldPaths(fromYaml).map(shown)).toEqual(fieldPaths(doc).map(shown));
    expect(fromYaml.nodes.map((n) => n.name)).toEqual(doc.nodes.map((n) => n.name));
    const alias = await keyturn(['status', '--json']);
    expect(fieldPaths(JSON.parse(alias.stdout)).map(shown)).toEqual(fieldPaths(doc).map(shown));
  }, 120_000);

  it('status over several clusters: one JSON document a line, or a YAML stream of the same documents', async () => {
    const json = await fleetStatus('json');
    expect(json.stderr).toBe('');
    expect(json.code).toBe(2); // the dead context
    const docs = json.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { context: string; exitCode: number; report: { nodes: unknown[] } | null });
    expect(docs.map((d) => [d.context, d.exitCode])).toEqual([
      ['lab', 0],
      ['gone', 2],
    ]);
    expect(docs[0].report?.nodes).toHaveLength(lab.nodes.length);
    const yaml = await fleetStatus('yaml');
    expect(yaml.code).toBe(2);
    const fromYaml = parseAllDocuments(yaml.stdout).map((d) => d.toJS() as (typeof docs)[number]);
    expect(fromYaml.map((d) => d.context)).toEqual(['lab', 'gone']);
    expect(fieldPaths(fromYaml).map(shown)).toEqual(fieldPaths(docs).map(shown));
  }, 120_000);

  it('plan: the plan as a document', async () => {
    const json = await keyturn(['plan', 'rotate-certs', '-o', 'json']);
    expect(json.code).toBe(0);
    const plan = JSON.parse(json.stdout) as { recipe: string; nodes: { name: string }[] };
    expect(plan.recipe).toBe('rotate-certs');
    expect(plan.nodes.map((n) => n.name).sort()).toEqual(lab.nodes.map((n) => n.name).sort());
    const yaml = await keyturn(['plan', 'rotate-certs', '-o', 'yaml']);
    expect(yaml.code).toBe(0);
    expect(parseYaml(yaml.stdout)).toEqual(plan);
  }, 120_000);

  it('report: the folded run as a document, -o json and -o yaml', async () => {
    const json = await keyturn(['report', runId, '-o', 'json', '--state-dir', stateDir], false);
    expect(json.stderr).toBe('');
    expect(json.code).toBe(0);
    const state = JSON.parse(json.stdout) as { runId: string; outcome: { status: string }; plan: { recipe: string } };
    expect(state).toMatchObject({ runId, outcome: { status: 'succeeded' }, plan: { recipe: 'rotate-certs' } });
    const yaml = await keyturn(['report', runId, '-o', 'yaml', '--state-dir', stateDir], false);
    expect(parseYaml(yaml.stdout)).toEqual(state);
  }, 60_000);

  it('an unknown format is one line naming it and the choices, exit 2, for each command', async () => {
    for (const args of [
      ['status', '-o', 'xml'],
      ['plan', 'rotate-certs', '--output', 'xml'],
      ['report', runId, '-o', 'xml', '--state-dir', stateDir],
    ]) {
      const r = await keyturn(args, args[0] !== 'report');
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^keyturn: -o xml: unknown output format — use one of: json, yaml\n$/);
    }
    const both = await keyturn(['status', '--json', '-o', 'yaml']);
    expect(both.code).toBe(2);
    expect(both.stderr.trim().split('\n')).toHaveLength(1);
  }, 60_000);
});

describe('docs/json.md documents every field', () => {
  it("of status, of every recipe's plan, and of report", async () => {
    const docs = documented(await readFile(path.join(repoRoot, 'docs/json.md'), 'utf8'));
    expect([...docs.keys()].sort()).toEqual(['plan', 'report', 'status', 'status --all-contexts']);
    const missing: string[] = [];
    const status = JSON.parse((await keyturn(['status', '-o', 'json'])).stdout);
    missing.push(...undocumented(status, docs.get('status')!).map((p) => `status: ${p}`));
    let plans = 0;
    for (const recipe of recipeNames()) {
      const r = await keyturn(['plan', recipe, '-o', 'json']);
      if (r.code !== 0) continue; // refused on this cluster (stderr), no document
      plans++;
      missing.push(...undocumented(JSON.parse(r.stdout), docs.get('plan')!).map((p) => `plan ${recipe}: ${p}`));
    }
    expect(plans).toBeGreaterThanOrEqual(3);
    const report = JSON.parse((await keyturn(['report', runId, '-o', 'json', '--state-dir', stateDir], false)).stdout);
    missing.push(
      ...undocumented(report, docs.get('report')!, new Map([['plan', docs.get('plan')!]])).map((p) => `report: ${p}`),
    );
    const fleet = await fleetStatus('json');
    for (const doc of fleet.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as unknown)) {
      missing.push(
        ...undocumented(doc, docs.get('status --all-contexts')!, new Map([['report', docs.get('status')!]])).map(
          (p) => `status --all-contexts: ${p}`,
        ),
      );
    }
    expect([...new Set(missing)]).toEqual([]);
  }, 240_000);

  it('the check fails on a field that is not in the table', () => {
    expect(undocumented({ a: 1, b: [{ c: 2 }] }, [['a'], ['b']])).toEqual(['b[].c']);
    expect(undocumented({ m: { 'x.1': { y: 1 } } }, [['m'], ['m', '<key>'], ['m', '<key>', 'y']])).toEqual([]);
    expect(undocumented({ m: { x: { z: 1 } } }, [['m'], ['m', '<key>'], ['m', '<key>', 'y']])).toEqual(['m.x.z']);
    expect(undocumented({ plan: { z: 1 } }, [['plan']], new Map([['plan', [['y']]]]))).toEqual(['plan.z']);
    const docs = documented('## `keyturn status`\n\n| Path | Meaning |\n|---|---|\n| `nodes[].name` | x |\n');
    expect(docs.get('status')).toEqual([['nodes', '[]', 'name']]);
  });
});

// `<prog> certificate check` output compared with the upstream fixtures.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certFilesFor } from '../../../src/model/cert-files.js';
import {
  backdateLeaves,
  certificateCheckOutput,
  formatCertificateCheck,
  generateClusterCAs,
  writeNodeCertificates,
  type NodeCertContext,
} from '../../../lab/pki/index.js';
import { formatGoDate, formatRfc3339, humanizeDuration } from '../../../lab/pki/go-format.js';
import { AGENT_ROLES, DAY_MS, SERVER_ROLES, T0, makeTempDir, nodeContext } from './support.js';

const FIXTURES = path.resolve('test/fixtures/upstream');
const COLUMNS = ['FILENAME', 'SUBJECT', 'USAGES', 'EXPIRES', 'RESIDUAL TIME', 'STATUS'];
const after = (days: number) => new Date(T0.getTime() + days * DAY_MS);

interface Table {
  header: string[];
  /** Where each header title starts: tabwriter aligns every row's cells there. */
  offsets: number[];
  rows: { line: string; cells: string[] }[];
}

/** Parses a tabwriter table (padding 3: cells are separated by 3+ spaces, values contain at most single spaces). */
function parseTable(text: string): Table {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => line.startsWith('FILENAME'));
  if (start < 0) throw new Error('no table header');
  const header = lines[start].trimEnd().split(/ {3,}/);
  const offsets = header.map((title) => lines[start].indexOf(title));
  const body = lines.slice(start + 2).filter((line) => line.trim() !== '' && !line.startsWith('#'));
  return { header, offsets, rows: body.map((line) => ({ line, cells: line.trimEnd().split(/ {3,}/) })) };
}

function expectWellFormedRows(table: Table): void {
  for (const { line, cells } of table.rows) {
    expect(cells, line).toHaveLength(6);
    const [filename, , usages, expires, residual, status] = cells;
    expect(filename).toMatch(/^[a-z0-9-]+\.crt$/);
    expect(usages).toMatch(/^(CertSign|ServerAuth|ClientAuth)(,(ServerAuth|ClientAuth))*$/);
    expect(expires).toMatch(/^[A-Z][a-z]{2} \d{2}, \d{4} \d{2}:\d{2} UTC$/);
    expect(residual).toMatch(/^(now|\d+ (seconds?|minutes?|hours?|days?|weeks?|months?|years?)|a long while)$/);
    expect(['OK', 'WARNING', 'EXPIRED', 'NOT YET VALID']).toContain(status);
    cells.forEach((cell, i) =>
      expect(line.indexOf(cell, i === 0 ? 0 : table.offsets[i]), `${line} / ${cell}`).toBe(table.offsets[i]),
    );
  }
}

describe('go formatting', () => {
  it('renders residual time like go-humanize', () => {
    expect(humanizeDuration(365 * DAY_MS)).toBe('1 year');
    expect(humanizeDuration(3650 * DAY_MS)).toBe('10 years');
    expect(humanizeDuration(89 * DAY_MS)).toBe('2 months');
    expect(humanizeDuration(6 * DAY_MS + 5000)).toBe('6 days');
    expect(humanizeDuration(-35 * DAY_MS)).toBe('1 month');
    expect(humanizeDuration(600 * DAY_MS)).toBe('2 years');
    expect(humanizeDuration(500)).toBe('now');
  });

  it('renders dates like Go layouts', () => {
    expect(formatGoDate(new Date('2026-06-02T11:12:59Z'))).toBe('Jun 02, 2026 11:12 UTC');
    expect(formatRfc3339(new Date('2025-04-12T18:50:33.250Z'))).toBe('2025-04-12T18:50:33Z');
  });
});

describe('formatCertificateCheck', () => {
  let server: NodeCertContext;
  let agent: NodeCertContext;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    const temp = await makeTempDir('check');
    cleanup = temp.cleanup;
    const cas = await generateClusterCAs('rke2', T0);
    server = nodeContext(temp.dir, 'server-1', 'rke2', SERVER_ROLES, cas, 1);
    agent = nodeContext(temp.dir, 'ip-10-11-0-14', 'rke2', AGENT_ROLES, cas, 2);
    await Promise.all([writeNodeCertificates(server, T0), writeNodeCertificates(agent, T0)]);
  });
  afterAll(() => cleanup());

  it('parses the upstream fixtures with the same table reader', async () => {
    for (const name of ['k3s-certificate-check-table-server.txt', 'rke2-certificate-check-table-doc.txt']) {
      const fixture = parseTable(await readFile(path.join(FIXTURES, name), 'utf8'));
      expect(fixture.header, name).toEqual(COLUMNS);
      expect(fixture.rows.length, name).toBeGreaterThan(2);
      expectWellFormedRows(fixture);
    }
  });

  it('prints a table with the fixture columns, a row per certificate in each bundle', async () => {
    const text = await formatCertificateCheck(server, after(1), 'table');
    expect(text.startsWith('\nFILENAME')).toBe(true);
    const table = parseTable(text);
    expect(table.header).toEqual(COLUMNS);
    expectWellFormedRows(table);
    const leaves = certFilesFor('rke2', SERVER_ROLES).filter((f) => f.kind === 'leaf');
    expect(table.rows).toHaveLength(leaves.length * 2);
    const admin = table.rows.filter((row) => row.cells[0] === 'client-admin.crt').map((row) => row.cells);
    expect(admin).toEqual([
      ['client-admin.crt', 'system:admin', 'ClientAuth', 'May 15, 2026 22:03 UTC', '1 year', 'OK'],
      [
        'client-admin.crt',
        `rke2-client-ca@${Math.floor(T0.getTime() / 1000)}`,
        'CertSign',
        'May 13, 2035 22:03 UTC',
        '10 years',
        'OK',
      ],
    ]);
  });

  it('matches the agent rows of the rke2 doc example', async () => {
    const ours = parseTable(await formatCertificateCheck(agent, after(1), 'table'));
    const doc = parseTable(await readFile(path.join(FIXTURES, 'rke2-certificate-check-table-doc.txt'), 'utf8'));
    const shape = (t: Table) =>
      t.rows.map(({ cells }) => [cells[0], cells[1].replace(/@\d+$/, '@TS'), cells[2], cells[4], cells[5]]);
    expect(shape(ours)).toEqual(shape(doc));
  });

  it('marks leaves inside the warning window and expired ones', async () => {
    const warn = parseTable(await formatCertificateCheck(agent, after(300), 'table'));
    expect(warn.rows.filter((r) => r.cells[2] !== 'CertSign').every((r) => r.cells[5] === 'WARNING')).toBe(true);
    expect(warn.rows.filter((r) => r.cells[2] === 'CertSign').every((r) => r.cells[5] === 'OK')).toBe(true);
    const expired = parseTable(await formatCertificateCheck(agent, after(400), 'table'));
    expect(expired.rows.find((r) => r.cells[1] === 'system:kube-proxy')?.cells.slice(4)).toEqual([
      '1 month',
      'EXPIRED',
    ]);
  });

  it('prints upstream text lines, server banner first', async () => {
    const text = await formatCertificateCheck(server, after(1), 'text');
    const lines = text.trimEnd().split('\n');
    expect(lines[0].trimEnd()).toBe('INFO[0000] Server detected, checking agent and server certificates');
    expect(lines).toContain(`INFO[0000] Checking certificates for kubelet            `);
    const kubelet = path.join(server.dataDir, 'agent/client-kubelet.crt');
    expect(lines).toContain(
      `INFO[0000] ${kubelet}: certificate CN=system:node:server-1,O=system:nodes is ok, expires at 2026-05-15T22:03:27Z `,
    );
    const agentText = await formatCertificateCheck(agent, after(400), 'text');
    expect(agentText.split('\n')[0]).toBe('INFO[0000] Agent detected, checking agent certificates  ');
    expect(agentText).toContain(
      `ERRO[0000] ${path.join(agent.dataDir, 'agent/client-kube-proxy.crt')}: certificate CN=system:kube-proxy expired at 2026-05-15T22:03:27Z`,
    );
  });

  it('prints upstream JSON on stdout and the banner on stderr', async () => {
    const output = await certificateCheckOutput(agent, after(1), 'json');
    expect(output.stderr).toContain('level=info msg="Agent detected, checking agent certificates"');
    const parsed = JSON.parse(output.stdout) as { Certificates: Record<string, unknown>[] };
    expect(parsed.Certificates).toHaveLength(8);
    expect(parsed.Certificates[0]).toEqual({
      Filename: 'client-kube-proxy.crt',
      Subject: 'system:kube-proxy',
      Issuer: `rke2-client-ca@${Math.floor(T0.getTime() / 1000)}`,
      Usages: ['ClientAuth'],
      ExpiryTime: '2026-05-15T22:03:27Z',
      ResidualTime: 364 * DAY_MS * 1_000_000,
      Status: 'OK',
    });
  });

  it('reads the files on disk, not what was issued', async () => {
    const temp = await makeTempDir('check-disk');
    try {
      const cas = await generateClusterCAs('k3s', T0);
      const node = nodeContext(temp.dir, 'a', 'k3s', AGENT_ROLES, cas);
      await writeNodeCertificates(node, T0);
      await backdateLeaves(node, 400);
      const table = parseTable(await formatCertificateCheck(node, T0, 'table'));
      expect(table.rows.filter((r) => r.cells[5] === 'EXPIRED')).toHaveLength(4);
    } finally {
      await temp.cleanup();
    }
  });
});

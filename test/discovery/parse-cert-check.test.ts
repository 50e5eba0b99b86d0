import { describe, expect, it } from 'vitest';
import { parseCertCheck, parseCertCheckTable, parseCertCheckText, parseTableDate } from '../../src/discovery/parse-cert-check.js';
import { fixture } from './support/fixtures.js';

describe('certificate check output', () => {
  it('reads the k3s server table, skipping debug log lines, one row per cert of each bundle', () => {
    const rows = parseCertCheckTable(fixture('k3s-certificate-check-table-server.txt'));
    expect(rows).toHaveLength(4);
    expect(rows[0]).toEqual({
      file: 'client-admin.crt',
      subject: 'system:admin',
      usages: ['ClientAuth'],
      expires: '2026-05-15T22:03:00.000Z',
      status: 'ok',
    });
    expect(rows[3]).toMatchObject({ file: 'client-auth-proxy.crt', subject: 'k3s-request-header-ca@1747346607', usages: ['CertSign'], expires: '2035-05-13T22:03:00.000Z' });
  });

  it('reads the rke2 agent table from the docs', () => {
    const rows = parseCertCheck(fixture('rke2-certificate-check-table-doc.txt'));
    expect(rows.map((r) => r.file)).toEqual([
      'client-kube-proxy.crt', 'client-kube-proxy.crt', 'client-kubelet.crt', 'client-kubelet.crt',
      'serving-kubelet.crt', 'serving-kubelet.crt', 'client-rke2-controller.crt', 'client-rke2-controller.crt',
    ]);
    expect(rows[4]).toMatchObject({ subject: 'ip-10-11-0-14', usages: ['ServerAuth'], expires: '2026-06-12T11:12:00.000Z', status: 'ok' });
    expect(rows.every((r) => r.status === 'ok')).toBe(true);
  });

  it('reads the text format (agent check after rotate), with full paths and RFC 3339 dates', () => {
    const rows = parseCertCheckText(fixture('k3s-certificate-rotate-output-server-and-agent.txt'));
    expect(rows).toHaveLength(4);
    expect(rows[0]).toMatchObject({ file: '/var/lib/rancher/k3s/agent/client-kube-proxy.crt', subject: 'CN=system:kube-proxy', expires: '2025-04-12T18:50:33.000Z', status: 'ok' });
    expect(rows[2].subject).toBe('CN=system:node:ip-172-31-11-205,O=system:nodes');
  });

  it('maps non-OK states and rejects other shapes', () => {
    const table = [
      'FILENAME     SUBJECT   USAGES       EXPIRES                  RESIDUAL TIME   STATUS',
      '--------     -------   ------       -------                  -------------   ------',
      'a.crt        x         ClientAuth   Jan  1, 2024 00:00 UTC   -1 year         EXPIRED',
      'b.crt        y         ClientAuth   Feb 10, 2027 01:02 UTC   80 days         WARNING',
      '',
    ].join('\n');
    const rows = parseCertCheckTable(table);
    expect(rows.map((r) => r.status)).toEqual(['expired', 'warning']);
    expect(rows[0].expires).toBe('2024-01-01T00:00:00.000Z');
    expect(parseCertCheckText('INFO[0000] /x/a.crt: certificate CN=a expired at 2024-01-01T00:00:00Z')[0].status).toBe('expired');
    expect(parseTableDate('Foo 1, 2024 00:00 UTC')).toBeNull();
    expect(parseCertCheck('no table here')).toEqual([]);
  });
});

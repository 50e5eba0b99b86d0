// The wizard's cluster picker list: a row per context with the status --all-contexts summary (summarize() on the
// report), "scanning…" until its scan ends, an unreadable cluster with why, the highlighted one's expiry timeline.
import { describe, expect, it } from 'vitest';
import React from 'react';
import { render } from 'ink-testing-library';
import { ClusterList } from '../../components/ClusterList.js';
import { summarize, worstExitCode, type ClusterRead } from '../../src/model/cluster-summary.js';
import { lineWith, stripAnsi } from './frames.js';
import { splitReport } from './sample-report.js';

function readOf(context: string): ClusterRead {
  const report = splitReport();
  return { context, server: 'https://10.0.0.1:6443', exitCode: 1, problem: null, summary: summarize(report), report };
}

describe('ClusterList', () => {
  it("rows with the summary, scanning… before the scan ends, NOT READ with why; the selected cluster's timeline", () => {
    const dead: ClusterRead = {
      context: 'gone',
      server: null,
      exitCode: 2,
      problem: 'the API is down and no node could be reached',
      summary: null,
      report: null,
    };
    const reads = new Map([
      ['prod', readOf('prod')],
      ['gone', dead],
    ]);
    const frame = stripAnsi(
      render(<ClusterList contexts={['prod', 'edge', 'gone']} reads={reads} selected={0} width={200} />).lastFrame() ??
        '',
    );
    expect(frame).toContain('(2 of 3 scanned)');
    const prod = lineWith(frame, 'prod ');
    expect(prod).toMatch(/^❯ prod/);
    expect(prod).toMatch(/expiry EXPIRED 3d ago/); // agent-2's leaf in the sample
    expect(prod).toContain(summarize(splitReport()).failing.join(','));
    expect(lineWith(frame, 'edge')).toMatch(/edge +scanning…/);
    expect(lineWith(frame, 'gone')).toContain('NOT READ: the API is down and no node could be reached');
    expect(frame).toMatch(/Earliest leaf expiry \(days left\)\netcd-1 /);
  });

  it('summarize: the earliest leaf across nodes (CAs left out), the verdicts of the three checks, the failing ids; worst exit', () => {
    const report = splitReport();
    const s = summarize(report);
    const leaves = report.nodes.flatMap((n) =>
      n.certificates.filter((c) => !c.isCA).map((c) => ({ n: n.name, d: c.daysLeft })),
    );
    const min = leaves.reduce((a, b) => (b.d < a.d ? b : a));
    expect(s.earliestExpiry).toMatchObject({ node: min.n, daysLeft: min.d });
    expect(s.ca).toBe(report.checks.find((c) => c.id === 'ca-consistency')?.status);
    expect(s.failing).toEqual(report.checks.filter((c) => c.status !== 'pass').map((c) => c.id));
    expect(s.nodes).toBe(report.nodes.length);
    expect(worstExitCode([{ exitCode: 0 }, { exitCode: 2 }, { exitCode: 1 }])).toBe(2);
    expect(worstExitCode([{ exitCode: 0 }, { exitCode: 1 }])).toBe(1);
    expect(worstExitCode([])).toBe(0);
  });
});

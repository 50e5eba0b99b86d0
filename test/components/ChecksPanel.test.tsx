import { describe, expect, it, vi } from 'vitest';
vi.hoisted(() => {
  process.env.FORCE_COLOR = '1';
});
import React from 'react';
import { render } from 'ink-testing-library';
import { ChecksPanel } from '../../components/ChecksPanel.js';
import { isColoured, lineWith, stripAnsi } from './frames.js';
import { splitReport } from './sample-report.js';

describe('ChecksPanel', () => {
  const report = splitReport();
  const diagnoses = report.nodes.flatMap((n) => n.diagnoses.map((d) => ({ ...d, node: n.name })));
  const raw = render(<ChecksPanel checks={report.checks} diagnoses={diagnoses} />).lastFrame() ?? '';
  const plain = stripAnsi(raw);

  it('shows each check with its glyph, colour and detail', () => {
    expect(plain).toMatch(/✓ api\s+https:\/\/127\.0\.0\.1:6443 answered \/readyz/);
    expect(plain).toMatch(/✗ certificates\s+1 expired leaf on agent-2/);
    expect(plain).toMatch(/! encryption-hashes\s+cp-2 differs/);
    expect(plain).toMatch(/\? etcd-quorum/);
    expect(isColoured(lineWith(raw, 'ca-consistency'), '✗', 'red')).toBe(true);
    expect(isColoured(lineWith(raw, 'api '), '✓', 'green')).toBe(true);
    expect(isColoured(lineWith(raw, 'encryption-hashes'), '!', 'yellow')).toBe(true);
  });

  it('keeps the glyph and id of a check whose detail is longer than the screen, on one row', () => {
    const long = {
      id: 'api' as const,
      status: 'fail' as const,
      detail: `unavailable (HTTP 503): ${'[-]etcd failed; '.repeat(30)}\nsecond line`,
    };
    const frame = stripAnsi(render(<ChecksPanel checks={[long]} diagnoses={[]} />).lastFrame() ?? '');
    const rows = frame.split('\n').filter((l) => l.trim() !== '');
    expect(rows).toHaveLength(2); // the title and one row
    expect(rows[1]).toMatch(/^✗ api unavailable \(HTTP 503\)/);
  });

  it('shows diagnoses with node, message, evidence and the recipe that fixes it', () => {
    expect(plain).toContain('cp-1: cannot reach etcd: authentication handshake failed');
    expect(plain).toContain('evidence: level=fatal msg="failed to get etcd MemberList');
    expect(plain).toContain('fix: recover-restart-loop');
  });

  it('says when no recipe fixes a diagnosis', () => {
    const frame = render(
      <ChecksPanel checks={[]} diagnoses={[{ node: 'x', code: 'c', message: 'odd', evidence: '', recipe: null }]} />,
    ).lastFrame();
    expect(frame).toContain('no recipe fixes this');
  });
});

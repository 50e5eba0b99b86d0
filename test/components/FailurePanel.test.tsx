import { describe, expect, it } from 'vitest';
import React from 'react';
import { render } from 'ink-testing-library';
import { FailurePanel } from '../../components/FailurePanel.js';
import { stripAnsi } from './frames.js';
import { screenText } from '../../components/screen-text.js';
import { LogPane } from '../../components/LogPane.js';

const failure = {
  node: 'agent-1',
  check: 'command',
  message: '`rke2 certificate rotate` exited 1 on agent-1',
  command: 'rke2 certificate rotate',
  exitCode: 1,
  evidence: ['level=fatal msg="open /var/lib/rancher/rke2/server/token: no such file or directory"'],
  fix: 'read the journal',
};

describe('FailurePanel', () => {
  it('says loudly which node the run left stopped, and offers its start', () => {
    const line =
      'agent-1 is STOPPED: this run stopped rke2-agent and failed before starting it again — start it with `systemctl start rke2-agent` on agent-1';
    const plain = stripAnsi(
      render(
        <FailurePanel
          failure={failure}
          stopped={[line]}
          offer={{ node: 'agent-1', unit: 'rke2-agent', command: 'systemctl start rke2-agent' }}
        />,
      ).lastFrame() ?? '',
    ).replace(/\s*║?\s*\n\s*║?\s*/g, ' ');
    expect(plain).toContain('⚠ agent-1 is STOPPED: this run stopped rke2-agent');
    expect(plain).toContain(
      'Start rke2-agent on agent-1 now (`systemctl start rke2-agent`)? y starts it · n leaves it stopped',
    );
  });

  it('shows no stopped line when no node was left stopped', () => {
    const plain = stripAnsi(render(<FailurePanel failure={failure} />).lastFrame() ?? '');
    expect(plain).not.toContain('STOPPED');
    expect(plain).not.toContain('y starts it');
  });

  it('keeps its border straight around evidence with tabs (Ink counts a tab as width 0; the terminal does not)', () => {
    const tabbed = { ...failure, message: 'exit 1\tafter 3s', evidence: ['col1\tcol2', 'NAME\tSTATUS\tAGE', 'x\ty'] };
    const frame = stripAnsi(render(<FailurePanel failure={tabbed} />).lastFrame() ?? '');
    expect(frame).not.toContain('\t');
    expect(frame).toContain('col1    col2');
    expect(frame).toContain('NAME    STATUS  AGE');
    // Every row of the double border, as the terminal draws it (a tab moves to the next multiple of 8).
    const lines = frame.split('\n').filter((l) => /^[╔║╚]/.test(l));
    const widths = lines.map(
      (l) => [...l.replace(/[^\t]*\t/g, (m) => m.padEnd(Math.ceil(m.length / 8) * 8, ' '))].length,
    );
    expect(lines.length).toBeGreaterThan(5);
    expect(new Set(widths).size).toBe(1);
    expect(
      lines.every((l) => l.trimEnd().endsWith('╗') || l.trimEnd().endsWith('║') || l.trimEnd().endsWith('╝')),
    ).toBe(true);
  });

  it('the live log tail draws tabs as spaces too', () => {
    const frame = stripAnsi(render(<LogPane lines={['a\tb', 'cc\tdd']} height={4} />).lastFrame() ?? '');
    expect(frame).not.toContain('\t');
    const lines = frame.split('\n');
    expect(new Set(lines.map((l) => [...l].length)).size).toBe(1);
  });
});

describe('screenText', () => {
  it('expands tabs to the next 8-column stop, per line, and leaves other text as it is', () => {
    expect(screenText('col1\tcol2')).toBe('col1    col2');
    expect(screenText('\tx')).toBe('        x');
    expect(screenText('12345678\ty')).toBe('12345678        y');
    expect(screenText('ab\tc\nd\te')).toBe('ab      c\nd       e');
    expect(screenText('no tabs ✓')).toBe('no tabs ✓');
  });
});

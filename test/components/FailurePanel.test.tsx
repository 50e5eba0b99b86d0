import { describe, expect, it } from 'vitest';
import React from 'react';
import { render } from 'ink-testing-library';
import { FailurePanel } from '../../components/FailurePanel.js';
import { stripAnsi } from './frames.js';

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
    const line = 'agent-1 is STOPPED: this run stopped rke2-agent and failed before starting it again — start it with `systemctl start rke2-agent` on agent-1';
    const plain = stripAnsi(
      render(<FailurePanel failure={failure} stopped={[line]} offer={{ node: 'agent-1', unit: 'rke2-agent', command: 'systemctl start rke2-agent' }} />).lastFrame() ?? '',
    ).replace(/\s*║?\s*\n\s*║?\s*/g, ' ');
    expect(plain).toContain('⚠ agent-1 is STOPPED: this run stopped rke2-agent');
    expect(plain).toContain('Start rke2-agent on agent-1 now (`systemctl start rke2-agent`)? y starts it · n leaves it stopped');
  });

  it('shows no stopped line when no node was left stopped', () => {
    const plain = stripAnsi(render(<FailurePanel failure={failure} />).lastFrame() ?? '');
    expect(plain).not.toContain('STOPPED');
    expect(plain).not.toContain('y starts it');
  });
});

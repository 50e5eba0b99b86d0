import { describe, expect, it, vi } from 'vitest';
vi.hoisted(() => {
  process.env.FORCE_COLOR = '1';
});
import React from 'react';
import { render } from 'ink-testing-library';
import { LogPane } from '../../components/LogPane.js';
import { isFailureLine } from '../../src/model/journal-signatures.js';
import { isColoured, lineWith, stripAnsi } from './frames.js';

describe('LogPane', () => {
  it('shows only the last N lines and how many came before', () => {
    const lines = Array.from({ length: 50 }, (_, i) => `line ${i + 1}`);
    const frame = stripAnsi(render(<LogPane lines={lines} height={5} title="etcd-1 journal" />).lastFrame() ?? '');
    expect(frame).toContain('etcd-1 journal');
    for (let i = 46; i <= 50; i++) expect(frame).toContain(`line ${i}`);
    expect(frame).not.toMatch(/line 45\b/);
    expect(frame).toContain('… 45 earlier lines');
  });

  it('paints failure signatures red and leaves ordinary lines alone', () => {
    const lines = [
      'level=info msg="Starting rke2"',
      'level=fatal msg="failed to start"',
      'transport: authentication handshake failed: dial tcp 10.0.0.1:2379',
      'x509: certificate has expired or is not yet valid',
    ];
    const raw = render(<LogPane lines={lines} height={10} />).lastFrame() ?? '';
    expect(isColoured(lineWith(raw, 'level=fatal'), 'level=fatal', 'red')).toBe(true);
    expect(isColoured(lineWith(raw, 'handshake'), 'transport: authentication handshake failed', 'red')).toBe(true);
    expect(isColoured(lineWith(raw, 'x509'), 'x509: certificate has expired', 'red')).toBe(true);
    expect(lineWith(raw, 'Starting rke2')).not.toContain('\u001b[31m');
    expect(isFailureLine('level=info msg=ok')).toBe(false);
  });
});

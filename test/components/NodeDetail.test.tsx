import { describe, expect, it } from 'vitest';
import React from 'react';
import { render } from 'ink-testing-library';
import { NodeDetail } from '../../components/NodeDetail.js';
import { cert, node, splitReport } from './sample-report.js';

const byName = (name: string) => splitReport().nodes.find((n) => n.name === name)!;

describe('NodeDetail', () => {
  it('lists every certificate with path, subject, notAfter, days left, status, kind and short sha256', () => {
    const frame = render(<NodeDetail node={byName('cp-1')} width={100} />).lastFrame() ?? '';
    expect(frame).toContain('Certificates (3) under /var/lib/rancher/rke2/');
    expect(frame).toMatch(/server\/tls\/client-admin\.crt\s+client-admin\s+2026-10-28\s+300d\s+ok\s+leaf\s+0cdeadbe/);
    expect(frame).toMatch(/server\/tls\/server-ca\.crt\s+server-ca\s+\S+\s+3600d\s+ok\s+CA/);
  });

  it('shows service with restarts, encryption, etcd and the diagnoses with evidence and recipe', () => {
    const frame = render(<NodeDetail node={byName('cp-1')} width={100} />).lastFrame() ?? '';
    expect(frame).toContain('rke2-server activating restarted 12 times');
    expect(frame).toContain('stage start, hash c0ffee12');
    expect(frame).toContain('no etcd member on this node');
    expect(frame).toContain('cannot reach etcd: authentication handshake failed');
    expect(frame).toContain('evidence: level=fatal');
    expect(frame).toContain('fix: recover-restart-loop');
    const etcd = render(<NodeDetail node={byName('etcd-3')} />).lastFrame() ?? '';
    expect(etcd).toContain('member etcd-3-77 unhealthy — connection refused');
  });

  it('scrolls the certificate list from the given offset', () => {
    const many = node('n', ['worker'], {
      certificates: Array.from({ length: 12 }, (_, i) => cert(`leaf-${i}`, 100 + i)),
    });
    const frame = render(<NodeDetail node={many} certOffset={5} certRows={4} />).lastFrame() ?? '';
    expect(frame).toContain('leaf-5');
    expect(frame).toContain('leaf-8');
    expect(frame).not.toContain('leaf-4.crt');
    expect(frame).not.toContain('leaf-9.crt');
    expect(frame).toContain('rows 6–9 of 12');
  });

  it('says so when the node could not be reached', () => {
    const frame =
      render(<NodeDetail node={node('gone', ['worker'], { reachable: false, certificates: [] })} />).lastFrame() ?? '';
    expect(frame).toContain('unreachable');
    expect(frame).toContain('no certificates could be read');
  });
});

import { describe, expect, it } from 'vitest';
import { renderReport } from '../../src/engine/report.js';
import { foldEvents } from '../../src/engine/reducer.js';
import { setup, start } from './support/run.js';

describe('renderReport', () => {
  it('records who, when, cluster, per-node steps with commands, exit codes, gates, backups and final expiry', async () => {
    const s = await setup('rotate-certs', 'ha', { distro: 'k3s' });
    await start(s);
    const md = renderReport(foldEvents(s.journal.events)!);
    expect(md).toContain('# keyturn run run-1: Rotate certificates');
    expect(md).toContain('- **Operator:** oncall@laptop (1 session)');
    expect(md).toContain('- **Cluster:** https://fake:6443; k3s v1.32.5+k3s1, 4 nodes');
    expect(md).toContain('- **Outcome:** succeeded');
    expect(md).toContain('### server-1 (etcd-control-plane, k3s, 127.0.10.3)');
    expect(md).toMatch(/\| servers\.stop \| `systemctl stop k3s` \| 2025-06-01T\S+ \| [\d.]+s \| 0 \| done: exit 0/);
    expect(md).toContain('| servers.rotate | `k3s certificate rotate` |');
    expect(md).toContain('  - etcd-quorum: pass — 3 members healthy');
    expect(md).toContain('- `/var/lib/rancher/k3s/server/tls.keyturn-run-1`');
    expect(md).toMatch(/\| agent-1 \| 2026-06-01T\S+ \|/);
    expect(md).toContain('| agents.stop | `systemctl stop k3s-agent` |');
    // Planned with the API down, no version was known: the report says so instead of leaving a gap.
    const state = foldEvents(s.journal.events)!;
    const unknown = renderReport({ ...state, plan: { ...state.plan, version: '' } });
    expect(unknown).toContain('; k3s (version unknown: the API could not be read when the run was planned), 4 nodes');
  });

  it('a failed run names the failed check, node, evidence and fix', async () => {
    const s = await setup('rotate-certs', 'ha', { crashLoop: ['server-2'] });
    await start(s);
    const md = renderReport(foldEvents(s.journal.events)!);
    expect(md).toContain('## Failure');
    expect(md).toContain('- **Node:** server-2');
    expect(md).toContain('- **Check:** unit-active');
    expect(md).toContain('recover-restart-loop');
    expect(md).toContain('authentication handshake failed');
    expect(md).toContain('| agent-1 | not read |');
  });
});

// Recovery recipes through `keyturn run` in tmux against one split rke2 lab, answered like a person (y at every
// node): stuck after a parallel restart, it comes back with recover-restart-loop; then down past its certificates'
// expiry, it comes back with renew-expired-certs and no expired leaf left. Both stop every node on purpose, so the
// lab's record must show the bring-up etcd → control-plane → agents without losing a server that is back up.
// (rke2 rotate-certs is run-rotate.test.ts; every k3s recipe is run-k3s.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordEntry } from '../../src/lab/contract.js';
import { haveBinaries } from '../support/binaries.js';
import { startLab, type LabHandle } from '../support/lab.js';
import { TmuxDriver, auditRecord, cliJson, runToSuccess, serverNames, serversLostDuringBringUp, startOrder, stopOrder, tiersOf, unitsTouched } from './run-tmux.js';

const ok = haveBinaries('tmux');

interface StatusDoc {
  nodes: { name: string; service: { state: string } | null; certificates: { path: string; status: string; isCA: boolean; sha256: string }[] }[];
  checks: { id: string; status: string; detail: string }[];
}

const ascending = (xs: number[]) => [...xs].sort((a, b) => a - b);

describe.skipIf(!ok)('keyturn run: recovery recipes in tmux on a split rke2 lab', () => {
  let lab: LabHandle;
  const t = new TmuxDriver();
  let afterRecover: StatusDoc | undefined;

  beforeAll(async () => {
    lab = await startLab({ topology: 'split', distro: 'rke2', speed: 60 });
    await t.setup();
  }, 120_000);

  afterAll(async () => {
    await t.teardown();
    await lab?.stop();
  });

  const status = async () => (await cliJson(lab, ['status', '--json'], { KEYTURN_CONFIG_DIR: t.configDir })) as StatusDoc;
  const leaves = (doc: StatusDoc) => doc.nodes.flatMap((n) => n.certificates.filter((c) => !c.isCA).map((c) => ({ id: `${n.name}:${c.path}`, ...c })));

  /** Every node stopped agents first, then started etcd → control-plane → agents; no server lost once back up. */
  function expectRecovery(record: RecordEntry[], since: string): void {
    const stops = tiersOf(lab, stopOrder(record, since));
    expect(stops).toHaveLength(lab.nodes.length);
    expect(stops).toEqual(ascending(stops).reverse());
    const starts = tiersOf(lab, startOrder(record, since));
    expect(starts).toHaveLength(lab.nodes.length);
    expect(starts).toEqual(ascending(starts));
    expect(serversLostDuringBringUp(record, serverNames(lab), since)).toEqual([]);
    expect(unitsTouched(record, since)).toEqual(['rke2-agent', 'rke2-server']);
  }

  it('recover-restart-loop brings back the lab stuck after a parallel restart', async () => {
    const faultAt = new Date().toISOString();
    await lab.fault('parallel-restart');
    const since = new Date().toISOString();
    // The fault left servers in their restart loop (never back to active): the recipe has something to recover.
    const last = new Map<string, string>();
    for (const e of await lab.record()) if (e.t >= faultAt && e.type === 'service') last.set(e.node, e.to);
    expect([...last].filter(([, to]) => to !== 'active').length).toBeGreaterThan(0);

    const { runId } = await runToSuccess(t, 'recover', lab, 'recover-restart-loop');
    expectRecovery(await lab.record(), since);
    const { outcome, markdown } = await auditRecord(t.stateDir, runId);
    expect(outcome, markdown).toBe('succeeded');

    const after = (afterRecover = await status());
    expect(after.nodes.filter((n) => n.service?.state !== 'active').map((n) => n.name)).toEqual([]);
    expect(after.checks.filter((c) => c.status !== 'pass')).toEqual([]);
  }, 300_000);

  it('renew-expired-certs brings back the lab that was down past expiry, no expired leaf left', async () => {
    await lab.fault('expire-certs');
    const since = new Date().toISOString();
    const { runId } = await runToSuccess(t, 'renew', lab, 'renew-expired-certs');
    expectRecovery(await lab.record(), since);
    const { outcome, markdown } = await auditRecord(t.stateDir, runId);
    expect(outcome, markdown).toBe('succeeded');
    expect(markdown).not.toContain('not read |');

    const after = await status();
    expect(leaves(after).filter((c) => c.status === 'expired').map((c) => c.id)).toEqual([]);
    // The backdated leaves were re-issued on start, not merely left alone.
    if (afterRecover) {
      const old = new Map(leaves(afterRecover).map((c) => [c.id, c.sha256]));
      expect(leaves(after).filter((c) => old.get(c.id) === c.sha256).map((c) => c.id)).toEqual([]);
    }
    expect(after.nodes.filter((n) => n.service?.state !== 'active').map((n) => n.name)).toEqual([]);
    expect(after.checks.filter((c) => c.status !== 'pass')).toEqual([]);
  }, 300_000);
});

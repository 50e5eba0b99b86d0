// Every certificate and recovery recipe through `keyturn run` in tmux against one split k3s lab, answered like a
// person (y at every node): rotate-certs, then renew-expired-certs after the lab was down past expiry, then
// recover-restart-loop after a parallel restart. The lab's own record proves the order and how many servers were
// down; `keyturn status --json` passes every check afterwards; the run's record on disk says it succeeded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordEntry } from '../../src/lab/contract.js';
import { haveBinaries } from '../support/binaries.js';
import { startLab, type LabHandle } from '../support/lab.js';
import {
  TmuxDriver,
  auditRecord,
  cliJson,
  maxServersDown,
  runToSuccess,
  serverNames,
  serversLostDuringBringUp,
  startOrder,
  stopOrder,
  tierOf,
  tiersOf,
  unitsTouched,
} from './run-tmux.js';

const ok = haveBinaries('tmux');

interface StatusDoc {
  nodes: { name: string; service: { state: string } | null; certificates: { path: string; status: string; isCA: boolean; sha256: string }[] }[];
  checks: { id: string; status: string; detail: string }[];
}

const ascending = (xs: number[]) => [...xs].sort((a, b) => a - b);

describe.skipIf(!ok)('keyturn run: every recipe in tmux on a split k3s lab', () => {
  let lab: LabHandle;
  const t = new TmuxDriver();
  let afterRotate: StatusDoc | undefined;

  beforeAll(async () => {
    lab = await startLab({ topology: 'split', distro: 'k3s', speed: 60 });
    await t.setup();
  }, 120_000);

  afterAll(async () => {
    await t.teardown();
    await lab?.stop();
  });

  const status = async () => (await cliJson(lab, ['status', '--json'], { KEYTURN_CONFIG_DIR: t.configDir })) as StatusDoc;
  const leaves = (doc: StatusDoc) => doc.nodes.flatMap((n) => n.certificates.filter((c) => !c.isCA).map((c) => ({ id: `${n.name}:${c.path}`, ...c })));

  /** The run's record on disk says it succeeded; `certs`: the recipe read every node's leaves at the end. */
  async function expectRecorded(runId: string, certs: boolean): Promise<void> {
    const { outcome, markdown } = await auditRecord(t.stateDir, runId);
    expect(outcome, markdown).toBe('succeeded');
    if (certs) expect(markdown).not.toContain('not read |');
  }

  /**
   * A recovery stops every node on purpose (agents first, etcd servers last), then starts them etcd →
   * control-plane → agents, one at a time, and never loses a server that is back up.
   */
  function expectRecovery(record: RecordEntry[], since: string): void {
    const stops = tiersOf(lab, stopOrder(record, since));
    expect(stops).toHaveLength(lab.nodes.length);
    expect(stops).toEqual(ascending(stops).reverse());
    const starts = tiersOf(lab, startOrder(record, since));
    expect(starts).toHaveLength(lab.nodes.length);
    expect(starts).toEqual(ascending(starts));
    expect(serversLostDuringBringUp(record, serverNames(lab), since)).toEqual([]);
    expect(unitsTouched(record, since)).toEqual(['k3s', 'k3s-agent']);
  }

  it('rotate-certs: asked node by node in rotation order, one server down at a time, journal streamed', async () => {
    const since = new Date().toISOString();
    // From the first question on, watch for a node's journal streaming into the log pane as it starts and settles.
    let logPane: Promise<string> | undefined;
    const { asked, runId } = await runToSuccess(t, 'rotate', lab, 'rotate-certs', {
      beforeNode: async () => {
        logPane ??= t.waitFor('rotate', 'a k3s journal in the log pane', (s) => /journalctl -u k3s\b/.test(s) && / k3s\[\d+\]: /.test(s), 120_000).catch((e: Error) => e.message);
        return 'answer';
      },
    });
    const pane = await logPane;
    expect(pane, pane).toMatch(/ k3s\[\d+\]: /);
    const byTier = (a: string, b: string) => tierOf(lab.nodes.find((n) => n.name === a)!.roles) - tierOf(lab.nodes.find((n) => n.name === b)!.roles) || a.localeCompare(b, 'en', { numeric: true });
    expect(asked).toEqual(lab.nodes.map((n) => n.name).sort(byTier));

    const record = await lab.record();
    const order = tiersOf(lab, stopOrder(record, since));
    expect(order).toHaveLength(lab.nodes.length);
    expect(order).toEqual(ascending(order));
    expect(maxServersDown(record, serverNames(lab), since)).toBe(1);
    expect(unitsTouched(record, since)).toEqual(['k3s', 'k3s-agent']);
    await expectRecorded(runId, true);

    afterRotate = await status();
    expect(afterRotate.checks.filter((c) => c.status !== 'pass')).toEqual([]);
  }, 300_000);

  it('renew-expired-certs brings the lab back after it was down past expiry: fresh leaves, none expired', async () => {
    await lab.fault('expire-certs');
    const since = new Date().toISOString();
    const { runId } = await runToSuccess(t, 'renew', lab, 'renew-expired-certs');
    expectRecovery(await lab.record(), since);
    await expectRecorded(runId, true);

    const after = await status();
    expect(leaves(after).filter((c) => c.status === 'expired').map((c) => c.id)).toEqual([]);
    // The backdated leaves were re-issued on start, not merely left alone.
    if (afterRotate) {
      const old = new Map(leaves(afterRotate).map((c) => [c.id, c.sha256]));
      expect(leaves(after).filter((c) => old.get(c.id) === c.sha256).map((c) => c.id)).toEqual([]);
    }
    expect(after.nodes.filter((n) => n.service?.state !== 'active').map((n) => n.name)).toEqual([]);
    expect(after.checks.filter((c) => c.status !== 'pass')).toEqual([]);
  }, 300_000);

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
    await expectRecorded(runId, false);

    const after = await status();
    expect(after.nodes.filter((n) => n.service?.state !== 'active').map((n) => n.name)).toEqual([]);
    expect(after.checks.filter((c) => c.status !== 'pass')).toEqual([]);
  }, 300_000);
});

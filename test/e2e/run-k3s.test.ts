// Every certificate and recovery recipe through `keyturn run` in tmux against one split k3s lab, answered like a
// person (y at every node): rotate-certs, then renew-expired-certs after the lab was down past expiry, then
// recover-restart-loop after a parallel restart. The lab's own record proves the order and how many servers were
// down; `keyturn status --json` passes every check afterwards; the run's record on disk says it succeeded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusReport } from '../../src/model/status.js';
import { haveBinaries } from '../support/binaries.js';
import { startLab, type LabHandle } from '../support/lab.js';
import {
  TmuxDriver,
  ascending,
  expectHealthy,
  expectRecorded,
  expectRecoversRestartLoop,
  expectRenewsExpiredCerts,
  maxServersDown,
  runToSuccess,
  serverNames,
  statusOf,
  stopOrder,
  tierOf,
  tiersOf,
  unitsTouched,
} from './run-tmux.js';

const ok = haveBinaries('tmux');
const UNITS = ['k3s', 'k3s-agent'];

describe.skipIf(!ok)('keyturn run: every recipe in tmux on a split k3s lab', () => {
  let lab: LabHandle;
  const t = new TmuxDriver();
  let afterRotate: StatusReport | undefined;

  beforeAll(async () => {
    lab = await startLab({ topology: 'split', distro: 'k3s', speed: 60 });
    await t.setup();
  }, 120_000);

  afterAll(async () => {
    await t.teardown();
    await lab?.stop();
  });

  it('rotate-certs: asked node by node in rotation order, one server down at a time, journal streamed', async () => {
    const since = new Date().toISOString();
    // From the first question on, watch for a node's journal streaming into the log pane as it starts and settles.
    let logPane: Promise<string> | undefined;
    const { asked, runId } = await runToSuccess(t, 'rotate', lab, 'rotate-certs', {
      beforeNode: async () => {
        logPane ??= t
          .waitFor(
            'rotate',
            'a k3s journal in the log pane',
            (s) => /journalctl -u k3s\b/.test(s) && / k3s\[\d+\]: /.test(s),
            120_000,
          )
          .catch((e: Error) => e.message);
        return 'answer';
      },
    });
    const pane = await logPane;
    expect(pane, pane).toMatch(/ k3s\[\d+\]: /);
    const byTier = (a: string, b: string) =>
      tierOf(lab.nodes.find((n) => n.name === a)!.roles) - tierOf(lab.nodes.find((n) => n.name === b)!.roles) ||
      a.localeCompare(b, 'en', { numeric: true });
    expect(asked).toEqual(lab.nodes.map((n) => n.name).sort(byTier));

    const record = await lab.record();
    const order = tiersOf(lab, stopOrder(record, since));
    expect(order).toHaveLength(lab.nodes.length);
    expect(order).toEqual(ascending(order));
    expect(maxServersDown(record, serverNames(lab), since)).toBe(1);
    expect(unitsTouched(record, since)).toEqual(UNITS);
    await expectRecorded(t, runId, true);

    afterRotate = await statusOf(t, lab);
    expect(afterRotate.checks.filter((c) => c.status !== 'pass')).toEqual([]);
  }, 300_000);

  it('renew-expired-certs brings the lab back after it was down past expiry: fresh leaves, none expired', async () => {
    await expectRenewsExpiredCerts(t, lab, UNITS, afterRotate);
  }, 300_000);

  it('recover-restart-loop brings back the lab stuck after a parallel restart', async () => {
    await expectRecoversRestartLoop(t, lab, UNITS);
    expectHealthy(await statusOf(t, lab));
  }, 300_000);
});

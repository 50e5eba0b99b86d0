// The split-role incident: a control-plane server restarted without etcd quorum loops on the MemberList handshake
// failure, and stays stuck after etcd recovers until an operator restarts it; parallel-restart reproduces it.
import { afterEach, describe, expect, it } from 'vitest';
import { haveBinaries } from '../support/binaries.js';
import { startLab, waitFor, type LabHandle } from '../support/lab.js';

// The quorum rules are the same in both modes, but with real etcd they are etcd's own: run the incident in both.
const modes = [
  { mode: 'real' as const, available: haveBinaries('etcd') },
  { mode: 'emulated' as const, available: true },
];

const HANDSHAKE =
  'level=fatal msg="starting kubernetes: preparing server: failed to get MemberList from server: Internal error occurred: failed to get etcd MemberList: rpc error: code = Unavailable desc = connection error: desc = \\"transport: authentication handshake failed: context deadline exceeded\\""';

async function show(lab: LabHandle, node: string): Promise<Record<string, string>> {
  const result = await lab.run(node, 'systemctl show -p NRestarts,ActiveState,SubState rke2-server');
  return Object.fromEntries(
    result.stdout
      .trim()
      .split('\n')
      .map((l) => l.split('=') as [string, string]),
  );
}

async function restartsAbove(lab: LabHandle, node: string, count: number): Promise<Record<string, string>> {
  return waitFor(`${node} NRestarts > ${count}`, async () => {
    const props = await show(lab, node);
    return Number(props.NRestarts) > count ? props : undefined;
  });
}

describe.each(modes)('restart loop (split, etcd $mode)', ({ mode, available }) => {
  let lab: LabHandle | undefined;
  afterEach(async () => {
    await lab?.stop();
    lab = undefined;
  });

  it.skipIf(!available)(
    'loops without quorum, stays stuck after etcd is back, recovers on an explicit restart',
    async () => {
      lab = await startLab({ topology: 'split', etcd: mode });
      // A plain `systemctl stop rke2-server` leaves the etcd static pod running (KillMode=process): only the killall
      // script takes the members down.
      expect((await lab.run('etcd-2', 'rke2-killall.sh')).code).toBe(0);
      expect((await lab.run('etcd-3', 'rke2-killall.sh')).code).toBe(0);

      const restart = await lab.run('cp-1', 'systemctl restart rke2-server');
      expect(restart.code).toBe(1);
      expect(restart.stderr).toContain(
        'Job for rke2-server.service failed because the control process exited with error code.',
      );
      const looping = await restartsAbove(lab, 'cp-1', 2);
      expect(looping.ActiveState).toBe('activating');
      const journal = await lab.run('cp-1', 'journalctl -u rke2-server --no-pager');
      expect(journal.stdout).toContain('msg="Reconciling bootstrap data between datastore and disk"');
      expect(journal.stdout).toContain(HANDSHAKE);
      expect(journal.stdout).toMatch(
        /cp-1 systemd\[1\]: rke2-server\.service: Main process exited, code=exited, status=1\/FAILURE/,
      );
      expect(journal.stdout).toMatch(/rke2-server\.service: Scheduled restart job, restart counter is at 2\./);

      // etcd healthy again: the automatic restarts still fail (stuck) ...
      expect(await lab.run('etcd-2', 'systemctl start rke2-server')).toMatchObject({ code: 0 });
      const before = Number((await show(lab, 'cp-1')).NRestarts);
      const after = await restartsAbove(lab, 'cp-1', before + 1);
      expect(after.ActiveState).toBe('activating');
      // ... until the operator restarts it.
      expect(await lab.run('cp-1', 'systemctl restart rke2-server')).toMatchObject({ code: 0 });
      expect(await show(lab, 'cp-1')).toMatchObject({ ActiveState: 'active', NRestarts: '0' });
    },
  );

  it.skipIf(!available)(
    'parallel-restart leaves the control-plane servers stuck; the documented order recovers them',
    async () => {
      lab = await startLab({ topology: 'split', etcd: mode });
      await lab.fault('parallel-restart');
      for (const cp of ['cp-1', 'cp-2']) await restartsAbove(lab, cp, 1);
      const etcd = await lab.run('etcd-1', 'systemctl is-active rke2-server');
      expect(etcd.stdout).toBe('active\n');
      expect((await lab.run('cp-2', 'journalctl -u rke2-server -n 20')).stdout).toContain(HANDSHAKE);
      expect(await lab.record()).toContainEqual(expect.objectContaining({ type: 'fault', name: 'parallel-restart' }));
      for (const cp of ['cp-1', 'cp-2'])
        expect(await lab.run(cp, 'systemctl restart rke2-server')).toMatchObject({ code: 0 });
    },
  );
});

// Agents do not loop when their server is down: they retry in-process (test/lab/agent-server-wait.test.ts).

// Port of k3s tests/integration/etcdsnapshot/etcdsnapshot_int_test.go @168b14b0 ("etcd snapshots": save, ls,
// delete; save --name; save -name (Go's one-dash form) three times, ls, prune --snapshot-retention 2, cleanup) to
// the lab: one --cluster-init server (the `single` topology's server-1), same commands, same expected substrings.
// Deviations: upstream's paths are /var/lib/rancher/k3s/...; the lab node's data dir stands in for
// /var/lib/rancher/k3s in the expected paths. The 1 s sleeps between saves are kept (snapshot names carry the unix
// second, so two saves in one second would share a name, upstream as in the lab).
// Skipped upstream steps (README.md "Skipped steps"): "starts up with no problems" (K3sDefaultDeployments waits
// for coredns, local-path-provisioner, metrics-server and traefik; the lab runs no workloads).
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type LabHandle } from '../support/lab.js';
import { runCmdOnNode } from './support.js';

const SERVER = 'server-1';
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('etcd snapshots (k3s tests/integration/etcdsnapshot)', () => {
  let lab: LabHandle;
  let dataDir: string;
  /** testutil.K3sCmd: `k3s <args>`, combined output, an error on a non-zero exit. */
  const k3sCmd = (...args: string[]) => runCmdOnNode(lab, SERVER, ['k3s', ...args].join(' '));

  beforeAll(async () => {
    lab = await startLab({ topology: 'single', distro: 'k3s', version: 'v1.32.5+k3s1', etcd: 'emulated', speed: 40 });
    dataDir = lab.nodes.find((n) => n.name === SERVER)!.dataDir;
  }, 120_000);
  afterAll(async () => lab?.stop());

  describe('a new etcd is created', () => {
    it('saves an etcd snapshot', async () => {
      expect(await k3sCmd('etcd-snapshot', 'save')).toContain('saved');
    });
    it('list snapshots', async () => {
      expect(await k3sCmd('etcd-snapshot', 'ls')).toMatch(
        new RegExp(`:///${escape(dataDir.replace(/^\//, ''))}/server/db/snapshots/on-demand`),
      );
    });
    it('deletes a snapshot', async () => {
      const lsResult = await k3sCmd('etcd-snapshot', 'ls');
      const snapshotName = /on-demand[^\s]+/.exec(lsResult)?.[0] ?? '';
      expect(await k3sCmd('etcd-snapshot', 'delete', snapshotName)).toContain(
        'Removing the given locally stored etcd snapshot',
      );
    });
  });

  describe('saving a custom name', () => {
    it('saves an etcd snapshot with a custom name', async () => {
      expect(await k3sCmd('etcd-snapshot', 'save --name ALIVEBEEF')).toContain(
        `Saving etcd snapshot to ${dataDir}/server/db/snapshots/ALIVEBEEF`,
      );
    });
    it('deletes that snapshot', async () => {
      const lsResult = await k3sCmd('etcd-snapshot', 'ls');
      const snapshotName = /ALIVEBEEF[^\s]+/.exec(lsResult)?.[0] ?? '';
      expect(await k3sCmd('etcd-snapshot', 'delete', snapshotName)).toContain(
        'Removing the given locally stored etcd snapshot',
      );
    });
  });

  describe('using etcd snapshot prune', () => {
    const pruneTest = () => new RegExp(`:///${escape(dataDir.replace(/^\//, ''))}/server/db/snapshots/PRUNE_TEST`, 'g');
    it('saves 3 different snapshots', async () => {
      for (let i = 0; i < 3; i += 1) {
        expect(await k3sCmd('etcd-snapshot', 'save -name PRUNE_TEST')).toContain('saved');
        await sleep(1_000);
      }
    });
    it('lists all 3 snapshots', async () => {
      const lsResult = await k3sCmd('etcd-snapshot', 'ls');
      expect(lsResult.match(pruneTest()) ?? []).toHaveLength(3);
    });
    it('prunes snapshots down to 2', async () => {
      expect(await k3sCmd('etcd-snapshot', 'prune --snapshot-retention 2 --name PRUNE_TEST')).toContain(
        'Removing local snapshot',
      );
      const lsResult = await k3sCmd('etcd-snapshot', 'ls');
      expect(lsResult.match(pruneTest()) ?? []).toHaveLength(2);
    });
    it('cleans up remaining snapshots', async () => {
      const lsResult = await k3sCmd('etcd-snapshot', 'ls');
      const names = lsResult.match(/PRUNE_TEST[^\s]+/g) ?? [];
      expect(names.length).toBeGreaterThan(0);
      for (const snapshotName of names) {
        expect(await k3sCmd('etcd-snapshot', 'delete', snapshotName)).toContain(
          'Removing the given locally stored etcd snapshot',
        );
      }
    });
  });

  it("prints the ls table in upstream's tabwriter layout (pkg/cli/etcdsnapshot/etcd_snapshot.go)", async () => {
    await k3sCmd('etcd-snapshot', 'save', '--name=table');
    const r = await lab.run(SERVER, 'k3s etcd-snapshot ls');
    const lines = r.stdout.split('\n');
    const header = lines[0];
    const row = lines.find((line) => line.startsWith('table-')) ?? '';
    expect(header).toMatch(/^Name +Location +Size +Created$/);
    expect(row).toMatch(
      new RegExp(
        `^table-${SERVER}-\\d+ +file://${escape(dataDir)}/server/db/snapshots/table-${SERVER}-\\d+ +\\d+ +\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$`,
      ),
    );
    // Columns line up: the Location column starts at the same offset in the header and the row.
    expect(row.indexOf('file://')).toBe(header.indexOf('Location'));
  });
});

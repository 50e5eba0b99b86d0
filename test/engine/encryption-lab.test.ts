// rotate-encryption-keys against the lab (real transports, the lab's upstream behaviour): classic flow on an old
// k3s, rotate-keys on split rke2, and a hash mismatch stopping the run naming the node.
import { copyFileSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { renderReport } from '../../src/engine/report.js';
import { type LabHandle, startLab } from '../support/lab.js';
import { driveLab } from './support/lab-drive.js';

let lab: LabHandle | undefined;
afterEach(async () => {
  await lab?.stop();
  lab = undefined;
});

const cred = (l: LabHandle, node: string, file: string) => readFileSync(path.join(l.dir, 'nodes', node, 'data/server/cred', file));
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function status(l: LabHandle, node: string, prog: string): Promise<Record<string, unknown>> {
  const r = await l.run(node, `${prog} secrets-encrypt status -o json`);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

describe('rotate-encryption-keys against the lab', () => {
  it('classic flow on k3s v1.29.12 ha with 10000 secrets: reencrypt_finished, every hash matching, a new active key', async () => {
    lab = await startLab({ topology: 'ha', distro: 'k3s', version: 'v1.29.12+k3s1', etcd: 'emulated', speed: 400, secrets: 10000 });
    const before = await status(lab, 'server-1', 'k3s');
    const { state, logs } = await driveLab(lab, 'rotate-encryption-keys', 'lab-enc-classic');
    expect(state.outcome.status, renderReport(state)).toBe('succeeded');
    expect(state.plan.flow).toBe('classic');
    const servers = ['server-1', 'server-2', 'server-3'];
    const states = servers.map((n) => cred(lab!, n, 'encryption-state.json').toString().trim());
    for (const [i, n] of servers.entries()) expect(states[i]).toBe(`reencrypt_finished-${sha(cred(lab, n, 'encryption-config.json'))}`);
    expect(new Set(states).size).toBe(1);
    const after = await status(lab, 'server-2', 'k3s');
    expect(after).toMatchObject({ stage: 'reencrypt_finished', hashmatch: true });
    expect(after.activekey).not.toBe(before.activekey);
    const progress = logs.filter((l) => l.type === 'line' && l.line.startsWith('[keyturn] reencrypted')).map((l) => (l.type === 'line' ? l.line : ''));
    expect(progress.at(-1)).toContain('of 10000 secrets');
    const wait = Object.entries(state.steps).find(([k]) => k.endsWith('reencrypt.reencrypt-wait'))![1];
    expect(wait.result?.status === 'done' && wait.result.data?.reencrypt).toMatchObject({ finished: true, total: 10000 });
    const snap = Object.entries(state.steps).find(([k]) => k.endsWith('snapshot.snapshot'))![1];
    expect(snap.result?.status === 'done' && snap.result.data?.snapshot).toMatch(/pre-rotate-encryption-keys/);
    expect(JSON.stringify(state)).not.toMatch(/"secret"\s*:/);
  }, 120_000);

  it('split rke2, 10000 secrets: a hash mismatch stops the run naming the node; after the fix, rotate-keys runs through', async () => {
    lab = await startLab({ topology: 'split', distro: 'rke2', etcd: 'emulated', speed: 400, secrets: 10000 });
    await lab.fault('hash-mismatch', [], 'cp-2');
    const stopped = (await driveLab(lab, 'rotate-encryption-keys', 'lab-enc-drift')).state;
    expect(stopped.outcome.status).toBe('failed');
    if (stopped.outcome.status !== 'failed') return;
    expect(stopped.outcome.failure).toMatchObject({ check: 'encryption-hashes', node: 'cp-2' });
    expect(stopped.outcome.failure.message).toContain('cp-2');
    expect(stopped.outcome.failure.message).not.toMatch(/cp-1|etcd-/);
    const changed = Object.values(stopped.steps).some((s) => s.result?.status === 'done' && s.result.execs.some((e) => /secrets-encrypt (prepare|rotate)/.test(e.command)));
    expect(changed).toBe(false);

    // The fix the failure names: put back the config the others hold, restart cp-2 so it publishes its hash.
    const cfg = (n: string) => `${lab!.nodes.find((x) => x.name === n)!.dataDir}/server/cred/encryption-config.json`;
    copyFileSync(cfg('cp-1'), cfg('cp-2'));
    expect((await lab.run('cp-2', 'systemctl restart rke2-server')).code).toBe(0);
    const before = await status(lab, 'cp-1', 'rke2');
    const { state, logs } = await driveLab(lab, 'rotate-encryption-keys', 'lab-enc-rk');
    expect(state.outcome.status, renderReport(state)).toBe('succeeded');
    expect(state.plan.flow).toBe('rotate-keys');
    const stageCommands = state.plan.blocks.flatMap((b) => b.steps).filter((s) => s.step.kind === 'command' && s.step.run.op === 'secrets-encrypt');
    expect(stageCommands.map((s) => [s.node, s.command])).toEqual([['cp-1', 'rke2 secrets-encrypt rotate-keys']]);
    for (const n of ['cp-1', 'cp-2']) expect(cred(lab, n, 'encryption-state.json').toString().trim()).toBe(`reencrypt_finished-${sha(cred(lab, n, 'encryption-config.json'))}`);
    const after = await status(lab, 'cp-2', 'rke2');
    expect(after).toMatchObject({ stage: 'reencrypt_finished', hashmatch: true });
    expect(after.activekey).not.toBe(before.activekey);
    expect(logs.some((l) => l.type === 'line' && /\[keyturn\] reencrypted \d+ of 10000 secrets/.test(l.line))).toBe(true);
  }, 120_000);
});

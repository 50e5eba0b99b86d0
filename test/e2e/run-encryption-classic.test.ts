// `keyturn run rotate-encryption-keys` in tmux on k3s v1.29.12 (no safe rotate-keys: the classic flow) with split
// roles and 10000 secrets, answered like a person: prepare → restart every server → rotate → restart → reencrypt
// (its progress widget on screen) → restart, one server down at a time, ending at reencrypt_finished with every
// hash matching and a new active key.
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listRuns } from '../../src/journal/index.js';
import { haveBinaries } from '../support/binaries.js';
import { startLab, type LabHandle } from '../support/lab.js';
import { TmuxDriver, cliJson, maxServersDown, runWatched, serverNames } from './run-tmux.js';

const ok = haveBinaries('tmux');

interface StatusDoc {
  nodes: { name: string; roles: string[]; encryption: { stage: string; hash: string; configHash: string; hashMatchesConfig: boolean } | null }[];
  checks: { id: string; status: string; detail: string }[];
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** The widget's line (not the log's): "N of 10000 secrets · P%". */
const WIDGET_10000 = /Re-encrypting secrets on \S+[\s\S]*\b\d+ of 10000 secrets · \d+%/;
/** The finished line the wait leaves in the run's scrollback. */
const FINISHED_10000 = /✓ \S+ · Re-encryption finished \(N of M secrets\) · [\d.]+s · 10000 of 10000 secrets re-encrypted/;

describe.skipIf(!ok)('keyturn run rotate-encryption-keys in tmux: the classic flow', () => {
  let lab: LabHandle;
  const t = new TmuxDriver();

  beforeAll(async () => {
    lab = await startLab({ topology: 'split', distro: 'k3s', version: 'v1.29.12+k3s1', etcd: 'emulated', speed: 400, secrets: 10000 });
    await t.setup();
  }, 120_000);
  afterAll(async () => {
    await t.teardown();
    await lab?.stop();
  });

  it('k3s v1.29.12 split, 10000 secrets: prepare, rotate, reencrypt with progress on screen; every hash matching, a new active key', async () => {
    const cred = (node: string, file: string) => readFileSync(path.join(lab.nodes.find((n) => n.name === node)!.dataDir, 'server/cred', file));
    const cliStatus = async (node: string) => {
      const r = await lab.run(node, 'k3s secrets-encrypt status -o json');
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as { stage: string; activekey: string; hashmatch?: boolean };
    };
    const keyBefore = (await cliStatus('cp-1')).activekey;
    const since = new Date().toISOString();

    let progress = '';
    let finishedLine = '';
    const run = await runWatched(t, 'classic', lab, ['run', 'rotate-encryption-keys', '--settle', '1'], (s) => {
      if (!progress && WIDGET_10000.test(s)) progress = s;
      finishedLine ||= FINISHED_10000.exec(s)?.[0] ?? '';
    });
    expect(run.screen).toContain('rotate-encryption-keys succeeded on every node');
    expect(run.code, run.end).toBe(0);
    expect(progress, 'the progress widget never showed "N of 10000 secrets"').toMatch(WIDGET_10000);
    expect(finishedLine, 'no finished line for the re-encryption').toMatch(/^✓ \S+ · Re-encryption finished/);

    const state = (await listRuns(t.stateDir)).find((r) => r.runId === run.runId)!.state;
    expect(state.plan.flow).toBe('classic');
    const stages = state.plan.blocks.flatMap((b) => b.steps).filter((s) => s.step.kind === 'command' && s.step.run.op === 'secrets-encrypt');
    expect(stages.map((s) => s.command)).toEqual(['k3s secrets-encrypt prepare', 'k3s secrets-encrypt rotate', 'k3s secrets-encrypt reencrypt']);
    const wait = Object.entries(state.steps).find(([k]) => k.endsWith('.reencrypt-wait'))![1];
    expect(wait.result?.status === 'done' && wait.result.data?.reencrypt).toMatchObject({ finished: true, total: 10000, done: 10000 });
    const snapshot = Object.entries(state.steps).find(([k]) => k.endsWith('snapshot.snapshot'))![1];
    expect(snapshot.result?.status === 'done' && snapshot.result.data?.snapshot).toMatch(/pre-rotate-encryption-keys/);
    expect(JSON.stringify(state)).not.toMatch(/"secret"\s*:/);
    // Every server restarted three times (after prepare, rotate and reencrypt), never two down at once.
    const servers = serverNames(lab);
    expect(run.asked.filter((n) => servers.has(n)).length).toBeGreaterThanOrEqual(3 * servers.size);
    expect(maxServersDown(await lab.record(), servers, since)).toBe(1);

    const states = ['cp-1', 'cp-2'].map((n) => cred(n, 'encryption-state.json').toString().trim());
    for (const [i, n] of ['cp-1', 'cp-2'].entries()) expect(states[i], n).toBe(`reencrypt_finished-${sha(cred(n, 'encryption-config.json'))}`);
    expect(new Set(states).size).toBe(1);
    const status = (await cliJson(lab, ['status', '--json'], { KEYTURN_CONFIG_DIR: t.configDir })) as StatusDoc;
    const enc = status.nodes.filter((n) => n.roles.includes('control-plane')).map((n) => n.encryption);
    expect(enc).toHaveLength(2);
    expect(enc.every((e) => e?.stage === 'reencrypt_finished' && e.hashMatchesConfig)).toBe(true);
    expect(new Set(enc.map((e) => e?.hash)).size).toBe(1);
    expect(status.checks.find((c) => c.id === 'encryption-hashes')?.status).toBe('pass');
    const after = await cliStatus('cp-2');
    expect(after).toMatchObject({ stage: 'reencrypt_finished', hashmatch: true });
    expect(after.activekey).not.toBe(keyBefore);
  }, 300_000);
});

// `keyturn run rotate-encryption-keys` in tmux, answered like a person. rke2 ha with 10000 secrets: a config edited
// by hand on server-2 (the hash-mismatch fault) stops the run before any stage, naming server-2; after the fix the
// rotate-keys flow runs through with its progress widget on screen, ending at reencrypt_finished with every hash
// matching and a new active key. RKE2 v1.32.4 on a split cluster is refused, with the reason, before anything runs.
import { copyFileSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RecordEntry } from '../../src/lab/contract.js';
import { listRuns } from '../../src/journal/index.js';
import { haveBinaries } from '../support/binaries.js';
import { startLab, type LabHandle } from '../support/lab.js';
import { TmuxDriver, cliJson, exitedWith, runWatched } from './run-tmux.js';

const ok = haveBinaries('tmux');

interface StatusDoc {
  nodes: { name: string; roles: string[]; encryption: { stage: string; hash: string; configHash: string; hashMatchesConfig: boolean } | null }[];
  checks: { id: string; status: string; detail: string }[];
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const cred = (lab: LabHandle, node: string, file: string) => readFileSync(path.join(lab.nodes.find((n) => n.name === node)!.dataDir, 'server/cred', file));
/** The widget's line (not the log's): "N of 10000 secrets · P%". */
const WIDGET_10000 = /Re-encrypting secrets on \S+[\s\S]*\b\d+ of 10000 secrets · \d+%/;
/** The finished line the wait leaves in the run's scrollback. */
const FINISHED_10000 = /✓ \S+ · Re-encryption finished \(N of M secrets\) · [\d.]+s · 10000 of 10000 secrets re-encrypted/;

/** Stage commands (prepare, rotate, reencrypt, rotate-keys) the lab ran after `since`. */
function stageCommands(record: RecordEntry[], since: string): string[] {
  return record.filter((e) => e.t >= since && e.type === 'command' && e.argv[0] === 'secrets-encrypt' && e.argv[1] !== 'status').map((e) => (e.type === 'command' ? `${e.node}: ${e.argv.slice(0, 2).join(' ')}` : ''));
}

async function cliStatus(lab: LabHandle, node: string, prog: string): Promise<{ stage: string; activekey: string; hashmatch?: boolean }> {
  const r = await lab.run(node, `${prog} secrets-encrypt status -o json`);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { stage: string; activekey: string; hashmatch?: boolean };
}

describe.skipIf(!ok)('keyturn run rotate-encryption-keys in tmux', () => {
  let lab: LabHandle | undefined;
  const t = new TmuxDriver();

  beforeAll(() => t.setup());
  afterEach(async () => {
    await t.tmux('kill-server').catch(() => undefined); // a keyturn left running by a failed test holds the lock
    await lab?.stop();
    lab = undefined;
  });
  afterAll(() => t.teardown());

  it('rke2 ha, 10000 secrets: a hash mismatch stops before any stage naming the node; after the fix rotate-keys runs through', async () => {
    lab = await startLab({ topology: 'ha', distro: 'rke2', etcd: 'emulated', speed: 400, secrets: 10000 });
    const l = lab;
    const since = new Date().toISOString();
    await l.fault('hash-mismatch', [], 'server-2');

    const stopped = await runWatched(t, 'drift', l, ['run', 'rotate-encryption-keys', '--settle', '1'], () => undefined);
    expect(stopped.screen).toContain('✗ Stopped: check encryption-hashes failed on server-2');
    expect(stopped.code, stopped.end).toBe(1);
    expect(stopped.end).toContain('✗ stopped at server-2: encryption-hashes');
    const failed = (await listRuns(t.stateDir))[0].state;
    expect(failed.outcome.status).toBe('failed');
    if (failed.outcome.status !== 'failed') return;
    expect(failed.outcome.failure).toMatchObject({ check: 'encryption-hashes', node: 'server-2' });
    expect(failed.outcome.failure.message).toContain('server-2');
    expect(failed.outcome.failure.message).not.toMatch(/server-[13]/);
    expect(stageCommands(await l.record(), since)).toEqual([]);

    // The fix the failure names: put back the config the others hold, restart server-2 so it publishes its hash.
    copyFileSync(path.join(l.nodes[0].dataDir, 'server/cred/encryption-config.json'), path.join(l.nodes.find((n) => n.name === 'server-2')!.dataDir, 'server/cred/encryption-config.json'));
    expect((await l.run('server-2', 'systemctl restart rke2-server')).code).toBe(0);
    const keyBefore = (await cliStatus(l, 'server-1', 'rke2')).activekey;
    const rotateSince = new Date().toISOString();

    let progress = '';
    let finishedLine = '';
    const run = await runWatched(t, 'rk', l, ['run', 'rotate-encryption-keys', '--settle', '1'], (s) => {
      if (!progress && WIDGET_10000.test(s)) progress = s;
      finishedLine ||= FINISHED_10000.exec(s)?.[0] ?? '';
    });
    expect(run.screen).toContain('rotate-encryption-keys succeeded on every node');
    expect(run.code, run.end).toBe(0);
    expect(progress, 'the progress widget never showed "N of 10000 secrets"').toMatch(WIDGET_10000);
    expect(finishedLine, 'no finished line for the re-encryption').toMatch(/^✓ \S+ · Re-encryption finished/);

    const state = (await listRuns(t.stateDir)).find((r) => r.runId === run.runId)!.state;
    expect(state.plan.flow).toBe('rotate-keys');
    expect(stageCommands(await l.record(), rotateSince)).toEqual(['server-1: secrets-encrypt rotate-keys']);
    const wait = Object.entries(state.steps).find(([k]) => k.endsWith('.reencrypt-wait'))![1];
    expect(wait.result?.status === 'done' && wait.result.data?.reencrypt).toMatchObject({ finished: true, total: 10000, done: 10000 });
    const snapshot = Object.entries(state.steps).find(([k]) => k.endsWith('snapshot.snapshot'))![1];
    expect(snapshot.result?.status === 'done' && snapshot.result.data?.snapshot).toMatch(/pre-rotate-encryption-keys/);
    expect(JSON.stringify(state)).not.toMatch(/"secret"\s*:/);

    const servers = ['server-1', 'server-2', 'server-3'];
    for (const n of servers) expect(cred(l, n, 'encryption-state.json').toString().trim(), n).toBe(`reencrypt_finished-${sha(cred(l, n, 'encryption-config.json'))}`);
    const status = (await cliJson(l, ['status', '--json'], { KEYTURN_CONFIG_DIR: t.configDir })) as StatusDoc;
    const enc = status.nodes.filter((n) => n.roles.includes('control-plane')).map((n) => n.encryption);
    expect(enc).toHaveLength(3);
    expect(enc.every((e) => e?.stage === 'reencrypt_finished' && e.hashMatchesConfig)).toBe(true);
    expect(new Set(enc.map((e) => e?.hash)).size).toBe(1);
    expect(status.checks.find((c) => c.id === 'encryption-hashes')?.status).toBe('pass');
    const after = await cliStatus(l, 'server-2', 'rke2');
    expect(after).toMatchObject({ stage: 'reencrypt_finished', hashmatch: true });
    expect(after.activekey).not.toBe(keyBefore);
  }, 300_000);

  it('RKE2 v1.32.4 on a split cluster: refused with the reason on screen, nothing run', async () => {
    lab = await startLab({ topology: 'split', distro: 'rke2', version: 'v1.32.4+rke2r1', etcd: 'emulated', speed: 400 });
    const since = new Date().toISOString();
    const runsBefore = (await listRuns(t.stateDir)).length;
    await t.start('refused', lab, ['run', 'rotate-encryption-keys']);
    const screen = await t.waitFor('refused', 'keyturn to refuse', (s) => exitedWith(s) !== null, 90_000);
    expect(exitedWith(screen), screen).toBe(1);
    expect(screen).toContain('cannot plan rotate-encryption-keys');
    expect(screen).toContain('RKE2 v1.32.4+rke2r1 on a split etcd/control-plane cluster');
    expect(screen).toContain('rke2#8236');
    expect(screen).toContain('upgrade to v1.32.5+rke2r1 first');
    expect(screen).not.toContain('Press enter to start');
    const record = await lab.record();
    expect(stageCommands(record, since)).toEqual([]);
    expect(record.filter((e) => e.t >= since && e.type === 'command' && e.prog === 'systemctl' && ['stop', 'start', 'restart'].includes(e.argv[0]))).toEqual([]);
    expect((await listRuns(t.stateDir)).length).toBe(runsBefore);
  }, 120_000);
});

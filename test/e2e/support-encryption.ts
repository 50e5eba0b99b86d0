// What the rotate-encryption-keys run tests share: the run driven in tmux with its progress widget watched, and the
// checks of where it ends: every server at reencrypt_finished with its hashes matching, a new active key, the
// re-encryption and the snapshot in the journal and no secret there. `sha` (of a file's bytes) serves rotate-ca too.
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { expect } from 'vitest';
import { splitStatusKey } from '../../src/model/secrets-encrypt-status.js';
import type { RunState } from '../../src/engine/reducer.js';
import type { LabHandle } from '../support/lab.js';
import { runWatched, statusOf, type TmuxDriver } from './run-tmux.js';

export const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** A file of the node's server/cred folder. */
const cred = (lab: LabHandle, node: string, file: string): Buffer =>
  readFileSync(path.join(lab.nodes.find((n) => n.name === node)!.dataDir, 'server/cred', file));

/** The widget's line (not the log's): "N of 10000 secrets · P%". */
const WIDGET_10000 = /Re-encrypting secrets on \S+[\s\S]*\b\d+ of 10000 secrets · \d+%/;
/** The finished line the wait leaves in the run's scrollback. */
const FINISHED_10000 =
  /✓ \S+ · Re-encryption finished \(N of M secrets\) · [\d.]+s · 10000 of 10000 secrets re-encrypted/;

export interface EncryptionCliStatus {
  stage: string;
  activekey: string;
  hashmatch?: boolean;
}

/** `<prog> secrets-encrypt status -o json` on the node. */
export async function encryptionCliStatus(lab: LabHandle, node: string, prog: string): Promise<EncryptionCliStatus> {
  const r = await lab.run(node, `${prog} secrets-encrypt status -o json`);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as EncryptionCliStatus;
}

/**
 * `keyturn run rotate-encryption-keys --settle 1` in tmux on a lab with 10000 secrets: it succeeds, and on the way
 * the progress widget showed "N of 10000 secrets" and the wait left its finished line.
 */
export async function runRotateKeysWithProgress(
  t: TmuxDriver,
  session: string,
  lab: LabHandle,
): Promise<Awaited<ReturnType<typeof runWatched>>> {
  let progress = '';
  let finishedLine = '';
  const run = await runWatched(t, session, lab, ['run', 'rotate-encryption-keys', '--settle', '1'], (s) => {
    if (!progress && WIDGET_10000.test(s)) progress = s;
    finishedLine ||= FINISHED_10000.exec(s)?.[0] ?? '';
  });
  expect(run.screen).toContain('rotate-encryption-keys succeeded on every node');
  expect(run.code, run.end).toBe(0);
  expect(progress, 'the progress widget never showed "N of 10000 secrets"').toMatch(WIDGET_10000);
  expect(finishedLine, 'no finished line for the re-encryption').toMatch(/^✓ \S+ · Re-encryption finished/);
  return run;
}

/** The journal holds the finished re-encryption of all 10000 secrets and the snapshot taken first, and no secret. */
export function expectReencryptionJournalled(state: RunState): void {
  const wait = Object.entries(state.steps).find(([k]) => k.endsWith('.reencrypt-wait'))![1];
  expect(wait.result?.status === 'done' && wait.result.data?.reencrypt).toMatchObject({
    finished: true,
    total: 10000,
    done: 10000,
  });
  const snapshot = Object.entries(state.steps).find(([k]) => k.endsWith('snapshot.snapshot'))![1];
  expect(snapshot.result?.status === 'done' && snapshot.result.data?.snapshot).toMatch(/pre-rotate-encryption-keys/);
  expect(JSON.stringify(state)).not.toMatch(/"secret"\s*:/);
}

/** Each node's encryption-state.json says reencrypt_finished with the hash of its own config; returns the states. */
export function expectReencryptFinished(lab: LabHandle, nodes: string[]): string[] {
  const states = nodes.map((n) => cred(lab, n, 'encryption-state.json').toString().trim());
  for (const [i, n] of nodes.entries())
    expect(states[i], n).toBe(`reencrypt_finished-${sha(cred(lab, n, 'encryption-config.json'))}`);
  return states;
}

/** `keyturn status --json`: each of the `servers` control-plane nodes at reencrypt_finished, one hash, the check passing. */
export async function expectEncryptionStatusSettled(t: TmuxDriver, lab: LabHandle, servers: number): Promise<void> {
  const status = await statusOf(t, lab);
  const enc = status.nodes.filter((n) => n.roles.includes('control-plane')).map((n) => n.encryption);
  expect(enc).toHaveLength(servers);
  expect(enc.every((e) => e?.stage === 'reencrypt_finished' && e.hashMatchesConfig)).toBe(true);
  expect(new Set(enc.map((e) => e?.hash)).size).toBe(1);
  expect(status.checks.find((c) => c.id === 'encryption-hashes')?.status).toBe('pass');
}

/** The node's own CLI: reencrypt_finished, hashes matching, an active key other than `keyBefore`. */
export async function expectNewActiveKey(lab: LabHandle, node: string, prog: string, keyBefore: string): Promise<void> {
  const after = await encryptionCliStatus(lab, node, prog);
  expect(after).toMatchObject({ stage: 'reencrypt_finished', hashmatch: true });
  // Compare names: `activekey` is `<type> <name>` on current releases and the bare name before k3s#12021.
  expect(splitStatusKey(after.activekey).name).not.toBe(splitStatusKey(keyBefore).name);
  expect(splitStatusKey(after.activekey).name).toMatch(/^(aescbc|secretbox)key-\d{4}-/);
}

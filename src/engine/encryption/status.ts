// `secrets-encrypt status` without a step context: the command to run on a node and what its answer says about a
// rotate-keys. Apart from read.ts (which needs the step context) so that commands.ts can use them without an
// import cycle (commands → read → context → tails → commands).
import { shJoin } from '../../util/shell-quote.js';
import type { EncryptionStatus } from '../../model/secrets-encrypt-status.js';
import { dataDirArgs } from '../data-dir-flag.js';
import type { PlannedNode } from '../plan-types.js';

export function statusCommand(node: PlannedNode): string {
  return shJoin([node.distro, 'secrets-encrypt', 'status', ...dataDirArgs(node), '-o', 'json']);
}

/**
 * When the active key was made, from its name: upstream names an added key `<provider>key-<RFC 3339 time>`
 * (`aescbckey-2025-05-16T19:21:39Z`, `secretboxkey-…`; status prints it after the key type, `AES-CBC aescbckey-…`).
 * null for the first key (`aescbckey`) or any other name.
 */
export function activeKeyCreatedAt(activeKey: string): number | null {
  const m = /key-(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2}))\s*$/.exec(activeKey);
  const t = m ? Date.parse(m[1]) : NaN;
  return Number.isNaN(t) ? null : t;
}

/** Stages only a rotate-keys request moves a server to from start/reencrypt_finished (reencrypt_request: before v1.30.5/v1.31.1). */
const ROTATE_KEYS_UNDER_WAY = ['reencrypt_request', 'reencrypt_active'];
/** The node clock may run behind the workstation's by this much. */
const CLOCK_SLACK_MS = 60_000;

/**
 * Did a rotate-keys sent at `sentAtMs` take effect on the answering server? Recent releases answer it only at
 * reencrypt_finished, older ones at reencrypt_request/reencrypt_active (the CLI returned first). A rotation starts
 * from start or reencrypt_finished, so reencrypt_finished alone does not tell: the active key must be the one the
 * request added (named by its creation time, after the request was sent).
 */
export function rotateKeysTookEffect(status: EncryptionStatus | null, sentAtMs: number): boolean {
  if (!status) return false;
  if (ROTATE_KEYS_UNDER_WAY.includes(status.stage)) return true;
  if (status.stage !== 'reencrypt_finished') return false;
  const made = activeKeyCreatedAt(status.activeKey);
  return made !== null && made >= sentAtMs - CLOCK_SLACK_MS;
}

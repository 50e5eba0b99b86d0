// A rotate-keys or reencrypt CLI that failed has not necessarily failed the server: the CLI gives up on its own
// timeouts while the supervisor goes on (k3s#11384), and a rotate-keys may fail after the new key is already in
// place (k3s#12373). Before a step is called failed, the server is read again: its stage, its active key, and the
// re-encryption events since the command started.
import type { StepContext } from '../context.js';
import { readProgress } from './reencrypt.js';
import type { EncryptionStatus } from '../../model/secrets-encrypt-status.js';
import { readServerEncryption, readStatus } from './read.js';
import { rotateKeysTookEffect } from './status.js';

export type ServerWork =
  | { kind: 'finished' | 'working'; detail: string }
  | { kind: 'idle'; detail: string; status: EncryptionStatus | null; provider: string | null };

export async function readServerWork(ctx: StepContext, action: 'rotate-keys' | 'reencrypt'): Promise<ServerWork> {
  const status = await readStatus(ctx, ctx.node);
  const progress = await readProgress(ctx, ctx.startedAtMs - 2000);
  const value = status.ok ? status.value : null;
  const stage = value?.stage ?? '';
  const sameRotation = action === 'reencrypt' || rotateKeysTookEffect(value, ctx.startedAtMs);
  if (stage === 'reencrypt_finished' && sameRotation)
    return {
      kind: 'finished',
      detail: `${ctx.node.name} is at reencrypt_finished with active key ${value?.activeKey}`,
    };
  if (progress.error === null && (progress.done > 0 || progress.complete)) {
    return {
      kind: 'working',
      detail: `${ctx.node.name} is re-encrypting (${progress.done} secrets so far, stage ${stage || 'unknown'})`,
    };
  }
  const enc = await readServerEncryption(ctx, ctx.node);
  const detail = status.ok
    ? `${ctx.node.name} is at ${stage || '(no stage)'}, active key ${value?.activeKey || '(none)'}, no re-encryption events since the command`
    : status.detail;
  return { kind: 'idle', detail, status: value, provider: enc.ok ? enc.value.provider : null };
}

// Reading a server's secrets-encryption facts without ever reading key material: sha256sum of its config, its
// state file (<stage>-<hash>, plain text), the provider name, its Node annotation, and `secrets-encrypt status -o json` (its command and
// its reading are in status.ts).
import { ENCRYPTION_CONFIG, ENCRYPTION_STATE } from '../../model/cert-files.js';
import { shq } from '../../util/shell-quote.js';
import { parseStatusJson, type EncryptionStatus } from '../../model/secrets-encrypt-status.js';
import { statusCommand } from './status.js';
import type { StepContext } from '../context.js';
import type { PlannedNode } from '../plan-types.js';

export interface ServerEncryption {
  /** sha256 of the raw encryption-config.json bytes, computed on the node. */
  configHash: string;
  /** The state file's text: <stage>-<hash>; '' when absent. */
  state: string;
  provider: string;
}

export type Read<T> = { ok: true; value: T } | { ok: false; detail: string };

/** Prints config-sha256=, state=, provider= lines; the config's content never leaves the node. */
export function renderReadEncryption(node: PlannedNode): string {
  const cfg = shq(`${node.dataDir}/${ENCRYPTION_CONFIG}`);
  const st = shq(`${node.dataDir}/${ENCRYPTION_STATE}`);
  return [
    `[ -f ${cfg} ] || { echo "no ${ENCRYPTION_CONFIG}" >&2; exit 3; }`,
    `printf 'config-sha256=%s\\n' "$(sha256sum ${cfg} | cut -d ' ' -f 1)"`,
    `printf 'state=%s\\n' "$(cat ${st} 2>/dev/null | tr -d '\\n')"`,
    `if grep -q '"secretbox"' ${cfg}; then echo provider=secretbox; elif grep -q '"aesgcm"' ${cfg}; then echo provider=aesgcm; elif grep -q '"aescbc"' ${cfg}; then echo provider=aescbc; else echo provider=other; fi`,
  ].join('\n');
}

export function parseKeyValues(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) out[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  return out;
}

export async function readServerEncryption(ctx: StepContext, node: PlannedNode): Promise<Read<ServerEncryption>> {
  const r = await ctx.exec(node, renderReadEncryption(node), 30);
  if (r.outcome !== 'ok')
    return { ok: false, detail: `${node.name}: ${r.outcome}${r.stderr.trim() ? `: ${r.stderr.trim()}` : ''}` };
  const kv = parseKeyValues(r.stdout);
  const configHash = (kv['config-sha256'] ?? '').toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(configHash))
    return { ok: false, detail: `${node.name}: no sha256 of ${ENCRYPTION_CONFIG} (sha256sum missing?)` };
  return { ok: true, value: { configHash, state: kv.state ?? '', provider: kv.provider ?? 'other' } };
}

/** "<stage>-<64 hex>" → parts; the stage uses underscores, so the last dash splits. */
export function splitState(state: string): { stage: string; hash: string } {
  const t = state.trim();
  const i = t.lastIndexOf('-');
  return i < 0 ? { stage: t, hash: '' } : { stage: t.slice(0, i), hash: t.slice(i + 1) };
}

export function annotationKey(node: PlannedNode): string {
  return `${node.distro}.io/encryption-config-hash`;
}

/**
 * The node's published <stage>-<hash>: its Node annotation while the API answers, else its state file. An
 * annotation that is there but empty is returned as it is: upstream's supervisor reads it, not the file.
 */
export async function readPublished(
  ctx: StepContext,
  node: PlannedNode,
  stateFile: string,
): Promise<{ value: string; source: 'annotation' | 'state-file' }> {
  const kube = ctx.ports.kube;
  if (kube) {
    const up = await kube.readyz();
    if (up.ok) {
      const n = await kube.getNode(node.name);
      const value = n.ok ? n.value.annotations[annotationKey(node)] : undefined;
      if (value !== undefined) return { value, source: 'annotation' };
    }
  }
  return { value: stateFile, source: 'state-file' };
}

export async function readStatus(ctx: StepContext, node: PlannedNode): Promise<Read<EncryptionStatus>> {
  const r = await ctx.exec(node, statusCommand(node), 60);
  const s = r.outcome === 'ok' ? parseStatusJson(r.stdout) : null;
  if (!s)
    return {
      ok: false,
      detail:
        `\`${r.script}\` on ${node.name}: ${r.outcome} ${(r.stderr || r.stdout).trim().split('\n').slice(-1)[0] ?? ''}`.trim(),
    };
  return { ok: true, value: s };
}

export function isControlPlane(node: PlannedNode): boolean {
  return node.roles.includes('control-plane');
}

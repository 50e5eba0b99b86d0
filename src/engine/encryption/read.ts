// Reading a server's secrets-encryption facts without ever reading key material: sha256sum of its config, its
// state file (<stage>-<hash>, plain text), the provider name, its Node annotation, and `secrets-encrypt status -o json`.
import { ENCRYPTION_CONFIG, ENCRYPTION_STATE } from '../../model/cert-files.js';
import { shJoin, shq } from '../../util/shell-quote.js';
import { splitStatusKey } from '../../discovery/parse-secrets-encrypt.js';
import type { StepContext } from '../context.js';
import type { PlannedNode } from '../plan-types.js';
import { parseUntrustedJson } from '../../util/untrusted-text.js';

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
  if (r.outcome !== 'ok') return { ok: false, detail: `${node.name}: ${r.outcome}${r.stderr.trim() ? `: ${r.stderr.trim()}` : ''}` };
  const kv = parseKeyValues(r.stdout);
  const configHash = (kv['config-sha256'] ?? '').toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(configHash)) return { ok: false, detail: `${node.name}: no sha256 of ${ENCRYPTION_CONFIG} (sha256sum missing?)` };
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

/** The node's published <stage>-<hash>: its Node annotation while the API answers, else its state file. */
export async function readPublished(ctx: StepContext, node: PlannedNode, stateFile: string): Promise<{ value: string; source: 'annotation' | 'state-file' }> {
  const kube = ctx.ports.kube;
  if (kube) {
    const up = await kube.readyz();
    if (up.ok) {
      const n = await kube.getNode(node.name);
      const value = n.ok ? n.value.annotations[annotationKey(node)] : undefined;
      if (value) return { value, source: 'annotation' };
    }
  }
  return { value: stateFile, source: 'state-file' };
}

export interface EncryptionStatus {
  stage: string;
  activeKey: string;
  hashMatch: boolean;
  hashError: string;
}

export function statusCommand(node: PlannedNode): string {
  return shJoin([node.distro, 'secrets-encrypt', 'status', '-o', 'json']);
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

export function parseStatusJson(text: string): EncryptionStatus | null {
  try {
    const doc = parseUntrustedJson(text) as Record<string, unknown>;
    return {
      stage: typeof doc.stage === 'string' ? doc.stage : '',
      // The name only, on every release (newer ones prefix the key type).
      activeKey: typeof doc.activekey === 'string' ? splitStatusKey(doc.activekey).name : '',
      hashMatch: doc.hashmatch === true,
      hashError: typeof doc.hasherror === 'string' ? doc.hasherror : '',
    };
  } catch {
    return null;
  }
}

export async function readStatus(ctx: StepContext, node: PlannedNode): Promise<Read<EncryptionStatus>> {
  const r = await ctx.exec(node, statusCommand(node), 60);
  const s = r.outcome === 'ok' ? parseStatusJson(r.stdout) : null;
  if (!s) return { ok: false, detail: `\`${r.script}\` on ${node.name}: ${r.outcome} ${(r.stderr || r.stdout).trim().split('\n').slice(-1)[0] ?? ''}`.trim() };
  return { ok: true, value: s };
}

export function isControlPlane(node: PlannedNode): boolean {
  return node.roles.includes('control-plane');
}

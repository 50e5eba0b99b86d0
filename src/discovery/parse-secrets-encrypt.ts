// Parses `<prog> secrets-encrypt status` (text and -o json) and the node's encryption-state.json.
// The stage in `status` is that of the answering node only; the hash line names at most two nodes (field-notes).
import { parseUntrustedJson } from '../util/untrusted-text.js';

export type HashAgreement =
  | { kind: 'match' }
  | { kind: 'mismatch'; nodes: [string, string] }
  | { kind: 'error'; detail: string }
  | { kind: 'unknown' };

export interface EncryptKey {
  active: boolean;
  type: string;
  name: string;
}

export interface SecretsEncryptStatus {
  enabled: boolean | null;
  stage: string | null;
  hashes: HashAgreement;
  keys: EncryptKey[];
}

function hashAgreement(text: string): HashAgreement {
  const t = text.trim();
  if (/^All hashes match$/i.test(t)) return { kind: 'match' };
  const m = /^hash does not match between (.+) and (.+)$/.exec(t);
  if (m) return { kind: 'mismatch', nodes: [m[1].trim(), m[2].trim()] };
  return t ? { kind: 'error', detail: t } : { kind: 'unknown' };
}

/** Text format; lines before "Encryption Status:" (a pasted prompt) are ignored. */
export function parseSecretsEncryptText(output: string): SecretsEncryptStatus {
  const result: SecretsEncryptStatus = { enabled: null, stage: null, hashes: { kind: 'unknown' }, keys: [] };
  let inKeys = false;
  for (const line of output.split(/\r?\n/)) {
    const field = /^([A-Za-z ]+):\s*(.*)$/.exec(line);
    if (field && !inKeys) {
      const [, name, value] = field;
      if (name === 'Encryption Status') result.enabled = /^enabled$/i.test(value.trim());
      else if (name === 'Current Rotation Stage') result.stage = value.trim() || null;
      else if (name === 'Server Encryption Hashes') result.hashes = hashAgreement(value);
      continue;
    }
    if (/^Active\s+Key Type\s+Name\s*$/.test(line)) {
      inKeys = true;
      continue;
    }
    if (!inKeys || /^-+\s/.test(line)) continue;
    if (line.trim() === '') {
      if (result.keys.length > 0) inKeys = false;
      continue;
    }
    // " *      AES-CBC   aescbckey" (active) or "        AES-CBC   aescbckey" (inactive).
    const key = /^\s*(\*)?\s*(\S+)\s+(\S+)\s*$/.exec(line);
    if (key) result.keys.push({ active: key[1] === '*', type: key[2], name: key[3] });
  }
  return result;
}

/**
 * A key of `status -o json`: `"AES-CBC aescbckey-..."` / `"XSalsa20-POLY1305 secretboxkey-..."` since secretbox
 * support (k3s#12021, April 2025 releases), the bare name before (type "" then: those releases knew only AES-CBC,
 * which their CLI printed itself). Key names have no spaces (upstream makes them `<provider>key-<RFC 3339>`).
 */
export function splitStatusKey(value: string): { type: string; name: string } {
  const v = value.trim();
  const space = v.indexOf(' ');
  return space < 0 ? { type: '', name: v } : { type: v.slice(0, space), name: v.slice(space + 1).trim() };
}

/** `-o json`: {stage, activekey, enable, hashmatch (omitted when false), hasherror, inactivekeys}. */
export function parseSecretsEncryptJson(output: string): SecretsEncryptStatus | null {
  const start = output.indexOf('{');
  const end = output.lastIndexOf('}');
  if (start < 0 || end < start) return null;
  let doc: Record<string, unknown>;
  try {
    doc = parseUntrustedJson(output.slice(start, end + 1)) as Record<string, unknown>;
  } catch {
    return null;
  }
  const hashError = typeof doc.hasherror === 'string' ? doc.hasherror : '';
  const hashes: HashAgreement = doc.hashmatch === true
    ? { kind: 'match' }
    : hashError
      ? hashAgreement(hashError)
      : { kind: 'error', detail: 'hashes do not match' };
  const keys: EncryptKey[] = [];
  if (typeof doc.activekey === 'string' && doc.activekey) keys.push({ active: true, ...splitStatusKey(doc.activekey) });
  if (Array.isArray(doc.inactivekeys)) {
    for (const k of doc.inactivekeys) if (typeof k === 'string') keys.push({ active: false, ...splitStatusKey(k) });
  }
  return {
    enabled: typeof doc.enable === 'boolean' ? doc.enable : null,
    stage: typeof doc.stage === 'string' ? doc.stage : null,
    hashes,
    keys,
  };
}

export interface EncryptionStateFile {
  stage: string;
  /** Hex sha256 of the raw encryption-config.json bytes as the node recorded it. */
  hash: string;
}

/** encryption-state.json holds `<stage>-<hex sha256>` (plain text despite the name); stages contain '_' only. */
export function parseEncryptionState(text: string): EncryptionStateFile | null {
  const m = /^\s*"?([a-z_]+)-([0-9a-f]{64})"?\s*$/.exec(text);
  return m ? { stage: m[1], hash: m[2] } : null;
}

/** `sha256sum FILE` → the hex digest. */
export function parseSha256sum(text: string): string | null {
  const m = /^\\?([0-9a-f]{64})\s/m.exec(text);
  return m ? m[1] : null;
}

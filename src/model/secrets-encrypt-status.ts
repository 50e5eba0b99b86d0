// `<prog> secrets-encrypt status -o json`, the one reading of it (the engine's gates and stage checks read it).
// The document (k3s pkg/server/handlers/secrets-encrypt.go encryptionStatus): {stage, activekey, enable, hashmatch
// (omitted when false), hasherror, inactivekeys}. The stage is that of the answering server only (field-notes).
import { parseUntrustedJson } from '../util/untrusted-text.js';

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

export interface EncryptionStatus {
  stage: string;
  /** The active key's name only, on every release (newer ones prefix the key type). */
  activeKey: string;
  hashMatch: boolean;
  hashError: string;
}

export function parseStatusJson(text: string): EncryptionStatus | null {
  try {
    const doc = parseUntrustedJson(text) as Record<string, unknown>;
    return {
      stage: typeof doc.stage === 'string' ? doc.stage : '',
      activeKey: typeof doc.activekey === 'string' ? splitStatusKey(doc.activekey).name : '',
      hashMatch: doc.hashmatch === true,
      hashError: typeof doc.hasherror === 'string' ? doc.hasherror : '',
    };
  } catch {
    return null;
  }
}

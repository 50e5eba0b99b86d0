// Parses a node's encryption-state.json and the sha256sum of its encryption-config.json (the scan reads both).
// `secrets-encrypt status -o json` is read in one place: src/model/secrets-encrypt-status.ts.

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

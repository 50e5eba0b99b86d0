// encryption-config.json as upstream writes it for either provider: the encrypting provider first and identity
// last (enabled), or identity first (disabled, the keys kept to read old data). Compact JSON in Go's field order,
// so the same layout always hashes the same (servers publish `<stage>-<sha256 of these bytes>`).
import { newEncryptionKey, type EncryptionKey } from '../pki/index.js';

export type EncryptionProvider = 'aescbc' | 'secretbox';

export interface EncryptionLayout {
  provider: EncryptionProvider;
  /** The first key encrypts (when enabled); the others only decrypt. */
  keys: EncryptionKey[];
  enabled: boolean;
}

/** A fresh server's layout: one key named like upstream's first key (`aescbckey` / `secretboxkey`). */
export function initialLayout(provider: EncryptionProvider): EncryptionLayout {
  return { provider, keys: [newEncryptionKey(`${provider}key`)], enabled: true };
}

/** Upstream's name for an added key: `aescbckey-2021-12-10T22:54:38Z` (RFC 3339, UTC in the lab). */
export function addedKeyName(provider: EncryptionProvider, now: Date): string {
  return `${provider}key-${now.toISOString().replace(/\.\d{3}Z$/, 'Z')}`;
}

export function encryptionConfigText(layout: EncryptionLayout): string {
  const keys = layout.keys.map(({ name, secret }) => ({ name, secret }));
  const encrypting = layout.provider === 'aescbc' ? { aescbc: { keys } } : { secretbox: { keys } };
  const providers = layout.enabled ? [encrypting, { identity: {} }] : [{ identity: {} }, encrypting];
  return JSON.stringify({
    kind: 'EncryptionConfiguration',
    apiVersion: 'apiserver.config.k8s.io/v1',
    resources: [{ resources: ['secrets'], providers }],
  });
}

/** The layout of a config text; null when it is not one the lab (or upstream's CLI) can manage. */
export function readEncryptionLayout(text: string): EncryptionLayout | null {
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch {
    return null;
  }
  const providers = firstResourceProviders(config);
  if (!providers || providers.length === 0) return null;
  const enabled = !('identity' in providers[0]);
  for (const provider of providers) {
    for (const kind of ['aescbc', 'secretbox'] as const) {
      const section = provider[kind];
      if (isRecord(section) && Array.isArray(section.keys)) {
        return {
          provider: kind,
          keys: section.keys.filter(isKey).map(({ name, secret }) => ({ name, secret })),
          enabled,
        };
      }
    }
  }
  return null;
}

/** Upstream's key-type column: `AES-CBC` or `XSalsa20-POLY1305`. */
export function keyTypeLabel(provider: EncryptionProvider): string {
  return provider === 'aescbc' ? 'AES-CBC' : 'XSalsa20-POLY1305';
}

function firstResourceProviders(config: unknown): Record<string, unknown>[] | null {
  if (!isRecord(config) || !Array.isArray(config.resources)) return null;
  const first: unknown = config.resources[0];
  if (!isRecord(first) || !Array.isArray(first.providers)) return null;
  return first.providers.filter(isRecord);
}

function isKey(value: unknown): value is EncryptionKey {
  return isRecord(value) && typeof value.name === 'string' && typeof value.secret === 'string';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

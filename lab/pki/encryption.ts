// Upstream's secrets-encryption config (server/cred/encryption-config.json): compact JSON as Go's json.Marshal
// writes it, aescbc keys first (the first key encrypts, the others only decrypt) then identity. Servers publish
// `<stage>-<sha256 of these exact bytes>`, so the text must be byte-stable for the same keys.
import { createHash, randomBytes } from 'node:crypto';

export interface EncryptionKey {
  name: string;
  /** base64 of 32 random bytes. */
  secret: string;
}

type Provider =
  | { aescbc: { keys: EncryptionKey[] } }
  | { secretbox: { keys: EncryptionKey[] } }
  | { identity: Record<string, never> };

interface EncryptionConfiguration {
  kind: 'EncryptionConfiguration';
  apiVersion: 'apiserver.config.k8s.io/v1';
  resources: { resources: string[]; providers: Provider[] }[];
}

export function newEncryptionKey(name: string): EncryptionKey {
  return { name, secret: randomBytes(32).toString('base64') };
}

/** The config text for `keys` (the first one is active), or for one new key named "aescbckey" like a fresh server. */
export function createEncryptionConfig(keys?: EncryptionKey[]): string {
  const chosen = keys && keys.length > 0 ? keys : [newEncryptionKey('aescbckey')];
  const config: EncryptionConfiguration = {
    kind: 'EncryptionConfiguration',
    apiVersion: 'apiserver.config.k8s.io/v1',
    resources: [
      {
        resources: ['secrets'],
        providers: [{ aescbc: { keys: chosen.map(({ name, secret }) => ({ name, secret })) } }, { identity: {} }],
      },
    ],
  };
  return JSON.stringify(config);
}

/** The aescbc (and secretbox) keys of a config, in file order. Throws on text that is not such a config. */
export function readEncryptionKeys(configJson: string): EncryptionKey[] {
  const config: unknown = JSON.parse(configJson);
  const resources = isRecord(config) && Array.isArray(config.resources) ? config.resources : undefined;
  if (!resources) throw new Error('encryption config: no "resources" list');
  const keys: EncryptionKey[] = [];
  for (const resource of resources) {
    const providers = isRecord(resource) && Array.isArray(resource.providers) ? resource.providers : [];
    for (const provider of providers) {
      if (!isRecord(provider)) continue;
      for (const kind of ['aescbc', 'secretbox'] as const) {
        const section = provider[kind];
        if (isRecord(section) && Array.isArray(section.keys)) keys.push(...section.keys.filter(isEncryptionKey));
      }
    }
  }
  return keys.map(({ name, secret }) => ({ name, secret }));
}

/** Hex SHA-256 of the raw bytes (a string is hashed as its UTF-8 bytes). */
export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function isEncryptionKey(value: unknown): value is EncryptionKey {
  return isRecord(value) && typeof value.name === 'string' && typeof value.secret === 'string';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

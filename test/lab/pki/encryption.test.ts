// encryption-config.json as upstream writes it, and the hash servers publish of its raw bytes.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createEncryptionConfig, newEncryptionKey, readEncryptionKeys, sha256Hex } from '../../../lab/pki/index.js';

describe('encryption config', () => {
  it('creates upstream layout with one new aescbckey by default', () => {
    const text = createEncryptionConfig();
    const parsed = JSON.parse(text);
    expect(parsed.kind).toBe('EncryptionConfiguration');
    expect(parsed.apiVersion).toBe('apiserver.config.k8s.io/v1');
    expect(parsed.resources).toHaveLength(1);
    expect(parsed.resources[0].resources).toEqual(['secrets']);
    expect(parsed.resources[0].providers[1]).toEqual({ identity: {} });
    const keys = parsed.resources[0].providers[0].aescbc.keys;
    expect(keys).toHaveLength(1);
    expect(keys[0].name).toBe('aescbckey');
    expect(Buffer.from(keys[0].secret, 'base64')).toHaveLength(32);
    // Compact like Go's json.Marshal, with upstream's key order.
    expect(
      text.startsWith(
        '{"kind":"EncryptionConfiguration","apiVersion":"apiserver.config.k8s.io/v1","resources":[{"resources":["secrets"],"providers":[{"aescbc":{"keys":[{"name":"aescbckey","secret":"',
      ),
    ).toBe(true);
  });

  it('makes distinct random keys', () => {
    const a = newEncryptionKey('a');
    const b = newEncryptionKey('a');
    expect(a.secret).not.toBe(b.secret);
    expect(Buffer.from(a.secret, 'base64')).toHaveLength(32);
  });

  it('round-trips the given keys in order', () => {
    const keys = [newEncryptionKey('aescbckey-2025-05-15T22:03:27Z'), newEncryptionKey('aescbckey')];
    const text = createEncryptionConfig(keys);
    expect(readEncryptionKeys(text)).toEqual(keys);
    // Same keys, same bytes: the published hash is stable.
    expect(createEncryptionConfig(keys)).toBe(text);
  });

  it('reads secretbox keys too and rejects text that is not a config', () => {
    const key = newEncryptionKey('secretboxkey');
    const text = JSON.stringify({
      resources: [{ resources: ['secrets'], providers: [{ secretbox: { keys: [key] } }, { identity: {} }] }],
    });
    expect(readEncryptionKeys(text)).toEqual([key]);
    expect(() => readEncryptionKeys('{"kind":"Other"}')).toThrow(/resources/);
  });

  it('hashes raw bytes as hex sha256', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    const text = createEncryptionConfig();
    expect(sha256Hex(text)).toBe(createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex'));
    expect(sha256Hex(Buffer.from(text))).toBe(sha256Hex(text));
    expect(sha256Hex(text + ' ')).not.toBe(sha256Hex(text));
  });
});

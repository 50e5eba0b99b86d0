import { describe, expect, it } from 'vitest';
import { parseStatusJson, splitStatusKey } from '../../src/model/secrets-encrypt-status.js';
import { fixture } from '../discovery/support/fixtures.js';

describe('secrets-encrypt status -o json', () => {
  it('reads the upstream document (k3s#5138 fixture): stage, the active key name, the hash agreement', () => {
    const text = fixture('k3s-secrets-encrypt-status-json.txt');
    expect(parseStatusJson(text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1))).toEqual({
      stage: 'start',
      activeKey: 'aescbckey',
      hashMatch: true,
      hashError: '',
    });
  });

  it('treats an omitted hashmatch as a mismatch, keeps hasherror, and answers null for what is not JSON', () => {
    expect(
      parseStatusJson(
        '{\n\t"stage": "prepare",\n\t"enable": true,\n\t"hasherror": "hash does not match between a and b"\n}',
      ),
    ).toEqual({
      stage: 'prepare',
      activeKey: '',
      hashMatch: false,
      hashError: 'hash does not match between a and b',
    });
    expect(parseStatusJson('not json')).toBeNull();
  });

  it('reads the key name whether or not the release prefixes the key type (k3s#12021)', () => {
    expect(
      parseStatusJson(
        '{"stage":"reencrypt_finished","activekey":"AES-CBC aescbckey-2025-05-01T10:00:00Z","hashmatch":true}',
      )?.activeKey,
    ).toBe('aescbckey-2025-05-01T10:00:00Z');
    expect(splitStatusKey('XSalsa20-POLY1305 secretboxkey')).toEqual({
      type: 'XSalsa20-POLY1305',
      name: 'secretboxkey',
    });
    expect(splitStatusKey('aescbckey')).toEqual({ type: '', name: 'aescbckey' });
  });
});

import { describe, expect, it } from 'vitest';
import {
  parseEncryptionState,
  parseSecretsEncryptJson,
  parseSecretsEncryptText,
  parseSha256sum,
} from '../../src/discovery/parse-secrets-encrypt.js';
import { fixture } from './support/fixtures.js';

describe('secrets-encrypt status', () => {
  it('reads the single-server text status', () => {
    expect(parseSecretsEncryptText(fixture('k3s-secrets-encrypt-status-single-start.txt'))).toEqual({
      enabled: true,
      stage: 'start',
      hashes: { kind: 'match' },
      keys: [{ active: true, type: 'AES-CBC', name: 'aescbckey' }],
    });
  });

  it('names the two nodes of a hash mismatch and reads active and inactive keys', () => {
    const s = parseSecretsEncryptText(fixture('rke2-secrets-encrypt-status-mismatch.txt'));
    expect(s.stage).toBe('rotate');
    expect(s.hashes).toEqual({ kind: 'mismatch', nodes: ['node-1', 'node-2'] });
    expect(s.keys).toEqual([
      { active: true, type: 'AES-CBC', name: 'aescbckey-2021-12-10T22:54:38Z' },
      { active: false, type: 'AES-CBC', name: 'aescbckey' },
    ]);
  });

  it('reads the HA prepare mismatch after a kubectl listing', () => {
    const s = parseSecretsEncryptText(fixture('k3s-secrets-encrypt-prepare-mismatch-ha.txt'));
    expect(s).toMatchObject({ enabled: true, stage: 'prepare', hashes: { kind: 'mismatch', nodes: ['s1', 's2'] } });
  });

  it('reads -o json (the text part of the same fixture agrees)', () => {
    const text = fixture('k3s-secrets-encrypt-status-json.txt');
    const json = parseSecretsEncryptJson(text.slice(text.indexOf('-o json')));
    expect(json).toEqual({ enabled: true, stage: 'start', hashes: { kind: 'match' }, keys: [{ active: true, type: '', name: 'aescbckey' }] });
    expect(parseSecretsEncryptText(text.slice(0, text.indexOf('-o json'))).stage).toBe('start');
  });

  it('treats an omitted hashmatch as a mismatch and reads hasherror', () => {
    const json = parseSecretsEncryptJson('{\n\t"stage": "prepare",\n\t"enable": true,\n\t"hasherror": "hash does not match between a and b"\n}');
    expect(json?.hashes).toEqual({ kind: 'mismatch', nodes: ['a', 'b'] });
    expect(parseSecretsEncryptJson('{"stage":"start","enable":true}')?.hashes.kind).toBe('error');
    expect(parseSecretsEncryptJson('not json')).toBeNull();
  });

  it('reads encryption-state.json and sha256sum output', () => {
    const hash = '0841ae8749d836bd6fd825a61bcc768d83a5dddfe60c2fd8c6fe82a5e36bb67b';
    expect(parseEncryptionState(`start-${hash}`)).toEqual({ stage: 'start', hash });
    expect(parseEncryptionState(`reencrypt_finished-${hash}\n`)).toEqual({ stage: 'reencrypt_finished', hash });
    expect(parseEncryptionState('garbage')).toBeNull();
    expect(parseSha256sum(`${hash}  /var/lib/rancher/rke2/server/cred/encryption-config.json\n`)).toBe(hash);
    expect(parseSha256sum('sha256sum: x: No such file or directory')).toBeNull();
  });
});

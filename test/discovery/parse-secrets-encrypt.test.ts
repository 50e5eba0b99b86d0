import { describe, expect, it } from 'vitest';
import { parseEncryptionState, parseSha256sum } from '../../src/discovery/parse-secrets-encrypt.js';

describe('encryption state on the node', () => {
  it('reads encryption-state.json and sha256sum output', () => {
    const hash = '0841ae8749d836bd6fd825a61bcc768d83a5dddfe60c2fd8c6fe82a5e36bb67b';
    expect(parseEncryptionState(`start-${hash}`)).toEqual({ stage: 'start', hash });
    expect(parseEncryptionState(`reencrypt_finished-${hash}\n`)).toEqual({ stage: 'reencrypt_finished', hash });
    expect(parseEncryptionState('garbage')).toBeNull();
    expect(parseSha256sum(`${hash}  /var/lib/rancher/rke2/server/cred/encryption-config.json\n`)).toBe(hash);
    expect(parseSha256sum('sha256sum: x: No such file or directory')).toBeNull();
  });
});

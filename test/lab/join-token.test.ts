// The lab's token-mismatch text against upstream's own journal (fixture from k3s#3727): the same error, token
// hash first and the server's second, so a diagnosis written against real logs reads the lab's too.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tokenMismatch } from '../../lab/join-token.js';

const MESSAGE =
  /msg="(?:[^"]*: )?(token CA hash does not match the Cluster CA certificate hash: ([0-9a-f]{64}) != ([0-9a-f]{64}))"$/;

describe('token CA hash mismatch text', () => {
  it('matches the upstream agent journal', () => {
    const fixture = readFileSync(
      path.join(__dirname, '../fixtures/upstream/k3s-agent-token-ca-hash-mismatch.txt'),
      'utf8',
    );
    const lines = fixture.split('\n').filter((l) => l.includes('level=error'));
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      const m = MESSAGE.exec(line);
      expect(m, line).not.toBeNull();
      expect(tokenMismatch(m![2], m![3])).toBe(m![1]);
    }
  });
});

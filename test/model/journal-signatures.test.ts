// One list of failure signatures: what diagnose reads as a signature is what the run screen's log pane paints red.
// Before model/journal-signatures.ts the pane had its own shorter list (no missing key, no invalid annotation) and
// painted any gRPC handshake failure, containerd's too.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/discovery/diagnose.js';
import { parseJournal } from '../../src/discovery/parse-journal.js';
import { isFailureLine, SIGNATURE_CODES } from '../../src/model/journal-signatures.js';
import { fixturesDir } from '../support/paths.js';

const journalFixtures = readdirSync(fixturesDir).filter((f) =>
  /journal|cli-missing|secrets-encrypt-status-invalid/.test(f),
);

describe('journal signatures', () => {
  it('every line diagnose reads as a signature is a failure line in the log pane (upstream fixtures)', () => {
    const codes = new Set<string>(SIGNATURE_CODES);
    let diagnosed = 0;
    for (const name of journalFixtures) {
      const text = readFileSync(path.join(fixturesDir, name), 'utf8').split('\n').slice(1).join('\n');
      for (const line of parseJournal(text)) {
        const found = diagnose([line], { roles: ['etcd', 'control-plane'], unit: null }).filter((d) =>
          codes.has(d.code),
        );
        if (found.length === 0) continue;
        diagnosed++;
        expect(isFailureLine(line.raw), `${name}: ${line.raw}`).toBe(true);
      }
    }
    expect(diagnosed).toBeGreaterThan(5);
  });

  it("paints the signatures the pane used to miss, and not a gRPC handshake failure that is not etcd's", () => {
    expect(
      isFailureLine(
        'level=error msg="open /var/lib/rancher/rke2/server/tls/etcd/client.key: no such file or directory"',
      ),
    ).toBe(true);
    expect(isFailureLine('level=error msg="invalid annotation start- found on node cp-1"')).toBe(true);
    expect(
      isFailureLine(
        'level=warning msg="transport: authentication handshake failed" addr=/run/k3s/containerd/containerd.sock',
      ),
    ).toBe(false);
    expect(isFailureLine('level=info msg="Starting rke2"')).toBe(false);
  });
});

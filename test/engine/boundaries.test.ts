import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { interpretCheck, parseSystemdTime } from '../../src/engine/commands.js';

const FORBIDDEN =
  /from '(react|ink|zx|@kubernetes\/client-node|conf|node:fs|node:fs\/promises|fs|node:child_process|child_process)'|from '[./]+\/transports\/(?!types\.js)/;

async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await files(p)));
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

describe('engine boundaries', () => {
  it('src/engine talks to the world only through ports', async () => {
    const offenders: string[] = [];
    for (const f of await files(path.resolve('src/engine'))) {
      for (const line of (await readFile(f, 'utf8')).split('\n'))
        if (FORBIDDEN.test(line)) offenders.push(`${f}: ${line}`);
    }
    expect(offenders).toEqual([]);
  });

  it('recipes are data: no imports but types', async () => {
    for (const f of await files(path.resolve('recipes'))) {
      if (f.endsWith('index.ts')) continue;
      const imports = (await readFile(f, 'utf8')).split('\n').filter((l) => l.startsWith('import '));
      expect(imports.every((l) => l.startsWith('import type '))).toBe(true);
    }
  });
});

describe('resume checks', () => {
  const started = Date.parse('2025-06-01T12:00:00Z');
  it('restart: done only when the unit became active after the attempt started', () => {
    const op = { op: 'service', action: 'restart' } as const;
    expect(interpretCheck(op, 'ActiveState=active\nActiveEnterTimestamp=Sun 2025-06-01 12:00:30 UTC', started)).toBe(
      'done',
    );
    expect(interpretCheck(op, 'ActiveState=active\nActiveEnterTimestamp=Sun 2025-06-01 11:00:00 UTC', started)).toBe(
      'not-done',
    );
    expect(
      interpretCheck(op, 'ActiveState=activating\nActiveEnterTimestamp=Sun 2025-06-01 12:00:30 UTC', started),
    ).toBe('not-done');
    expect(interpretCheck(op, 'ActiveState=active\nActiveEnterTimestamp=', started)).toBe('not-done');
  });

  it('stop/start read is-active; rotate looks for a tls-<ts> backup no older than the attempt', () => {
    expect(interpretCheck({ op: 'service', action: 'stop' }, 'inactive\n', started)).toBe('done');
    expect(interpretCheck({ op: 'service', action: 'stop' }, 'deactivating\n', started)).toBe('not-done');
    expect(interpretCheck({ op: 'service', action: 'start' }, 'activating\n', started)).toBe('not-done');
    expect(interpretCheck({ op: 'service', action: 'start', noBlock: true }, 'activating\n', started)).toBe('done');
    const ts = started / 1000;
    expect(
      interpretCheck({ op: 'certificate-rotate' }, `/d/server/tls-${ts - 86400}\n/d/server/tls-${ts + 2}\n`, started),
    ).toBe('done');
    expect(interpretCheck({ op: 'certificate-rotate' }, `/d/server/tls-${ts - 86400}\n`, started)).toBe('not-done');
  });

  it("rotate-keys counts as done at any stage it answers at, never on the previous rotation's reencrypt_finished", () => {
    const op = { op: 'secrets-encrypt', action: 'rotate-keys' } as const;
    // `status -o json` (k3s pkg/server/handlers/secrets-encrypt.go EncryptionState, MarshalIndent with tabs); the
    // added key's name is `aescbckey-<RFC 3339>` (k3s#12373 log: aescbckey-2025-05-16T19:21:39Z).
    const status = (stage: string, activekey: string) =>
      JSON.stringify({ stage, activekey, enable: true, hashmatch: true }, null, '\t');
    const at = Date.parse('2025-05-16T19:21:30Z');
    // Recent releases return at reencrypt_finished; older ones at reencrypt_request / reencrypt_active.
    expect(interpretCheck(op, status('reencrypt_finished', 'AES-CBC aescbckey-2025-05-16T19:21:39Z'), at)).toBe('done');
    expect(interpretCheck(op, status('reencrypt_finished', 'aescbckey-2025-05-16T19:21:39Z'), at)).toBe('done');
    expect(interpretCheck(op, status('reencrypt_active', 'AES-CBC aescbckey-2025-05-16T19:21:39Z'), at)).toBe('done');
    expect(interpretCheck(op, status('reencrypt_request', 'aescbckey-2025-05-16T19:21:39Z'), at)).toBe('done');
    expect(
      interpretCheck(op, status('reencrypt_finished', 'XSalsa20-POLY1305 secretboxkey-2025-05-16T19:21:39Z'), at),
    ).toBe('done');
    // Not sent (or refused): the cluster is where a rotation starts, with the key it had.
    expect(interpretCheck(op, status('reencrypt_finished', 'AES-CBC aescbckey-2025-02-01T08:00:00Z'), at)).toBe(
      'not-done',
    );
    expect(interpretCheck(op, status('start', 'AES-CBC aescbckey'), at)).toBe('not-done');
    expect(interpretCheck(op, '', at)).toBe('not-done');
  });

  it('parses systemd timestamps', () => {
    expect(parseSystemdTime('Tue 2025-05-06 12:00:00 UTC')).toBe(Date.parse('2025-05-06T12:00:00Z'));
    expect(parseSystemdTime('')).toBeNull();
  });
});

// The join-token CA hash against upstream's hashCA rule, checked with openssl: a one-certificate server-ca.crt
// hashes its file bytes; the 4-certificate bundle keyturn's own on-node script generates hashes the DER of its
// new self-signed root (Go's Verify tries the roots pool before the intermediates, so the chain through the
// cross-signed copy to the old root comes second); the same for the lab's upstream-layout bundle and for a second
// rotation; a bundle whose first certificate chains to nothing falls back to the file bytes.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderGenerateCa, CA_TYPES } from '../../src/engine/ca/script.js';
import { tokenCaHash } from '../../src/model/token-ca-hash.js';
import { generateClusterCAs, writeCaFiles, writeRotateCaBundle } from '../../lab/pki/index.js';
import { haveBinaries } from '../support/binaries.js';
import { cluster } from './support/clusters.js';
import { planRun } from '../../src/engine/plan.js';
import { findRecipe } from '../../recipes/index.js';

const ok = haveBinaries('openssl', 'sha256sum');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function tmp(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'keyturn-cahash-'));
  dirs.push(d);
  return d;
}

function sh(script: string, cwd?: string): string {
  return execFileSync('sh', ['-c', script], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** sha256 of the DER of the nth (1-based) certificate of a PEM file, by openssl alone. */
function opensslDerSha(file: string, nth: number): string {
  const awk = `awk -v n=${nth} 'BEGIN{c=0} /-----BEGIN CERTIFICATE/{c++} c==n{print} /-----END CERTIFICATE/ && c==n{exit}' ${JSON.stringify(file)}`;
  return sh(`${awk} | openssl x509 -outform DER | sha256sum | cut -d ' ' -f 1`).trim();
}

function fileSha(file: string): string {
  return sh(`sha256sum ${JSON.stringify(file)} | cut -d ' ' -f 1`).trim();
}

/** A k3s-like server tls dir: five self-signed EC CAs and a service key, made by openssl. */
function opensslCas(dataDir: string): void {
  const tls = path.join(dataDir, 'server/tls');
  mkdirSync(path.join(tls, 'etcd'), { recursive: true });
  for (const t of CA_TYPES) {
    sh(
      `openssl ecparam -name prime256v1 -genkey -noout -out ${t}-ca.key 2>/dev/null && openssl req -new -x509 -key ${t}-ca.key -subj "/CN=k3s-${t.replace('/', '-')}-ca@1700000000" -days 3650 -out ${t}-ca.crt 2>/dev/null`,
      tls,
    );
  }
  sh('openssl genrsa -out service.key 2048 2>/dev/null', tls);
}

function generateWithKeyturnScript(dataDir: string): string {
  const r = planRun(findRecipe('rotate-ca')!, cluster('split', 'k3s'), { runId: 'run-1' });
  if (!r.ok) throw new Error(r.refusal.reason);
  const node = { ...r.plan.nodes[0], dataDir };
  const out = sh(renderGenerateCa(node, `${dataDir}/server/rotate-ca`));
  expect(out).toMatch(/server-ca-sha256=[0-9a-f]{64}/);
  return path.join(dataDir, 'server/rotate-ca/tls/server-ca.crt');
}

describe.skipIf(!ok)('token CA hash (upstream hashCA)', () => {
  /** As of a minute from now: openssl starts a new certificate's validity at the second it signs it. */
  const later = () => new Date(Date.now() + 60_000);

  it('a one-certificate server-ca.crt: sha256 of the file bytes', () => {
    const d = tmp();
    opensslCas(d);
    const file = path.join(d, 'server/tls/server-ca.crt');
    const got = tokenCaHash(readFileSync(file), later());
    expect(got).toEqual({ hash: fileSha(file), source: 'file' });
    // the file hash is not the DER hash: the rule really is "bytes of the file" for a single certificate
    expect(got.hash).not.toBe(opensslDerSha(file, 1));
  });

  it("keyturn's own 4-certificate bundle: the DER of the new self-signed root (2nd certificate), not the whole file", () => {
    const d = tmp();
    opensslCas(d);
    const bundle = generateWithKeyturnScript(d);
    const text = readFileSync(bundle, 'utf8');
    expect(text.match(/BEGIN CERTIFICATE/g)).toHaveLength(4);
    const got = tokenCaHash(readFileSync(bundle), later());
    expect(got.source).toBe('root');
    expect(got.hash).toBe(opensslDerSha(bundle, 2));
    expect(got.hash).not.toBe(fileSha(bundle));
    expect(got.hash).not.toBe(opensslDerSha(bundle, 4)); // the old root, reached only through the cross-signed copy
    expect(got.rootSubject).toMatch(/CN=k3s-server-root@\d+/);
    const firstRoot = got.hash;

    // A second rotation: the current server-ca.crt is itself a bundle; the next one pins the next new root.
    writeFileSync(path.join(d, 'server/tls/server-ca.crt'), text);
    for (const t of CA_TYPES) {
      for (const ext of ['crt', 'key'])
        writeFileSync(
          path.join(d, `server/tls/${t}-ca.${ext}`),
          readFileSync(path.join(d, `server/rotate-ca/tls/${t}-ca.${ext}`)),
        );
    }
    rmSync(path.join(d, 'server/rotate-ca'), { recursive: true });
    const second = generateWithKeyturnScript(d);
    expect(tokenCaHash(readFileSync(second), later()).hash).toBe(opensslDerSha(second, 2));
    expect(opensslDerSha(second, 4)).toBe(firstRoot); // its old root is the first rotation's root
  });

  it("the lab's bundle in upstream's layout (rotate-default-ca-certs.sh): the new root's DER", async () => {
    const d = tmp();
    const now = new Date();
    const cas = await generateClusterCAs('rke2', now);
    await writeCaFiles({
      dataDir: d,
      distro: 'rke2',
      roles: ['etcd', 'control-plane'],
      nodeName: 'n',
      address: '127.0.0.1',
      cas,
    });
    const single = path.join(d, 'server/tls/server-ca.crt');
    expect(tokenCaHash(readFileSync(single), later()).hash).toBe(fileSha(single));
    const dir = await writeRotateCaBundle(d, 'rke2', now);
    const bundle = path.join(dir, 'tls/server-ca.crt');
    expect(tokenCaHash(readFileSync(bundle), later()).hash).toBe(opensslDerSha(bundle, 2));
  });

  it('follows Verify, not file order: without the self-signed copy the chain runs through the cross-signed root to the old one', () => {
    const d = tmp();
    opensslCas(d);
    const bundle = generateWithKeyturnScript(d);
    const blocks = readFileSync(bundle, 'utf8').match(
      /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n/g,
    )!;
    const trimmed = path.join(d, 'no-self-signed.crt');
    writeFileSync(trimmed, [blocks[0], blocks[2], blocks[3]].join(''));
    expect(tokenCaHash(readFileSync(trimmed), later()).hash).toBe(opensslDerSha(trimmed, 3));
  });

  it('falls back to the file bytes when the first certificate chains to nothing in the file (or has expired)', () => {
    const a = tmp();
    const b = tmp();
    opensslCas(a);
    opensslCas(b);
    const mixed = path.join(a, 'mixed.crt');
    writeFileSync(
      mixed,
      readFileSync(path.join(a, 'server/tls/server-ca.crt'), 'utf8') +
        readFileSync(path.join(b, 'server/tls/client-ca.crt'), 'utf8'),
    );
    expect(tokenCaHash(readFileSync(mixed), later())).toEqual({ hash: fileSha(mixed), source: 'file' });
    const bundle = generateWithKeyturnScript(b);
    expect(tokenCaHash(readFileSync(bundle), new Date(Date.now() + 30 * 365 * 86_400_000)).source).toBe('file');
  });
});

// Bad kubeconfig input must stop keyturn with ONE line naming the input and the fix (exit 2), before any request.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { loadKubeconfig } from '../../src/transports/kube-config.js';
import { loadKubeGateway } from '../../src/transports/kube-gateway.js';
import { haveBinaries } from '../support/binaries.js';
import { kubeconfigYaml } from './fake-apiserver.js';
import { issue, makeCa, type KeyPair } from './test-pki.js';

const available = haveBinaries('openssl');

async function usageErrorOf(load: Promise<unknown>): Promise<string> {
  const error = await load.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UsageError);
  const message = (error as UsageError).message;
  expect(message).not.toContain('\n');
  return message;
}

describe.skipIf(!available)('kubeconfig input errors', () => {
  let dir: string;
  let ca: KeyPair;
  let client: KeyPair;
  const server = 'https://127.0.0.1:6443';
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'kt-kcfg-'));
    ca = makeCa(dir, 'ca');
    client = issue(dir, 'ca', 'admin', { commonName: 'system:admin', usage: 'client' });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(() => vi.unstubAllEnvs());

  it('names a --kubeconfig that does not exist', async () => {
    const message = await usageErrorOf(loadKubeGateway({ kubeconfig: path.join(dir, 'nope.yaml') }));
    expect(message).toMatch(/^--kubeconfig .*nope\.yaml: file not found — /);
  });

  it('names a file that is not valid YAML, or not a kubeconfig', async () => {
    const broken = write('broken.yaml', 'clusters: [\n  - name: c\n  cluster: {server: x\n');
    expect(await usageErrorOf(loadKubeGateway({ kubeconfig: broken }))).toMatch(
      /broken\.yaml: not valid YAML \(.+\) — /,
    );
    const list = write('list.yaml', '- a\n- b\n');
    expect(await usageErrorOf(loadKubeGateway({ kubeconfig: list }))).toMatch(/list\.yaml: not a kubeconfig/);
    const noServer = write('noserver.yaml', kubeconfigYaml({ server: '', ca, client }));
    expect(await usageErrorOf(loadKubeGateway({ kubeconfig: noServer }))).toMatch(/no valid server URL/);
  });

  it('names an unknown context and lists the ones there are', async () => {
    const file = write('two-contexts.yaml', kubeconfigYaml({ server, ca, client, contexts: ['a', 'b'] }));
    const message = await usageErrorOf(loadKubeGateway({ kubeconfig: file, context: 'x' }));
    expect(message).toBe(`context 'x' not in ${file}; contexts: a, b`);
    await expect(loadKubeGateway({ kubeconfig: file, context: 'b' })).resolves.toMatchObject({ server });
  });

  it('refuses an expired client certificate, saying when it expired', async () => {
    const expired = issue(dir, 'ca', 'expired', {
      commonName: 'old-admin',
      usage: 'client',
      startDate: '20200101000000Z',
      endDate: '20210101000000Z',
    });
    const file = write('expired.yaml', kubeconfigYaml({ server, ca, client: expired }));
    const message = await usageErrorOf(loadKubeGateway({ kubeconfig: file }));
    expect(message).toMatch(
      /client certificate of user 'u' expired on 2021-01-01T00:00:00\.000Z — copy a fresh kubeconfig/,
    );
  });

  it('refuses a client certificate that is not valid yet (clock skew)', async () => {
    const future = issue(dir, 'ca', 'future', {
      commonName: 'new-admin',
      usage: 'client',
      startDate: '20990101000000Z',
      endDate: '20991231000000Z',
    });
    const file = write('future.yaml', kubeconfigYaml({ server, ca, client: future }));
    expect(await usageErrorOf(loadKubeGateway({ kubeconfig: file }))).toMatch(
      /not valid until 2099-01-01.*check this machine's clock/,
    );
  });

  it('refuses a plain http:// server unless insecure-skip-tls-verify says so', async () => {
    const file = write('http.yaml', kubeconfigYaml({ server: 'http://127.0.0.1:8080' }));
    expect(await usageErrorOf(loadKubeGateway({ kubeconfig: file }))).toMatch(
      /uses plain http:\/\/127\.0\.0\.1:8080 — use https/,
    );
  });

  it('reads KUBECONFIG as kubectl does: missing entries skipped, first file wins', async () => {
    const first = write(
      'first.yaml',
      kubeconfigYaml({ server: 'https://first.example:6443', ca, client, contexts: ['shared'] }),
    );
    const second = write(
      'second.yaml',
      kubeconfigYaml({ server: 'https://second.example:6443', ca, client, contexts: ['shared', 'only-second'] }),
    );
    vi.stubEnv('KUBECONFIG', [path.join(dir, 'missing.yaml'), first, second].join(':'));
    const loaded = loadKubeconfig({});
    expect(loaded.files).toEqual([first, second]);
    expect(loaded.contextName).toBe('shared');
    expect(loaded.server).toBe('https://first.example:6443');
    expect(loadKubeconfig({ context: 'only-second' }).contextName).toBe('only-second');

    vi.stubEnv('KUBECONFIG', path.join(dir, 'missing.yaml'));
    expect(await usageErrorOf(loadKubeGateway({}))).toMatch(/^KUBECONFIG=.*missing\.yaml: none of its files exist — /);
  });

  it('falls back to ~/.kube/config and says what to do when there is none', async () => {
    const home = path.join(dir, 'home');
    mkdirSync(path.join(home, '.kube'), { recursive: true });
    vi.stubEnv('KUBECONFIG', '');
    vi.stubEnv('HOME', home);
    expect(await usageErrorOf(loadKubeGateway({}))).toMatch(
      /\.kube\/config: no kubeconfig found — pass --kubeconfig FILE/,
    );
    writeFileSync(path.join(home, '.kube', 'config'), kubeconfigYaml({ server, ca, client }));
    await expect(loadKubeGateway({})).resolves.toMatchObject({ server });
  });

  it('resolves a relative certificate-authority against the kubeconfig, and names a missing one', async () => {
    const sub = path.join(dir, 'sub');
    mkdirSync(sub, { recursive: true });
    writeFileSync(path.join(sub, 'ca.crt'), ca.cert);
    const withFile = (caPath: string) =>
      kubeconfigYaml({ server, client }).replace(
        `server: ${server}`,
        `server: ${server}\n      certificate-authority: ${caPath}`,
      );
    const file = path.join(sub, 'kubeconfig');
    writeFileSync(file, withFile('ca.crt'));
    const cluster = loadKubeconfig({ kubeconfig: file }).document.clusters[0].cluster as Record<string, unknown>;
    expect(cluster['certificate-authority']).toBe(path.join(sub, 'ca.crt'));

    writeFileSync(file, withFile('gone.crt'));
    expect(await usageErrorOf(loadKubeGateway({ kubeconfig: file }))).toMatch(
      /certificate-authority .*gone\.crt of cluster 'c' not found/,
    );
  });
});

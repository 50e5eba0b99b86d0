// `kubectl apply -f` of a Secret and a ConfigMap against the lab API, with the real kubectl and its default
// (strict) validation: it reads /openapi/v3 to learn that the server validates fields, creates, then patches.
// Upstream's e2e suites deploy their manifests this way (k3s tests/e2e DeployWorkload: `kubectl apply -f`).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveBinaries } from '../../support/binaries.js';
import { FakeBackend, splitCluster } from './support/fake-backend.js';
import { startHarness, type Harness } from './support/harness.js';

const ok = haveBinaries('kubectl', 'openssl');

const manifest = (value: string) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: conform-cm
  namespace: default
data:
  a: "${value}"
---
apiVersion: v1
kind: Secret
metadata:
  name: conform-secret
  namespace: default
stringData:
  password: ${value}
`;

describe.skipIf(!ok)('kubectl apply against the lab API server', () => {
  let api: Harness;
  let dir: string;

  beforeAll(async () => {
    const backend = new FakeBackend(splitCluster());
    backend.secrets = 4;
    api = await startHarness(backend);
    dir = await mkdtemp(path.join(os.tmpdir(), 'kt-apply-'));
  });
  afterAll(async () => {
    await api?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('creates, leaves unchanged, and updates a ConfigMap and a Secret', async () => {
    const file = path.join(dir, 'objects.yaml');
    await writeFile(file, manifest('one'));
    const created = await api.kubectl('apply', '-f', file);
    expect(created.stderr).toBe('');
    expect(created.stdout).toBe('configmap/conform-cm created\nsecret/conform-secret created\n');
    expect((await api.kubectl('apply', '-f', file)).stdout).toContain('configmap/conform-cm unchanged');

    await writeFile(file, manifest('two'));
    expect((await api.kubectl('apply', '-f', file)).stdout).toContain('configmap/conform-cm configured');
    expect((await api.kubectl('get', 'configmap', 'conform-cm', '-o', 'jsonpath={.data.a}')).stdout).toBe('two');
    const password = (
      await api.kubectl('get', 'secret', 'conform-secret', '-n', 'default', '-o', 'jsonpath={.data.password}')
    ).stdout;
    expect(Buffer.from(password, 'base64').toString()).toBe('two');
  });

  it("lists created secrets with the lab's own and keeps the lab's read-only", async () => {
    const list = await api.kubectl('get', 'secrets', '-n', 'default', '-o', 'name');
    expect(list.stdout.split('\n')).toEqual(
      expect.arrayContaining(['secret/conform-secret', 'secret/lab-secret-00001']),
    );
    const refused = await api.kubectl('delete', 'secret', 'lab-secret-00001', '-n', 'default');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/MethodNotAllowed|not allow/);
    expect((await api.kubectl('delete', 'configmap', 'conform-cm')).stdout).toContain('configmap "conform-cm" deleted');
  });

  it('serves the OpenAPI v3 index and the core/v1 document with the fieldValidation parameter kubectl checks', async () => {
    const index = JSON.parse((await api.kubectl('get', '--raw', '/openapi/v3')).stdout) as {
      paths: Record<string, { serverRelativeURL: string }>;
    };
    const url = index.paths['api/v1'].serverRelativeURL;
    expect(url).toMatch(/^\/openapi\/v3\/api\/v1\?hash=[0-9A-F]+$/);
    const doc = JSON.parse((await api.kubectl('get', '--raw', url)).stdout) as {
      paths: Record<string, { patch?: { parameters: { name: string; in: string }[] } }>;
    };
    const patch = doc.paths['/api/v1/namespaces/{namespace}/secrets/{name}'].patch;
    expect(patch?.parameters).toContainEqual(expect.objectContaining({ name: 'fieldValidation', in: 'query' }));
  });
});

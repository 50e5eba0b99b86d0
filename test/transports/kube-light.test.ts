import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LoadedKubeconfig } from '../../src/transports/kube-config.js';
import { lightRequestOptions } from '../../src/transports/kube-light.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'kt-light-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function loaded(user: Record<string, unknown>, cluster: Record<string, unknown> = {}): LoadedKubeconfig {
  return {
    files: ['kc'],
    contextName: 'c',
    server: 'https://10.0.0.1:6443',
    document: {
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'c',
      clusters: [
        {
          name: 'k',
          cluster: {
            server: 'https://10.0.0.1:6443',
            'certificate-authority-data': Buffer.from('CA PEM').toString('base64'),
            ...cluster,
          },
        },
      ],
      contexts: [{ name: 'c', context: { cluster: 'k', user: 'u' } }],
      users: [{ name: 'u', user }],
    },
  };
}

describe('lightRequestOptions', () => {
  it('client certificate and key (embedded or as files), the CA, TLS verification on', () => {
    const keyFile = path.join(dir, 'client.key');
    writeFileSync(keyFile, 'KEY PEM');
    const o = lightRequestOptions(
      loaded({ 'client-certificate-data': Buffer.from('CERT PEM').toString('base64'), 'client-key': keyFile }),
    )!;
    expect(o.ca?.toString()).toBe('CA PEM');
    expect(o.cert?.toString()).toBe('CERT PEM');
    expect(o.key?.toString()).toBe('KEY PEM');
    expect(o.rejectUnauthorized).toBe(true);
    expect(o.headers).toEqual({});
  });

  it('a bearer token, inline or from its file; insecure-skip-tls-verify honoured only when the file says so', () => {
    const tokenFile = path.join(dir, 'token');
    writeFileSync(tokenFile, 'abc.def\n');
    expect(lightRequestOptions(loaded({ token: 'xyz' }))!.headers).toEqual({ Authorization: 'Bearer xyz' });
    const fromFile = lightRequestOptions(loaded({ tokenFile }, { 'insecure-skip-tls-verify': true }))!;
    expect(fromFile.headers).toEqual({ Authorization: 'Bearer abc.def' });
    expect(fromFile.rejectUnauthorized).toBe(false);
  });

  it('anything else (exec plugins, auth providers, basic auth, a proxy, a TLS server name) is left to client-node', () => {
    expect(lightRequestOptions(loaded({ exec: { command: 'aws', args: ['eks', 'get-token'] } }))).toBeNull();
    expect(lightRequestOptions(loaded({ 'auth-provider': { name: 'oidc' } }))).toBeNull();
    expect(lightRequestOptions(loaded({ username: 'admin', password: 'x' }))).toBeNull();
    expect(lightRequestOptions(loaded({ token: 'x' }, { 'proxy-url': 'http://proxy:3128' }))).toBeNull();
    expect(lightRequestOptions(loaded({ token: 'x' }, { 'tls-server-name': 'kubernetes' }))).toBeNull();
    expect(lightRequestOptions(loaded({ 'client-key': path.join(dir, 'missing.key') }))).toBeNull();
  });
});

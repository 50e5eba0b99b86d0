// TLS material for API server tests, made with the openssl CLI (ECDSA P-256 like RKE2/K3s), independent of the
// lab's own PKI: a CA, a serving cert for 127.0.0.1 and an admin client cert (CN=system:admin, O=system:masters).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface TestTls {
  caPem: string;
  serverCertPem: string;
  serverKeyPem: string;
  clientCertPem: string;
  clientKeyPem: string;
  /** Signed by the same CA, outside system:masters (CN=jane, O=viewers): a user RBAC knows but does not allow. */
  viewerCertPem: string;
  viewerKeyPem: string;
  /** CN=system:admin O=system:masters, signed by another CA: the apiserver does not know it. */
  strangerCertPem: string;
  strangerKeyPem: string;
}

export function makeTestTls(): TestTls {
  const dir = mkdtempSync(path.join(tmpdir(), 'keyturn-api-tls-'));
  const at = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const newKey = (name: string) =>
    openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', at(name));
  try {
    newKey('ca.key');
    openssl(
      'req',
      '-x509',
      '-new',
      '-key',
      at('ca.key'),
      '-subj',
      '/CN=keyturn-test-ca',
      '-days',
      '2',
      '-out',
      at('ca.crt'),
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    );
    newKey('other-ca.key');
    openssl(
      'req',
      '-x509',
      '-new',
      '-key',
      at('other-ca.key'),
      '-subj',
      '/CN=another-cluster-ca',
      '-days',
      '2',
      '-out',
      at('other-ca.crt'),
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    );
    const issue = (name: string, subject: string, extensions: string, ca = 'ca') => {
      newKey(`${name}.key`);
      openssl('req', '-new', '-key', at(`${name}.key`), '-subj', subject, '-out', at(`${name}.csr`));
      writeFileSync(at(`${name}.ext`), extensions);
      openssl(
        'x509',
        '-req',
        '-in',
        at(`${name}.csr`),
        '-CA',
        at(`${ca}.crt`),
        '-CAkey',
        at(`${ca}.key`),
        '-CAcreateserial',
        '-days',
        '2',
        '-extfile',
        at(`${name}.ext`),
        '-out',
        at(`${name}.crt`),
      );
    };
    issue(
      'server',
      '/CN=kube-apiserver',
      'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n',
    );
    const clientExt = 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n';
    issue('client', '/O=system:masters/CN=system:admin', clientExt);
    issue('viewer', '/O=viewers/CN=jane', clientExt);
    issue('stranger', '/O=system:masters/CN=system:admin', clientExt, 'other-ca');
    const read = (name: string) => readFileSync(at(name), 'utf8');
    return {
      caPem: read('ca.crt'),
      serverCertPem: read('server.crt'),
      serverKeyPem: read('server.key'),
      clientCertPem: read('client.crt'),
      clientKeyPem: read('client.key'),
      viewerCertPem: read('viewer.crt'),
      viewerKeyPem: read('viewer.key'),
      strangerCertPem: read('stranger.crt'),
      strangerKeyPem: read('stranger.key'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Test PKI for etcd members, made with the openssl CLI like an operator would: ECDSA P-256 server-ca and peer-ca,
// per-node server-client and peer-server-client leaves (bundled with their CA, like upstream) and a client leaf.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface EtcdCas {
  dir: string;
}

function openssl(cwd: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Creates server-ca and peer-ca (with keys) in `dir`. */
export function createEtcdCas(dir: string, label: string): EtcdCas {
  mkdirSync(dir, { recursive: true });
  for (const ca of ['server-ca', 'peer-ca']) {
    openssl(dir, 'ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${ca}.key`);
    openssl(
      dir,
      'req',
      '-x509',
      '-new',
      '-key',
      `${ca}.key`,
      '-subj',
      `/CN=${label}-etcd-${ca}`,
      '-days',
      '3650',
      '-out',
      `${ca}.crt`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
    );
  }
  return { dir };
}

/** Issues a leaf from `caDir/<ca>` into `outDir/<name>.crt|key`; the .crt is the leaf followed by its CA. */
export function issueLeaf(
  cas: EtcdCas,
  ca: 'server-ca' | 'peer-ca',
  outDir: string,
  name: string,
  opts: { cn: string; eku: string; ips?: string[]; days?: number },
): void {
  mkdirSync(outDir, { recursive: true });
  const ext = [
    'basicConstraints=CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    `extendedKeyUsage=${opts.eku}`,
  ];
  if (opts.ips?.length) ext.push(`subjectAltName=${opts.ips.map((ip) => `IP:${ip}`).join(',')}`);
  writeFileSync(path.join(outDir, `${name}.ext`), ext.join('\n') + '\n');
  openssl(outDir, 'ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${name}.key`);
  openssl(outDir, 'req', '-new', '-key', `${name}.key`, '-subj', `/CN=${opts.cn}`, '-out', `${name}.csr`);
  openssl(
    outDir,
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    path.join(cas.dir, `${ca}.crt`),
    '-CAkey',
    path.join(cas.dir, `${ca}.key`),
    '-set_serial',
    `0x${Date.now().toString(16)}${Math.floor(Math.random() * 1e6).toString(16)}`,
    '-days',
    String(opts.days ?? 365),
    '-out',
    `${name}.leaf`,
    '-extfile',
    `${name}.ext`,
  );
  const bundle =
    readFileSync(path.join(outDir, `${name}.leaf`), 'utf8') + readFileSync(path.join(cas.dir, `${ca}.crt`), 'utf8');
  writeFileSync(path.join(outDir, `${name}.crt`), bundle);
  for (const tmp of ['ext', 'csr', 'leaf']) rmSync(path.join(outDir, `${name}.${tmp}`));
}

/** A node's server/tls/etcd directory: both CAs (cert only, as on a node), its leaves and the etcd client cert. */
export function writeNodeEtcdTls(
  cas: EtcdCas,
  tlsDir: string,
  node: { name: string; address: string },
  peerCas: EtcdCas = cas,
): void {
  mkdirSync(tlsDir, { recursive: true });
  writeFileSync(path.join(tlsDir, 'server-ca.crt'), readFileSync(path.join(cas.dir, 'server-ca.crt')));
  writeFileSync(path.join(tlsDir, 'peer-ca.crt'), readFileSync(path.join(peerCas.dir, 'peer-ca.crt')));
  const ips = [node.address, '127.0.0.1'];
  issueLeaf(cas, 'server-ca', tlsDir, 'server-client', {
    cn: `etcd-server-${node.name}`,
    eku: 'serverAuth,clientAuth',
    ips,
  });
  issueLeaf(peerCas, 'peer-ca', tlsDir, 'peer-server-client', {
    cn: `etcd-peer-${node.name}`,
    eku: 'serverAuth,clientAuth',
    ips,
  });
  issueLeaf(cas, 'server-ca', tlsDir, 'client', { cn: 'etcd-client', eku: 'clientAuth' });
}

// Throwaway PKI for gateway tests, made with the openssl CLI: CAs, server and client certificates, including ones
// with chosen validity windows (`openssl ca -startdate/-enddate`, which can backdate where `x509 -days` cannot).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface KeyPair {
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
}

export interface IssueOptions {
  commonName: string;
  /** e.g. 'IP:127.0.0.1' for a server. */
  subjectAltName?: string;
  usage: 'server' | 'client';
  /** openssl format YYYYMMDDHHMMSSZ */
  startDate?: string;
  endDate?: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function read(certFile: string, keyFile: string): KeyPair {
  return { certFile, keyFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
}

export function makeCa(dir: string, name: string): KeyPair {
  const keyFile = path.join(dir, `${name}.key`);
  const certFile = path.join(dir, `${name}.crt`);
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-subj',
      `/CN=${name}`,
      '-days',
      '30',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
  // `openssl ca` bookkeeping for this CA
  writeFileSync(path.join(dir, `${name}.index`), '');
  writeFileSync(path.join(dir, `${name}.serial`), '1000\n');
  writeFileSync(
    path.join(dir, `${name}.cnf`),
    [
      '[ca]',
      'default_ca = this_ca',
      '[this_ca]',
      `database = ${name}.index`,
      'new_certs_dir = .',
      `serial = ${name}.serial`,
      'default_md = sha256',
      'policy = any_name',
      'unique_subject = no',
      'copy_extensions = none',
      '[any_name]',
      'commonName = supplied',
      'organizationName = optional',
      '',
    ].join('\n'),
  );
  return read(certFile, keyFile);
}

export function issue(dir: string, caName: string, name: string, options: IssueOptions): KeyPair {
  const keyFile = path.join(dir, `${name}.key`);
  const csrFile = path.join(dir, `${name}.csr`);
  const certFile = path.join(dir, `${name}.crt`);
  const extFile = path.join(dir, `${name}.ext`);
  openssl(
    [
      'req',
      '-new',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      csrFile,
      '-subj',
      `/CN=${options.commonName}`,
    ],
    dir,
  );
  writeFileSync(
    extFile,
    [
      '[leaf]',
      'basicConstraints = critical,CA:FALSE',
      'keyUsage = critical,digitalSignature,keyEncipherment',
      `extendedKeyUsage = ${options.usage === 'server' ? 'serverAuth' : 'clientAuth'}`,
      ...(options.subjectAltName ? [`subjectAltName = ${options.subjectAltName}`] : []),
      '',
    ].join('\n'),
  );
  openssl(
    [
      'ca',
      '-batch',
      '-notext',
      '-config',
      `${caName}.cnf`,
      '-cert',
      `${caName}.crt`,
      '-keyfile',
      `${caName}.key`,
      '-in',
      csrFile,
      '-out',
      certFile,
      '-extfile',
      extFile,
      '-extensions',
      'leaf',
      ...(options.startDate ? ['-startdate', options.startDate] : []),
      ...(options.endDate ? ['-enddate', options.endDate] : ['-days', '30']),
    ],
    dir,
  );
  return read(certFile, keyFile);
}

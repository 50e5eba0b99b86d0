// Diagnoses for private keys missing beside their certificates, from what the scan found (existence only).
import type { Diagnosis } from '../model/status.js';
import { shJoin } from '../util/shell-quote.js';

/**
 * Private keys missing beside their certificates (the scan tests existence only): how to restore each from the
 * backup keyturn made before a rotation (server/tls.keyturn-<run>, agent/certs.keyturn-<run>) or upstream's
 * `certificate rotate` made (server/tls-<unix-ts>, agent/tls-<unix-ts>), when that backup's certificate is the
 * current one; a key from any other backup would not pair with the certificate.
 */
export function missingKeyDiagnoses(
  missing: readonly { path: string; backups: readonly { dir: string; pairs: boolean }[] }[],
  dataDir: string,
): Diagnosis[] {
  return missing.map(({ path, backups }) => {
    const crt = path.replace(/\.key$/, '.crt');
    const base = path.slice(path.lastIndexOf('/') + 1);
    const rel = path.startsWith('server/tls/') ? path.slice('server/tls/'.length) : base;
    const pairing = backups.find((b) => b.pairs);
    const ca = /-ca\.key$/.test(path);
    let how: string;
    if (pairing) {
      how = `restore it from ${pairing.dir}, whose ${base.replace(/\.key$/, '.crt')} is the current certificate: ${shJoin(['cp', '-p', `${dataDir}/${pairing.dir}/${rel}`, `${dataDir}/${path}`])} (mode 600), then start the service`;
    } else if (ca) {
      how = `no backup holds the key of this CA certificate${backups.length > 0 ? ` (${backups.map((b) => b.dir).join(', ')} hold keys of other certificates)` : ''}: copy ${path} from another server whose ${crt} is identical (CA keys are the same on every server); never let the service generate a new CA`;
    } else {
      how = `no backup holds the key of the current certificate${backups.length > 0 ? ` (${backups.map((b) => b.dir).join(', ')} hold keys of other certificates, which would not pair)` : ''}: move ${crt} aside so that the next start issues a new pair under the same CA`;
    }
    return {
      code: 'key-missing',
      message: `${path} is missing beside ${crt} (an interrupted rotate? rke2#2683): ${how}`,
      evidence: `${dataDir}/${path}: no such file`,
      recipe: null,
    };
  });
}

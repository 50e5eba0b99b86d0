// An expired client certificate in the kubeconfig is the commonest reason the API "is down" after a cluster sat
// past its certificate expiry. Saying so up front beats a TLS error from the first request.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { inputError } from '../errors.js';

const FRESH_KUBECONFIG_HINT =
  'copy a fresh kubeconfig from a server (/etc/rancher/<rke2|k3s>/<rke2|k3s>.yaml) or use --inventory';

/** Throws a one-line UsageError when the user's client certificate is unreadable, expired or not yet valid. */
export function checkClientCertificate(
  where: string,
  userName: string,
  user: Record<string, unknown>,
  now = new Date(),
): void {
  const pem = clientCertificatePem(where, userName, user);
  if (pem === null) return; // token, exec or basic auth: nothing to check here
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem);
  } catch {
    throw inputError(
      where,
      `client certificate of user '${userName}' is not a valid PEM certificate`,
      FRESH_KUBECONFIG_HINT,
    );
  }
  const notAfter = new Date(certificate.validTo);
  const notBefore = new Date(certificate.validFrom);
  if (notAfter.getTime() < now.getTime()) {
    throw inputError(
      where,
      `client certificate of user '${userName}' expired on ${notAfter.toISOString()}`,
      FRESH_KUBECONFIG_HINT,
    );
  }
  if (notBefore.getTime() > now.getTime()) {
    throw inputError(
      where,
      `client certificate of user '${userName}' is not valid until ${notBefore.toISOString()}`,
      "check this machine's clock, or " + FRESH_KUBECONFIG_HINT,
    );
  }
}

function clientCertificatePem(where: string, userName: string, user: Record<string, unknown>): Buffer | null {
  const data = user['client-certificate-data'];
  if (typeof data === 'string' && data !== '') return Buffer.from(data, 'base64');
  const file = user['client-certificate'];
  if (typeof file === 'string' && file !== '') {
    try {
      return readFileSync(file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      throw inputError(
        where,
        `client certificate ${file} of user '${userName}' cannot be read (${code})`,
        FRESH_KUBECONFIG_HINT,
      );
    }
  }
  return null;
}

// The two reads every scan needs — /readyz and the node list — over node:https with the kubeconfig's own TLS
// material, so `status` and the wizard's first scan do not wait for the Kubernetes client to load (a few hundred
// milliseconds of CPU, taken from the node scans it runs beside). Only for the plain credential kinds (client
// certificate, bearer token, none); anything else (exec plugins, auth providers, basic auth) goes through
// client-node, as does every other call.
import { readFileSync } from 'node:fs';
import type https from 'node:https';
import type { LoadedKubeconfig } from './kube-config.js';

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Rec) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Credentials fields this path understands; a user entry with any other field needs client-node. */
const PLAIN_USER_FIELDS = new Set([
  'client-certificate',
  'client-certificate-data',
  'client-key',
  'client-key-data',
  'token',
  'tokenFile',
]);

/** Request options (CA, client certificate and key, bearer token) for the loaded context, or null. */
export function lightRequestOptions(loaded: LoadedKubeconfig): https.RequestOptions | null {
  const doc = loaded.document;
  const context = rec(doc.contexts.find((c) => c.name === loaded.contextName)?.context);
  const cluster = rec(doc.clusters.find((c) => c.name === context.cluster)?.cluster);
  const userName = context.user;
  const user = userName === undefined ? {} : rec(doc.users.find((u) => u.name === userName)?.user);
  if (Object.keys(user).some((k) => !PLAIN_USER_FIELDS.has(k))) return null;
  if (
    Object.keys(cluster).some(
      (k) => !['server', 'certificate-authority', 'certificate-authority-data', 'insecure-skip-tls-verify'].includes(k),
    )
  )
    return null;
  const material = (data: unknown, file: unknown): Buffer | undefined => {
    const d = str(data);
    if (d) return Buffer.from(d, 'base64');
    const f = str(file);
    return f ? readFileSync(f) : undefined;
  };
  try {
    const token =
      str(user.token) ?? (str(user.tokenFile) ? readFileSync(String(user.tokenFile), 'utf8').trim() : undefined);
    return {
      ca: material(cluster['certificate-authority-data'], cluster['certificate-authority']),
      cert: material(user['client-certificate-data'], user['client-certificate']),
      key: material(user['client-key-data'], user['client-key']),
      rejectUnauthorized: cluster['insecure-skip-tls-verify'] !== true,
      headers: token ? { Authorization: `Bearer ${token}` } : {},
    };
  } catch {
    return null; // a file that cannot be read now: client-node reports it in its own words
  }
}

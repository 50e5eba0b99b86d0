// The lab's secrets and a finder for them in anything keyturn printed or wrote: private keys, join-token passwords,
// encryption keys, the kubeconfig's client key (and each test sshd's identity), in every form they could leak in.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { LabHandle } from './lab.js';
import type { TestSshd } from './sshd.js';

/** A form at least this long counts as leaked when any piece of it this long shows up. */
export const WINDOW = 40;

export interface Secret {
  what: string;
  /** Text that must appear nowhere (each is also checked as every 40-char window). */
  forms: string[];
}

/** Every file under `dir` (recursively) whose name matches. */
export function filesUnder(dir: string, match: (name: string) => boolean): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(full, match));
    else if (entry.isFile() && match(entry.name)) out.push(full);
  }
  return out;
}

/** The base64 body of a PEM, without armour or line breaks. */
export function pemBody(pem: string): string {
  return pem
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('-----'))
    .join('');
}

const pemSecret = (what: string, pem: string): Secret => ({
  what,
  forms: [pemBody(pem), Buffer.from(pem).toString('base64')],
});

/**
 * Every secret the lab holds now (private keys, encryption keys, tokens, the kubeconfig's client key), and the
 * identity each of `sshds` (by node) lets ssh log in with.
 */
export function collectSecrets(lab: LabHandle, sshds: ReadonlyMap<string, TestSshd> = new Map()): Secret[] {
  const secrets: Secret[] = [];
  for (const node of lab.nodes) {
    for (const key of filesUnder(node.dataDir, (n) => n.endsWith('.key')))
      secrets.push(pemSecret(`${node.name} ${path.relative(node.dataDir, key)}`, readFileSync(key, 'utf8')));
    for (const token of filesUnder(node.dataDir, (n) => n.includes('token'))) {
      const text = readFileSync(token, 'utf8').trim();
      // K10<sha256 of the CA, public>::server:<password>: the password is the secret.
      const password = text.includes('::') ? text.slice(text.indexOf('::') + 2) : text;
      secrets.push({
        what: `${node.name} ${path.relative(node.dataDir, token)}`,
        forms: [password, password.split(':').pop()!, Buffer.from(password).toString('base64')],
      });
    }
    const config = path.join(node.dataDir, 'server/cred/encryption-config.json');
    if (existsSync(config)) {
      for (const [, secret] of readFileSync(config, 'utf8').matchAll(/"secret"\s*:\s*"([^"]+)"/g)) {
        secrets.push({
          what: `${node.name} encryption key`,
          forms: [secret, Buffer.from(secret, 'base64').toString('hex'), Buffer.from(secret).toString('base64')],
        });
      }
    }
  }
  const kubeconfig = parse(readFileSync(lab.kubeconfig, 'utf8')) as { users: { user: Record<string, string> }[] };
  for (const { user } of kubeconfig.users) {
    if (user['client-key-data']) {
      secrets.push({
        what: 'kubeconfig client-key-data',
        forms: [user['client-key-data'], pemBody(Buffer.from(user['client-key-data'], 'base64').toString('utf8'))],
      });
    }
    if (user.token) secrets.push({ what: 'kubeconfig token', forms: [user.token] });
  }
  for (const [name, sshd] of sshds)
    secrets.push(pemSecret(`ssh identity ${name}`, readFileSync(sshd.identityFile, 'utf8')));
  return secrets;
}

/**
 * A finder that names the first secret in a text: a form shorter than the window anywhere, or any 40-char piece of
 * a longer one, ignoring whitespace and escaped line breaks (a key wrapped on screen or escaped in JSON still counts).
 */
export function leakFinder(secrets: readonly Secret[]): (haystack: string) => string | null {
  const short: [string, string][] = [];
  const pieces = new Map<string, string>();
  for (const { what, forms } of secrets) {
    for (const form of forms) {
      if (form.length < WINDOW) short.push([form, what]);
      else
        for (let i = 0; i + WINDOW <= form.length; i++)
          pieces.set(form.slice(i, i + WINDOW), `${what} (40 chars at ${i})`);
    }
  }
  return (haystack) => {
    const flat = haystack.replace(/\\n|\\r|\s/g, '');
    for (const [form, what] of short) if (flat.includes(form)) return `${what} (whole)`;
    for (let i = 0; i + WINDOW <= flat.length; i++) {
      const hit = pieces.get(flat.slice(i, i + WINDOW));
      if (hit) return hit;
    }
    return null;
  };
}

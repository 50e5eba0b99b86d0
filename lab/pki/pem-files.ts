// Reading and writing PEM files with upstream's modes: keys 0600, certificates 0644, directories created on demand.
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** PEM text that ends with exactly one newline, so concatenated bundles stay well-formed. */
export function normalizePem(pem: string): string {
  return pem.trimEnd() + '\n';
}

/** A leaf bundle as upstream writes it: the leaf followed by the CA that issued it. */
export function bundlePem(leafPem: string, caPem: string): string {
  return normalizePem(leafPem) + normalizePem(caPem);
}

/** Every certificate in a PEM bundle, in file order. */
export function splitPemBundle(pem: string): string[] {
  return (pem.match(PEM_CERTIFICATE) ?? []).map(normalizePem);
}

export async function writeCertificateFile(file: string, pem: string): Promise<void> {
  await writeWithMode(file, pem, 0o644);
}

export async function writeKeyFile(file: string, pem: string): Promise<void> {
  await writeWithMode(file, pem, 0o600);
}

async function writeWithMode(file: string, content: string, mode: number): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, normalizePem(content), { mode });
  // writeFile's mode applies only when it creates the file (and passes through the umask): set it explicitly.
  await chmod(file, mode);
}

/** The file's text, or undefined when it does not exist. Other errors are real problems and propagate. */
export async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** `server/tls/client-admin.crt` → `server/tls/client-admin.key`. */
export function keyPathFor(certPath: string): string {
  return certPath.replace(/\.crt$/, '.key');
}

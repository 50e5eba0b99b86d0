// Reads certificate files ourselves (works on every release, unlike `certificate check`, which also exits 0 when
// certificates have expired). Upstream leaf .crt files are bundles: the leaf first, then its CA; the first
// certificate is the file's own. Bad input is a value describing the problem, never an exception.
import { X509Certificate } from 'node:crypto';
import type { CertificateInfo, CertStatus } from '../model/status.js';

export type PemProblem = 'empty' | 'no-certificate' | 'unparseable';

export type PemResult =
  { ok: true; cert: CertificateInfo; chainLength: number } | { ok: false; problem: PemProblem; detail: string };

const BLOCK = /-----BEGIN CERTIFICATE-----\r?\n([\s\S]*?)-----END CERTIFICATE-----/g;
const DAY_MS = 86_400_000;

/** Every complete CERTIFICATE block; a block cut off before its END line is not returned. */
export function splitPemBlocks(text: string): string[] {
  return [...text.matchAll(BLOCK)].map((m) => m[0]);
}

export interface CertStatusInput {
  notBefore: Date;
  notAfter: Date;
  now: Date;
  renewWindowDays: number;
}

/** warning = inside the node's renew window (upstream re-issues these leaves on the next start). */
export function certStatus({ notBefore, notAfter, now, renewWindowDays }: CertStatusInput): CertStatus {
  if (now.getTime() < notBefore.getTime()) return 'not-yet-valid';
  if (now.getTime() >= notAfter.getTime()) return 'expired';
  if (notAfter.getTime() - now.getTime() <= renewWindowDays * DAY_MS) return 'warning';
  return 'ok';
}

/** Whole days left (negative once expired); floor so that "0 days" still means "not yet expired". */
export function daysLeft(notAfter: Date, now: Date): number {
  return Math.floor((notAfter.getTime() - now.getTime()) / DAY_MS);
}

/** "CN=system:admin, O=system:masters" from Node's newline-separated form. */
function distinguishedName(text: string): string {
  return text.split('\n').filter(Boolean).join(', ');
}

export function parsePemCertificate(path: string, text: string, now: Date, renewWindowDays: number): PemResult {
  if (text.trim() === '') return { ok: false, problem: 'empty', detail: `${path}: empty file` };
  const blocks = splitPemBlocks(text);
  if (blocks.length === 0) {
    const cut = text.includes('-----BEGIN CERTIFICATE-----');
    return {
      ok: false,
      problem: cut ? 'unparseable' : 'no-certificate',
      detail: cut
        ? `${path}: truncated PEM (BEGIN CERTIFICATE without END)`
        : `${path}: no PEM certificate in the file`,
    };
  }
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(blocks[0]);
  } catch (err) {
    return {
      ok: false,
      problem: 'unparseable',
      detail: `${path}: certificate cannot be parsed (${(err as Error).message})`,
    };
  }
  const notAfter = new Date(x509.validTo);
  const notBefore = new Date(x509.validFrom);
  if (Number.isNaN(notAfter.getTime()) || Number.isNaN(notBefore.getTime())) {
    return { ok: false, problem: 'unparseable', detail: `${path}: unreadable validity dates` };
  }
  return {
    ok: true,
    chainLength: blocks.length,
    cert: {
      path,
      subject: distinguishedName(x509.subject),
      issuer: distinguishedName(x509.issuer),
      notAfter: notAfter.toISOString(),
      daysLeft: daysLeft(notAfter, now),
      status: certStatus({ notBefore, notAfter, now, renewWindowDays }),
      isCA: x509.ca,
      sha256: x509.fingerprint256.replace(/:/g, '').toLowerCase(),
    },
  };
}

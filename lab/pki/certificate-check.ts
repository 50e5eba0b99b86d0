// `<prog> certificate check [--output text|table|json]`, read from the node's files like upstream: every .crt of
// every service, one row per certificate in each bundle. Upstream exits 0 even when certificates have expired.
// The text form is logrus output (stderr upstream); table and json go to stdout, after a logrus line on stderr.
import path from 'node:path';
import { isServer } from '../../src/model/cluster.js';
import { agentServices, allServices, certFilesForService } from './leaf-profiles.js';
import { readIfExists, splitPemBundle } from './pem-files.js';
import { formatGoDate, formatRfc3339, humanizeDuration } from './go-format.js';
import { parseCertificate } from './signing.js';
import { x509 } from './x509.js';
import { DAY_MS, type NodeCertContext } from './types.js';

export type CheckFormat = 'text' | 'table' | 'json';
export type CheckStatus = 'OK' | 'WARNING' | 'EXPIRED' | 'NOT YET VALID';

/** Releases since May 2025 warn (and renew) 120 days before expiry; older ones 90. */
export const DEFAULT_WARN_DAYS = 120;

export interface CheckedCertificate {
  service: string;
  /** Absolute path of the file. */
  file: string;
  /** Common name of subject and issuer, as the table prints them. */
  subject: string;
  issuer: string;
  /** Go's pkix.Name.String() of the subject, e.g. CN=system:admin,O=system:masters. */
  subjectDn: string;
  usages: string[];
  notBefore: Date;
  notAfter: Date;
  status: CheckStatus;
}

export interface CheckOutput {
  stdout: string;
  stderr: string;
}

export async function collectCertificates(
  ctx: NodeCertContext,
  now: Date,
  warnDays = DEFAULT_WARN_DAYS,
): Promise<CheckedCertificate[]> {
  const services = isServer(ctx.roles) ? allServices(ctx.distro) : agentServices(ctx.distro);
  const warnBefore = now.getTime() + warnDays * DAY_MS;
  const rows: CheckedCertificate[] = [];
  for (const service of services) {
    for (const relative of certFilesForService(ctx.distro, service)) {
      const file = path.join(ctx.dataDir, relative);
      const text = await readIfExists(file);
      // Like upstream, a file that is missing or holds no certificate is skipped silently.
      for (const pem of text === undefined ? [] : splitPemBundle(text)) {
        const cert = parseCertificate(pem);
        rows.push({
          service,
          file,
          subject: cert.subjectName.getField('CN')[0] ?? '',
          issuer: cert.issuerName.getField('CN')[0] ?? '',
          subjectDn: goDistinguishedName(cert.subjectName),
          usages: usagesOf(cert),
          notBefore: cert.notBefore,
          notAfter: cert.notAfter,
          status: statusOf(cert, now.getTime(), warnBefore),
        });
      }
    }
  }
  return rows;
}

function statusOf(cert: x509.X509Certificate, now: number, warnBefore: number): CheckStatus {
  if (now < cert.notBefore.getTime()) return 'NOT YET VALID';
  if (now > cert.notAfter.getTime()) return 'EXPIRED';
  if (warnBefore > cert.notAfter.getTime()) return 'WARNING';
  return 'OK';
}

function usagesOf(cert: x509.X509Certificate): string[] {
  const usages: string[] = [];
  const keyUsage = cert.getExtension(x509.KeyUsagesExtension);
  if (keyUsage && keyUsage.usages & x509.KeyUsageFlags.keyCertSign) usages.push('CertSign');
  for (const usage of cert.getExtension(x509.ExtendedKeyUsageExtension)?.usages ?? []) {
    if (usage === x509.ExtendedKeyUsage.serverAuth) usages.push('ServerAuth');
    if (usage === x509.ExtendedKeyUsage.clientAuth) usages.push('ClientAuth');
  }
  return usages.length > 0 ? usages : ['Unknown'];
}

/** Go prints a Name's RDNs last-first: O=…,CN=… in the certificate reads "CN=…,O=…". */
function goDistinguishedName(name: x509.Name): string {
  return name
    .toJSON()
    .flatMap((rdn) => Object.entries(rdn).map(([type, values]) => values.map((value) => `${type}=${value}`).join('+')))
    .reverse()
    .join(',');
}

/** The expiry column: notBefore while a certificate is not yet valid, like upstream. */
function shownExpiry(row: CheckedCertificate): Date {
  return row.status === 'NOT YET VALID' ? row.notBefore : row.notAfter;
}

/** One logrus line as a terminal shows it: level, seconds since start, message padded to 44 columns. */
function logLine(level: 'INFO' | 'WARN' | 'ERRO', message: string): string {
  return `${level}[0000] ${message.padEnd(44)} \n`;
}

function detectedLine(ctx: NodeCertContext): string {
  return isServer(ctx.roles)
    ? 'Server detected, checking agent and server certificates'
    : 'Agent detected, checking agent certificates';
}

function formatText(ctx: NodeCertContext, rows: CheckedCertificate[], warnDays: number): string {
  let out = logLine('INFO', detectedLine(ctx));
  let service: string | undefined;
  for (const row of rows) {
    if (row.service !== service) {
      service = row.service;
      out += logLine('INFO', `Checking certificates for ${service}`);
    }
    const head = `${row.file}: certificate ${row.subjectDn}`;
    switch (row.status) {
      case 'OK':
        out += logLine('INFO', `${head} is ok, expires at ${formatRfc3339(row.notAfter)}`);
        break;
      case 'WARNING':
        out += logLine('WARN', `${head} will expire within ${warnDays} days at ${formatRfc3339(row.notAfter)}`);
        break;
      case 'EXPIRED':
        out += logLine('ERRO', `${head} expired at ${formatRfc3339(row.notAfter)}`);
        break;
      case 'NOT YET VALID':
        out += logLine('ERRO', `${head} is not valid before ${formatRfc3339(row.notBefore)}`);
        break;
      default: {
        const never: never = row.status;
        throw new Error(`unexpected status ${String(never)}`);
      }
    }
  }
  return out;
}

const TABLE_HEADER = ['FILENAME', 'SUBJECT', 'USAGES', 'EXPIRES', 'RESIDUAL TIME', 'STATUS'];

function formatTable(rows: CheckedCertificate[], now: Date): string {
  const lines = [TABLE_HEADER, TABLE_HEADER.map((title) => '-'.repeat(title.length))];
  for (const row of rows) {
    lines.push([
      path.basename(row.file),
      row.subject,
      row.usages.join(','),
      formatGoDate(shownExpiry(row)),
      humanizeDuration(row.notAfter.getTime() - now.getTime()),
      row.status,
    ]);
  }
  return '\n' + alignColumns(lines, 3);
}

/** Go's text/tabwriter with minwidth 0 and space padding: every cell but the last is padded to its column's width. */
export function alignColumns(lines: string[][], padding: number): string {
  const widths: number[] = [];
  for (const cells of lines)
    cells.slice(0, -1).forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return lines
    .map(
      (cells) =>
        cells.map((cell, i) => (i < cells.length - 1 ? cell.padEnd(widths[i] + padding) : cell)).join('') + '\n',
    )
    .join('');
}

/** Go's json.Encoder over CertificateInfo: exported field names, ExpiryTime RFC 3339, ResidualTime in nanoseconds. */
function formatJson(rows: CheckedCertificate[], now: Date): string {
  const certificates = rows.map((row) => ({
    Filename: path.basename(row.file),
    Subject: row.subject,
    Issuer: row.issuer,
    Usages: row.usages,
    ExpiryTime: formatRfc3339(shownExpiry(row)),
    ResidualTime: (row.notAfter.getTime() - now.getTime()) * 1_000_000,
    Status: row.status,
  }));
  return JSON.stringify({ Certificates: certificates }) + '\n';
}

/** Both streams of `<prog> certificate check -o <format>`. */
export async function certificateCheckOutput(
  ctx: NodeCertContext,
  now: Date,
  format: CheckFormat,
  warnDays = DEFAULT_WARN_DAYS,
): Promise<CheckOutput> {
  const rows = await collectCertificates(ctx, now, warnDays);
  const detected = `time="${formatRfc3339(now)}" level=info msg="${detectedLine(ctx)}"\n`;
  switch (format) {
    case 'text':
      return { stdout: '', stderr: formatText(ctx, rows, warnDays) };
    case 'table':
      return { stdout: formatTable(rows, now), stderr: detected };
    case 'json':
      return { stdout: formatJson(rows, now), stderr: detected };
    default: {
      const never: never = format;
      throw new Error(`invalid output format ${String(never)}`);
    }
  }
}

/** What the operator reads: the log lines for text, the document (table or JSON) otherwise. */
export async function formatCertificateCheck(
  ctx: NodeCertContext,
  now: Date,
  format: CheckFormat,
  warnDays = DEFAULT_WARN_DAYS,
): Promise<string> {
  const output = await certificateCheckOutput(ctx, now, format, warnDays);
  return format === 'text' ? output.stderr : output.stdout;
}

// Parses `<prog> certificate check` output (releases from ~April 2024 on). The command exits 0 even when
// certificates have expired (field-notes), so the rows are the only signal. Two formats:
//   table (-o table): tabwriter columns FILENAME SUBJECT USAGES EXPIRES RESIDUAL TIME STATUS, one row per certificate
//                     of each bundle (leaf, then CA);
//   text  (default):  logrus lines "<path>: certificate <subject> is ok, expires at <RFC3339>".
// Log lines mixed in (debug, "Server detected ...") are skipped.

export type CheckedStatus = 'ok' | 'warning' | 'expired' | 'not-yet-valid' | 'unknown';

export interface CertCheckRow {
  /** File name (table) or full path (text). */
  file: string;
  subject: string;
  usages: string[];
  /** ISO 8601, or null when the date could not be read. */
  expires: string | null;
  status: CheckedStatus;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "May 15, 2026 22:03 UTC" → ISO; null when it is not that shape. */
export function parseTableDate(text: string): string | null {
  const m = /^([A-Z][a-z]{2}) +(\d{1,2}), (\d{4}) (\d{2}):(\d{2}) UTC$/.exec(text.trim());
  if (!m) return null;
  const month = MONTHS.indexOf(m[1]);
  if (month < 0) return null;
  return new Date(Date.UTC(Number(m[3]), month, Number(m[2]), Number(m[4]), Number(m[5]))).toISOString();
}

function statusFromWord(word: string): CheckedStatus {
  const w = word.trim().toUpperCase();
  if (w === 'OK') return 'ok';
  if (w === 'WARNING' || w.includes('EXPIRING') || w.includes('WILL EXPIRE')) return 'warning';
  if (w.includes('EXPIRED')) return 'expired';
  if (w.includes('NOT YET VALID') || w.includes('NOTYETVALID')) return 'not-yet-valid';
  return 'unknown';
}

/** Column start offsets from the header line; "RESIDUAL TIME" is one column. */
function columnStarts(header: string): number[] | null {
  const names = ['FILENAME', 'SUBJECT', 'USAGES', 'EXPIRES', 'RESIDUAL TIME', 'STATUS'];
  const starts = names.map((n) => header.indexOf(n));
  return starts.every((s, i) => s >= 0 && (i === 0 || s > starts[i - 1])) ? starts : null;
}

export function parseCertCheckTable(output: string): CertCheckRow[] {
  const lines = output.split(/\r?\n/);
  const headerAt = lines.findIndex((l) => /^FILENAME\s+SUBJECT\s+USAGES\s+EXPIRES\s+RESIDUAL TIME\s+STATUS\s*$/.test(l));
  if (headerAt < 0) return [];
  const starts = columnStarts(lines[headerAt]);
  if (!starts) return [];
  const rows: CertCheckRow[] = [];
  for (const line of lines.slice(headerAt + 1)) {
    if (line.trim() === '') break; // the table ends at the first blank line
    if (/^-+\s/.test(line)) continue; // the dashes under the header
    const cell = (i: number): string => line.slice(starts[i], i + 1 < starts.length ? starts[i + 1] : undefined).trim();
    const file = cell(0);
    if (!file.endsWith('.crt') && !file.includes('.')) continue;
    rows.push({
      file,
      subject: cell(1),
      usages: cell(2).split(/[,\s]+/).filter(Boolean),
      expires: parseTableDate(cell(3)),
      status: statusFromWord(cell(5)),
    });
  }
  return rows;
}

// "/path/x.crt: certificate CN=... is ok, expires at 2025-04-12T18:50:33Z"; other phrasings name the state in words
// before the date ("will expire within 90 days at ...", "expired at ...").
const TEXT_LINE = /(\/\S+\.crt): certificate (.+?) (is ok|will expire[^,]*?|(?:has )?expired|is not yet valid|is not valid[^,]*?),? (?:expires at |at |on )?(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2}))/;

export function parseCertCheckText(output: string): CertCheckRow[] {
  const rows: CertCheckRow[] = [];
  for (const line of output.split(/\r?\n/)) {
    const m = TEXT_LINE.exec(line);
    if (!m) continue;
    const phrase = m[3];
    const status: CheckedStatus = phrase === 'is ok'
      ? 'ok'
      : phrase.startsWith('will expire')
        ? 'warning'
        : phrase.includes('expired')
          ? 'expired'
          : 'not-yet-valid';
    const when = new Date(m[4]);
    rows.push({ file: m[1], subject: m[2], usages: [], expires: Number.isNaN(when.getTime()) ? null : when.toISOString(), status });
  }
  return rows;
}

/** Either format; table first because a table run may also carry logrus lines. */
export function parseCertCheck(output: string): CertCheckRow[] {
  const table = parseCertCheckTable(output);
  return table.length > 0 ? table : parseCertCheckText(output);
}

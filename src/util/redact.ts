// The one redactor: what keyturn persists (run journals, settings, remembered nodes) and prints (status, report,
// the live log tail, errors) goes through it, because a node's journal or an inventory can carry a credential in
// plain text and a report is made to be shared. It hides the secret part and keeps what makes a line useful:
//
//   K10<ca-hash>::server:s3cr3t      → K10<ca-hash>::server:[redacted]   (k3s/rke2 join tokens; the hash is public)
//   Authorization: Bearer eyJhbGci…  → Authorization: Bearer [redacted]
//   https://user:pw@proxy:3128       → https://user:[redacted]@proxy:3128
//   K3S_TOKEN=abc, --token abc, token: abc, "password":"abc"  → the value [redacted]
//
// Names are judged by isSecretName (also what the settings leave out of a remembered node's env). Values that are
// file paths (`--token-file /etc/token`), placeholders (`<password>`) and booleans are kept: they are not secrets.
// Pure and idempotent (redacting twice gives the same text).

export const REDACTED = '[redacted]';

/** Whole-word fragments that only a credential's name contains. */
const SECRET_FRAGMENTS = /token|secret|passw|passphrase|credential|cookie|apikey|private_?key|bearer/i;
/** Name parts (split at _ - . and camelCase) that mean a credential on their own, and not inside other words. */
const SECRET_PARTS = new Set(['key', 'pass', 'pw', 'pwd', 'auth', 'authorization', 'session', 'cred', 'creds']);

/** Whether a variable, flag or field name looks like it holds a credential (K3S_TOKEN, --token, apiKey, AWS_SECRET_ACCESS_KEY). */
export function isSecretName(name: string): boolean {
  if (SECRET_FRAGMENTS.test(name)) return true;
  const parts = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  return parts.some((p) => SECRET_PARTS.has(p) || (p.length > 3 && p.endsWith('key')));
}

/** Values kept even under a secret-looking name: paths to a secret, placeholders, switches, our own mark. */
function notASecret(value: string): boolean {
  const v = value.replace(/^\\?["']|\\?["']$/g, '');
  return (
    v === '' ||
    v.includes(REDACTED) ||
    /^(?:\/|~\/|\.\/|\$\{?[A-Za-z_])/.test(v) ||
    /^<[^>]*>$/.test(v) ||
    /^(?:true|false|yes|no|null|none|\*+)$/i.test(v) ||
    /^(?:bearer|basic|digest|negotiate|token)$/i.test(v) // an Authorization scheme: its credential follows
  );
}

/**
 * `K10<hash>::<user>:<password>` or `K10<hash>::<bootstrap token>`; the hash may be empty (k3s
 * pkg/clientaccess/token.go parseToken: a bare password becomes `K10:::<password>`; the password may hold colons).
 */
const JOIN_TOKEN = /\b(K10[0-9a-fA-F]*::)([^\s'"<>\\]+)/g;
/** `Bearer <token>` wherever it appears (an Authorization header echoed in a log line, a curl command). */
const BEARER = /\b(bearer)(\s+)([A-Za-z0-9\-._~+/]+=*)/gi;
/** `Authorization: Basic …` and the like: the whole credential after the scheme. */
const AUTH_HEADER = /\b(authorization["']?\s*[:=]\s*["']?)(basic|digest|token|negotiate)(\s+)([^\s"',;]+)/gi;
/** `scheme://user:password@` in a URL. */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/@:'"<>]*):([^\s/@'"<>]+)@/gi;
/** `NAME=value` (env assignments, logfmt, `--flag=value`), the value optionally quoted. */
const ASSIGNMENT =
  /(?<![A-Za-z0-9_.-])(-{0,2}[A-Za-z_][A-Za-z0-9_.-]*)=(\\"(?:[^"\\\n]|\\[^"])*\\"|"[^"\n]*"|'[^'\n]*'|[^\s"'\\,;&|)}]+)/g;
/** `name: value` and `"name": "value"` (YAML, JSON, `key: value` log fields). */
const COLON_FIELD =
  /(?<![A-Za-z0-9_.-])(\\?["']|)([A-Za-z_][A-Za-z0-9_.-]*)\1(\s*:[ \t]*)(\\"(?:[^"\\\n]|\\[^"])*\\"|"[^"\n]*"|'[^'\n]*'|[^\s"'\\,;}]+)/g;
/** `--token value` (a flag and its value as two words). */
const FLAG_WORD = /(?<![A-Za-z0-9_.-])(--?[A-Za-z][A-Za-z0-9_.-]*)([ \t]+)("[^"\n]*"|'[^'\n]*'|[^\s"'-][^\s"']*)/g;

/** The quote a value is wrapped in (`"`, `'`, or a JSON-escaped `\\"`), or '' when bare. */
const quoteOf = (value: string) => /^(\\?["'])/.exec(value)?.[1] ?? '';
const hidden = (value: string) => {
  const q = quoteOf(value);
  return `${q}${REDACTED}${q}`;
};
/** A field whose name is not secret: a quoted value may still hold one (`msg="… token=abc"`). */
const inner = (value: string) => {
  const q = quoteOf(value);
  return q ? `${q}${redact(value.slice(q.length, value.length - q.length))}${q}` : value;
};
/** A switch like --secrets-encryption is named after secrets but holds none. */
const SWITCH_NOT_SECRET = /encryption/i;

/**
 * Every rule below needs one of these somewhere in the text (a token's K10, a URL's @, a secret-looking name): most
 * lines of a live log have none and cost one scan (a log flood runs through here line by line).
 */
const MAY_HOLD_SECRET = /K10|@|token|secret|pass|pw|cred|cookie|key|bearer|auth|session/i;

/** `text` with every credential it recognises replaced by [redacted]. */
export function redact(text: string): string {
  if (text.length === 0 || !MAY_HOLD_SECRET.test(text)) return text;
  return text
    .replace(JOIN_TOKEN, (m, head: string, rest: string) => {
      if (rest.includes(REDACTED) || /^<[^>]*>/.test(rest)) return m;
      const colon = rest.indexOf(':');
      return `${head}${colon > 0 ? rest.slice(0, colon + 1) : ''}${REDACTED}`;
    })
    .replace(BEARER, (m, word: string, gap: string, value: string) =>
      value.toLowerCase() === 'token' ? m : `${word}${gap}${REDACTED}`,
    )
    .replace(AUTH_HEADER, (_m, head: string, scheme: string, gap: string) => `${head}${scheme}${gap}${REDACTED}`)
    .replace(URL_USERINFO, (_m, scheme: string, user: string) => `${scheme}${user}:${REDACTED}@`)
    .replace(
      ASSIGNMENT,
      (_m, name: string, value: string) =>
        `${name}=${isSecretName(name) && !notASecret(value) ? hidden(value) : inner(value)}`,
    )
    .replace(
      COLON_FIELD,
      (_m, quote: string, name: string, gap: string, value: string) =>
        `${quote}${name}${quote}${gap}${isSecretName(name) && !notASecret(value) ? hidden(value) : inner(value)}`,
    )
    .replace(FLAG_WORD, (m, flag: string, gap: string, value: string) =>
      isSecretName(flag) && !SWITCH_NOT_SECRET.test(flag) && !notASecret(value) ? `${flag}${gap}${hidden(value)}` : m,
    );
}

/** A copy of a plain JSON value (objects, arrays, strings…) with every string redacted; keys are kept. */
export function redactDeep<T>(value: T): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, redactDeep(v)]),
    ) as T;
  }
  return value;
}

// A cluster that does not answer is an expected state for keyturn, not an exception: every error from the API
// client becomes an ApiFailure value. Details never include request headers (they carry bearer tokens).
// Details quote the server's own words (a Status message, a readyz line), untrusted: neutralised here.
import { neutraliseText } from '../util/untrusted-text.js';
import type { ApiFailure } from './types.js';

/** Network-level codes that mean "nothing answered at that address". */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** TLS verification codes from Node/OpenSSL: the server answered, but trust failed one way or the other. */
const TLS_CODE =
  /^(CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|ERR_TLS_|ERR_SSL_|HOSTNAME_MISMATCH)/;

export function failureFromStatus(status: number, rawDetail: string): ApiFailure {
  const detail = neutraliseText(rawDetail);
  if (status === 401) return { kind: 'unauthorized', status, detail };
  if (status === 403) return { kind: 'forbidden', status, detail };
  if (status === 404) return { kind: 'not-found', detail };
  if (status === 409) return { kind: 'conflict', detail };
  if (status >= 500) return { kind: 'unavailable', status, detail };
  return { kind: 'error', status, detail };
}

export function failureFromError(error: unknown, timeoutMs: number): ApiFailure {
  const status = httpStatusOf(error);
  if (status !== null) return failureFromStatus(status, apiMessage(error) ?? `HTTP ${status}`);
  const chain = causeChain(error);
  if (chain.some((e) => e.name === 'AbortError' || e.name === 'TimeoutError')) {
    return { kind: 'unreachable', detail: `no answer within ${timeoutMs} ms` };
  }
  for (const e of chain) {
    const code = typeof e.code === 'string' ? e.code : '';
    if (TLS_CODE.test(code) || /x509|certificate|self[- ]signed/i.test(e.message)) {
      return { kind: 'tls', detail: `${code ? `${code}: ` : ''}${firstLine(e.message)}` };
    }
    if (UNREACHABLE_CODES.has(code)) return { kind: 'unreachable', detail: `${code}: ${firstLine(e.message)}` };
  }
  return { kind: 'error', status: null, detail: firstLine(chain[0]?.message ?? String(error)) };
}

/** client-node's ApiException carries the HTTP status as a numeric `code`. */
function httpStatusOf(error: unknown): number | null {
  if (error === null || typeof error !== 'object') return null;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'number' && code >= 100 && code < 600 ? code : null;
}

/** The Status object's message, never the exception text (which embeds response headers). */
function apiMessage(error: unknown): string | null {
  let body = (error as { body?: unknown }).body;
  if (typeof body === 'string') {
    const text = body;
    try {
      body = JSON.parse(text);
    } catch {
      return text.trim() === '' ? null : firstLine(text);
    }
  }
  if (body && typeof body === 'object' && typeof (body as { message?: unknown }).message === 'string') {
    return firstLine((body as { message: string }).message);
  }
  return null;
}

interface ErrorLike {
  name: string;
  message: string;
  code?: unknown;
}

function causeChain(error: unknown): ErrorLike[] {
  const chain: ErrorLike[] = [];
  let current: unknown = error;
  while (current && typeof current === 'object' && chain.length < 5) {
    const e = current as { name?: unknown; message?: unknown; code?: unknown; cause?: unknown; errno?: unknown };
    chain.push({ name: String(e.name ?? ''), message: String(e.message ?? ''), code: e.code ?? e.errno });
    current = e.cause;
  }
  return chain;
}

function firstLine(text: string): string {
  const line = neutraliseText(text).split('\n')[0].trim();
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}

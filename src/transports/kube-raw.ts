// Plain-text endpoints (/readyz) that client-node has no generated call for. Its Health helper hides the status
// and the reason; we need both ("503: [-]etcd failed").
import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { neutraliseText } from '../util/untrusted-text.js';
import { failureFromError, failureFromStatus } from './kube-failure.js';
import type { ApiResult } from './types.js';

const MAX_BODY_BYTES = 64 * 1024;

export async function getRawText(
  kc: KubeConfig,
  server: string,
  urlPath: string,
  timeoutMs: number,
): Promise<ApiResult<string>> {
  const options: https.RequestOptions = { method: 'GET', headers: {} };
  try {
    // Adds the agent with CA, client cert/key, and the Authorization header, exactly as for generated calls.
    await kc.applyToHTTPSOptions(options);
  } catch (error) {
    return { ok: false, failure: failureFromError(error, timeoutMs) };
  }
  return requestText(options, server, urlPath, timeoutMs);
}

/** GET `urlPath` with ready-made request options; the body (up to maxBytes) when 2xx, else the failure. */
export function requestText(
  options: https.RequestOptions,
  server: string,
  urlPath: string,
  timeoutMs: number,
  maxBytes = MAX_BODY_BYTES,
): Promise<ApiResult<string>> {
  const url = new URL(server.replace(/\/+$/, '') + urlPath);
  const transport = url.protocol === 'http:' ? http : https;

  return new Promise((resolve) => {
    const request = transport.request(
      url,
      { method: 'GET', ...options, signal: AbortSignal.timeout(timeoutMs) },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= maxBytes) chunks.push(chunk);
        });
        response.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          const status = response.statusCode ?? 0;
          // The body is the server's text (readyz's check list), shown as it is: neutralised where it enters.
          if (status >= 200 && status < 300) resolve({ ok: true, value: neutraliseText(body) });
          else resolve({ ok: false, failure: failureFromStatus(status, summarise(body, status)) });
        });
        response.on('error', (error) => resolve({ ok: false, failure: failureFromError(error, timeoutMs) }));
      },
    );
    request.on('error', (error) => resolve({ ok: false, failure: failureFromError(error, timeoutMs) }));
    request.end();
  });
}

/** readyz bodies list checks as "[+]name ok" / "[-]name failed: reason"; the failed ones are the story. */
function summarise(body: string, status: number): string {
  try {
    // A JSON Status (401, 403, 404 from a list call): its message is the story.
    const message = (JSON.parse(body) as { message?: unknown }).message;
    if (typeof message === 'string' && message) return message.length > 300 ? `${message.slice(0, 299)}…` : message;
  } catch {
    // not JSON: readyz's check list
  }
  const lines = body
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const failed = lines.filter((l) => l.startsWith('[-]'));
  const picked = failed.length > 0 ? failed.join('; ') : (lines[0] ?? `HTTP ${status}`);
  return picked.length > 300 ? `${picked.slice(0, 299)}…` : picked;
}

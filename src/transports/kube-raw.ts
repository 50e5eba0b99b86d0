// Plain-text endpoints (/readyz) that client-node has no generated call for. Its Health helper hides the status
// and the reason; we need both ("503: [-]etcd failed").
import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { failureFromError, failureFromStatus } from './kube-failure.js';
import type { ApiResult } from './types.js';

const MAX_BODY_BYTES = 64 * 1024;

export async function getRawText(kc: KubeConfig, server: string, urlPath: string, timeoutMs: number): Promise<ApiResult<string>> {
  const options: https.RequestOptions = { method: 'GET', headers: {} };
  try {
    // Adds the agent with CA, client cert/key, and the Authorization header, exactly as for generated calls.
    await kc.applyToHTTPSOptions(options);
  } catch (error) {
    return { ok: false, failure: failureFromError(error, timeoutMs) };
  }
  const url = new URL(server.replace(/\/+$/, '') + urlPath);
  const transport = url.protocol === 'http:' ? http : https;

  return new Promise((resolve) => {
    const request = transport.request(url, { ...options, signal: AbortSignal.timeout(timeoutMs) }, (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_BODY_BYTES) chunks.push(chunk);
      });
      response.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const status = response.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve({ ok: true, value: body });
        else resolve({ ok: false, failure: failureFromStatus(status, summarise(body, status)) });
      });
      response.on('error', (error) => resolve({ ok: false, failure: failureFromError(error, timeoutMs) }));
    });
    request.on('error', (error) => resolve({ ok: false, failure: failureFromError(error, timeoutMs) }));
    request.end();
  });
}

/** readyz bodies list checks as "[+]name ok" / "[-]name failed: reason"; the failed ones are the story. */
function summarise(body: string, status: number): string {
  const lines = body.split('\n').map((l) => l.trim()).filter(Boolean);
  const failed = lines.filter((l) => l.startsWith('[-]'));
  const picked = failed.length > 0 ? failed.join('; ') : (lines[0] ?? `HTTP ${status}`);
  return picked.length > 300 ? `${picked.slice(0, 299)}…` : picked;
}

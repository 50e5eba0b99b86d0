// The parsed parts of an API request that routes look at, and the representation the client asked for.
import type { IncomingMessage } from 'node:http';
import { badRequest, failure, type FailureStatus } from './status.js';

/** Plain objects, or server-side printing (meta.k8s.io Table) as kubectl asks for it. */
export type Representation =
  | { kind: 'object' }
  | { kind: 'table'; apiVersion: 'meta.k8s.io/v1' | 'meta.k8s.io/v1beta1'; includeObject: IncludeObject };

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface ApiRequest {
  method: string;
  /** Path segments without the empty leading one: /api/v1/nodes → ['api', 'v1', 'nodes']. */
  segments: string[];
  query: URLSearchParams;
  representation: Representation;
  contentType: string;
  /** The body parsed as JSON, or the Status a real apiserver answers for a body it cannot read. */
  readJson(): Promise<BodyResult>;
}

export type BodyResult = { ok: true; value: unknown } | { ok: false; status: FailureStatus };

const MAX_BODY_BYTES = 3 * 1024 * 1024;

export function parseRequest(req: IncomingMessage): ApiRequest {
  // Concatenated rather than resolved against a base, so a path like //x is not read as a host.
  const url = new URL(`https://lab.invalid${req.url?.startsWith('/') ? req.url : `/${req.url ?? ''}`}`);
  const segments = url.pathname
    .split('/')
    .filter((s) => s !== '')
    .map(decodeSegment);
  return {
    method: (req.method ?? 'GET').toUpperCase(),
    segments,
    query: url.searchParams,
    representation: chooseRepresentation(req.headers.accept ?? '', url.searchParams),
    contentType: (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase(),
    readJson: () => readJson(req),
  };
}

/** A malformed %-escape is kept as written: it then matches no route and answers 404, instead of throwing. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * kubectl sends `application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,
 * application/json`: the first acceptable media type wins, and plain JSON is the fallback.
 */
export function chooseRepresentation(accept: string, query: URLSearchParams): Representation {
  for (const mediaType of accept.split(',')) {
    const [type, ...paramParts] = mediaType.split(';').map((p) => p.trim());
    const params = new Map(paramParts.map((p) => p.split('=').map((s) => s.trim()) as [string, string]));
    if (type !== 'application/json' && type !== '*/*') continue;
    if (!params.has('as')) return { kind: 'object' };
    if (params.get('as') === 'Table' && params.get('g') === 'meta.k8s.io') {
      const version = params.get('v');
      if (version === 'v1' || version === 'v1beta1') {
        return {
          kind: 'table',
          apiVersion: `meta.k8s.io/${version}`,
          includeObject: parseIncludeObject(query.get('includeObject')),
        };
      }
    }
  }
  return { kind: 'object' };
}

function parseIncludeObject(value: string | null): IncludeObject {
  // The apiserver's default is Metadata: enough for kubectl to show labels (-L) and names.
  if (value === 'None' || value === 'Object') return value;
  return 'Metadata';
}

async function readJson(req: IncomingMessage): Promise<BodyResult> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return { ok: false, status: failure(413, 'BadRequest', 'request entity too large') };
    chunks.push(chunk);
  }
  const raw = Buffer.concat(chunks).toString('utf8');
  try {
    return { ok: true, value: JSON.parse(raw) as unknown };
  } catch (error) {
    return { ok: false, status: badRequest(`error decoding request body: ${(error as Error).message}`) };
  }
}

// Listing a collection the way the apiserver does: selectors, limit/continue pages, then a List or a Table.
import type { ApiRequest } from './request.js';
import { listObject, type KubeObject, type ListMeta } from './objects.js';
import { fail, json, type Reply } from './reply.js';
import { parseFieldSelector, parseLabelSelector, type FieldReader } from './selectors.js';
import { badRequest, type FailureStatus } from './status.js';
import { renderTable, type TableSpec } from './table.js';

export interface CollectionSpec {
  apiVersion: string;
  /** The list kind, e.g. NodeList. */
  listKind: string;
  table: TableSpec;
  /** Field labels this kind can be selected on (metadata.name is always one). */
  fieldLabels: readonly string[];
  readField: FieldReader<KubeObject>;
}

export function listReply(req: ApiRequest, spec: CollectionSpec, items: KubeObject[], resourceVersion: number): Reply {
  const selected = selectItems(req, spec, items);
  if (!selected.ok) return fail(badRequest(selected.message));
  const page = paginate(selected.value, req.query, resourceVersion);
  if (!page.ok) return fail(page.status);
  switch (req.representation.kind) {
    case 'object':
      return json(listObject(spec.apiVersion, spec.listKind, page.items, page.listMeta));
    case 'table':
      return json(renderTable(req.representation, spec.table, page.items, page.listMeta));
    default: {
      const unexpected: never = req.representation;
      throw new Error(`unexpected representation ${JSON.stringify(unexpected)}`);
    }
  }
}

export type Selected = { ok: true; value: KubeObject[] } | { ok: false; message: string };

export function selectItems(req: ApiRequest, spec: CollectionSpec, items: KubeObject[]): Selected {
  const matcher = itemMatcher(req, spec);
  if (!matcher.ok) return matcher;
  return { ok: true, value: items.filter(matcher.value) };
}

export function itemMatcher(
  req: ApiRequest,
  spec: CollectionSpec,
): { ok: true; value: (item: KubeObject) => boolean } | { ok: false; message: string } {
  const labels = parseLabelSelector(req.query.get('labelSelector'));
  if (!labels.ok) return labels;
  const fields = parseFieldSelector(req.query.get('fieldSelector'), spec.fieldLabels, spec.readField);
  if (!fields.ok) return fields;
  return { ok: true, value: (item) => labels.value(item.metadata.labels) && fields.value(item) };
}

type Page = { ok: true; items: KubeObject[]; listMeta: ListMeta } | { ok: false; status: FailureStatus };

interface ContinueToken {
  /** The list's resourceVersion when the first page was served. */
  rv: number;
  /** Index of the first item of the next page. */
  start: number;
}

/**
 * limit/continue. The continue token is opaque to clients; remainingItemCount lets a client count a large
 * collection by asking for one item.
 */
export function paginate(items: KubeObject[], query: URLSearchParams, resourceVersion: number): Page {
  const token = decodeContinue(query.get('continue'));
  if (token === 'invalid') return { ok: false, status: badRequest('continue key is not valid: malformed token') };
  const start = token?.start ?? 0;
  const listVersion = token?.rv ?? resourceVersion;
  const limit = Number(query.get('limit') ?? '0');
  if (!Number.isInteger(limit) || limit < 0)
    return { ok: false, status: badRequest(`invalid limit: ${query.get('limit')}`) };
  const end = limit > 0 ? Math.min(items.length, start + limit) : items.length;
  const listMeta: ListMeta = { resourceVersion: String(listVersion) };
  if (end < items.length) {
    listMeta.continue = encodeContinue({ rv: listVersion, start: end });
    listMeta.remainingItemCount = items.length - end;
  }
  return { ok: true, items: items.slice(start, end), listMeta };
}

function encodeContinue(token: ContinueToken): string {
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function decodeContinue(raw: string | null): ContinueToken | undefined | 'invalid' {
  if (!raw) return undefined;
  try {
    const token = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<ContinueToken>;
    if (typeof token.rv !== 'number' || typeof token.start !== 'number' || token.start < 0) return 'invalid';
    return { rv: token.rv, start: token.start };
  } catch {
    return 'invalid';
  }
}

/** The fields every kind can be selected on. */
export function readMetadataField(item: KubeObject, field: string): string | undefined {
  switch (field) {
    case 'metadata.name':
      return item.metadata.name;
    case 'metadata.namespace':
      return item.metadata.namespace ?? '';
    default:
      return undefined;
  }
}

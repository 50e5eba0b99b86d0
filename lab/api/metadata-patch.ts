// PATCH bodies: JSON merge patch (RFC 7386) and strategic merge patch. For the maps the lab lets clients change
// (labels and annotations) both mean the same thing: keys merge, null deletes; `$`-directives are ignored.
import type { MetadataPatch } from './node-store.js';

export type PatchType = 'merge' | 'strategic' | 'json' | 'apply';

export function patchTypeOf(contentType: string): PatchType | undefined {
  switch (contentType) {
    case 'application/merge-patch+json':
      return 'merge';
    case 'application/strategic-merge-patch+json':
      return 'strategic';
    case 'application/json-patch+json':
      return 'json';
    case 'application/apply-patch+yaml':
      return 'apply';
    default:
      return undefined;
  }
}

export type ReadPatch<T> = { ok: true; value: T } | { ok: false; message: string };

/** The label/annotation changes in a merge or strategic patch of an object. */
export function readMetadataPatch(body: unknown): ReadPatch<MetadataPatch & { resourceVersion?: string }> {
  if (!isPlainObject(body)) return { ok: false, message: 'patch body must be a JSON object' };
  const metadata = body.metadata;
  if (metadata === undefined || metadata === null) return { ok: true, value: {} };
  if (!isPlainObject(metadata)) return { ok: false, message: 'metadata must be an object' };
  const labels = readStringMap(metadata.labels, 'metadata.labels');
  if (!labels.ok) return labels;
  const annotations = readStringMap(metadata.annotations, 'metadata.annotations');
  if (!annotations.ok) return annotations;
  const resourceVersion = typeof metadata.resourceVersion === 'string' ? metadata.resourceVersion : undefined;
  return { ok: true, value: { labels: labels.value, annotations: annotations.value, resourceVersion } };
}

function readStringMap(value: unknown, where: string): ReadPatch<Record<string, string | null> | undefined> {
  if (value === undefined) return { ok: true, value: undefined };
  // `"annotations": null` removes them all; the lab treats it as "no change" to what the node itself reports.
  if (value === null) return { ok: true, value: undefined };
  if (!isPlainObject(value)) return { ok: false, message: `${where} must be a map of strings` };
  const map: Record<string, string | null> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (key.startsWith('$')) continue;
    if (entry !== null && typeof entry !== 'string')
      return { ok: false, message: `${where}.${key} must be a string or null` };
    map[key] = entry;
  }
  return { ok: true, value: map };
}

/** RFC 7386: objects merge recursively, null removes, anything else replaces. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const result: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) continue;
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

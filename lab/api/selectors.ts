// labelSelector and fieldSelector query parameters, parsed the way the apiserver reads them.
// A selector that cannot be parsed is an expected failure (400 BadRequest), returned as a value.

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

export type LabelRequirement =
  | { op: 'exists'; key: string }
  | { op: 'notExists'; key: string }
  | { op: 'equals'; key: string; value: string }
  | { op: 'notEquals'; key: string; value: string }
  | { op: 'in'; key: string; values: string[] }
  | { op: 'notIn'; key: string; values: string[] };

export type LabelMatcher = (labels: Record<string, string> | undefined) => boolean;

export function parseLabelSelector(raw: string | null): Parsed<LabelMatcher> {
  if (!raw || raw.trim() === '') return { ok: true, value: () => true };
  const requirements: LabelRequirement[] = [];
  for (const part of splitOutsideParens(raw)) {
    const requirement = parseLabelRequirement(part.trim());
    if (!requirement) return { ok: false, message: `unable to parse requirement: ${JSON.stringify(part.trim())}` };
    requirements.push(requirement);
  }
  return { ok: true, value: (labels) => requirements.every((r) => matchesLabel(r, labels ?? {})) };
}

function parseLabelRequirement(part: string): LabelRequirement | undefined {
  let m = /^!\s*([\w./-]+)$/.exec(part);
  if (m) return { op: 'notExists', key: m[1] };
  m = /^([\w./-]+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(part);
  if (m) {
    const values = m[3].split(',').map((v) => v.trim());
    return m[2] === 'in' ? { op: 'in', key: m[1], values } : { op: 'notIn', key: m[1], values };
  }
  m = /^([\w./-]+)\s*(!=|==|=)\s*([\w.-]*)$/.exec(part);
  if (m) return m[2] === '!=' ? { op: 'notEquals', key: m[1], value: m[3] } : { op: 'equals', key: m[1], value: m[3] };
  m = /^([\w./-]+)$/.exec(part);
  if (m) return { op: 'exists', key: m[1] };
  return undefined;
}

function matchesLabel(requirement: LabelRequirement, labels: Record<string, string>): boolean {
  const value = labels[requirement.key];
  switch (requirement.op) {
    case 'exists':
      return value !== undefined;
    case 'notExists':
      return value === undefined;
    case 'equals':
      return value === requirement.value;
    case 'notEquals':
      return value !== requirement.value;
    case 'in':
      return value !== undefined && requirement.values.includes(value);
    case 'notIn':
      return value === undefined || !requirement.values.includes(value);
    default: {
      const unexpected: never = requirement;
      throw new Error(`unexpected requirement ${JSON.stringify(unexpected)}`);
    }
  }
}

function splitOutsideParens(raw: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of raw) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}

export interface FieldRequirement {
  field: string;
  value: string;
  negate: boolean;
}

/** Reads a field of an object by its selector name; undefined when this resource cannot select on it. */
export type FieldReader<T> = (item: T, field: string) => string | undefined;

export type FieldMatcher<T> = (item: T) => boolean;

/** `supported` lists the field labels this resource accepts, as the apiserver rejects any other. */
export function parseFieldSelector<T>(
  raw: string | null,
  supported: readonly string[],
  read: FieldReader<T>,
): Parsed<FieldMatcher<T>> {
  if (!raw || raw.trim() === '') return { ok: true, value: () => true };
  const requirements: FieldRequirement[] = [];
  for (const part of raw.split(',')) {
    const m = /^\s*([\w.]+)\s*(!=|==|=)\s*(.*?)\s*$/.exec(part);
    if (!m) return { ok: false, message: `invalid selector: '${raw}'; can't understand '${part}'` };
    if (!supported.includes(m[1])) return { ok: false, message: `field label not supported: ${m[1]}` };
    requirements.push({ field: m[1], value: m[3], negate: m[2] === '!=' });
  }
  return {
    ok: true,
    value: (item) => requirements.every((r) => (read(item, r.field) === r.value) !== r.negate),
  };
}

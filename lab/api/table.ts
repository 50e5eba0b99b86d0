// Server-side printing: meta.k8s.io Table answers, which is what `kubectl get` asks for and prints verbatim.
import type { Representation } from './request.js';
import type { KubeObject, ListMeta } from './objects.js';
import { humanAge } from './time.js';

export interface TableColumn {
  name: string;
  type: 'string' | 'integer' | 'date';
  format: string;
  description: string;
  /** 0 is shown by default; 1 only with `-o wide`. */
  priority: number;
}

export type Cell = string | number;

/** How one kind prints: the columns and one row's cells. */
export interface TableSpec {
  columns: TableColumn[];
  cells(object: KubeObject, now: Date): Cell[];
}

export function column(
  name: string,
  description: string,
  options: Partial<Omit<TableColumn, 'name' | 'description'>> = {},
): TableColumn {
  return {
    name,
    type: options.type ?? 'string',
    format: options.format ?? '',
    description,
    priority: options.priority ?? 0,
  };
}

export const NAME_COLUMN = column('Name', 'Name must be unique within a namespace.', { format: 'name' });
export const AGE_COLUMN = column(
  'Age',
  'CreationTimestamp is a timestamp representing the server time when this object was created.',
);

export function ageCell(object: KubeObject, now: Date): string {
  return humanAge(object.metadata.creationTimestamp, now);
}

type TableRepresentation = Extract<Representation, { kind: 'table' }>;

export function renderTable(
  representation: TableRepresentation,
  spec: TableSpec,
  objects: KubeObject[],
  listMeta: ListMeta,
): object {
  const now = new Date();
  return {
    kind: 'Table',
    apiVersion: representation.apiVersion,
    metadata: listMeta,
    columnDefinitions: spec.columns,
    rows: objects.map((object) => ({ cells: spec.cells(object, now), object: rowObject(representation, object) })),
  };
}

function rowObject(representation: TableRepresentation, object: KubeObject): object | null {
  switch (representation.includeObject) {
    case 'None':
      return null;
    case 'Metadata':
      return { kind: 'PartialObjectMetadata', apiVersion: representation.apiVersion, metadata: object.metadata };
    case 'Object':
      return object;
    default: {
      const unexpected: never = representation.includeObject;
      throw new Error(`unexpected includeObject ${String(unexpected)}`);
    }
  }
}

/** A single object in the representation the client asked for. */
export function renderObject(representation: Representation, spec: TableSpec, object: KubeObject): object {
  switch (representation.kind) {
    case 'object':
      return object;
    case 'table':
      return renderTable(representation, spec, [object], { resourceVersion: object.metadata.resourceVersion });
    default: {
      const unexpected: never = representation;
      throw new Error(`unexpected representation ${JSON.stringify(unexpected)}`);
    }
  }
}

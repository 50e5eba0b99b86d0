// core/v1 Events about nodes, from the backend (e.g. SecretsProgress "reencrypted 50 secrets"), in namespace default
// like the events RKE2/K3s record against Node objects.
import { createHash } from 'node:crypto';
import type { LabEventView } from '../contract.js';
import { listReply, readMetadataField, type CollectionSpec } from './collection.js';
import type { ApiContext, ResourcePath } from './context.js';
import { nodeUid } from './node-object.js';
import { stableUid, type KubeObject } from './objects.js';
import type { ApiRequest } from './request.js';
import { fail, json, type Reply } from './reply.js';
import { methodNotAllowed, notFound } from './status.js';
import { column, renderObject, type TableSpec } from './table.js';
import { humanAge } from './time.js';

const EVENT_NAMESPACE = 'default';

interface EventShape {
  involvedObject: { kind: string; name: string; namespace?: string; uid: string; apiVersion: string };
  reason: string;
  message: string;
  source: { component: string; host?: string };
  firstTimestamp: string;
  lastTimestamp: string;
  count: number;
  type: string;
}

type EventObject = KubeObject & EventShape;

/** The Event name the apiserver would hold: `<node>.<16 hex>`, stable for the same record. */
function eventName(event: LabEventView, index: number): string {
  const digest = createHash('sha256').update(`${index}\0${event.node}\0${event.reason}\0${event.time}`).digest('hex');
  return `${event.node}.${digest.slice(0, 16)}`;
}

export function eventObject(
  event: LabEventView,
  index: number,
  resourceVersion: string,
  nodeCreatedAt: string | undefined,
): EventObject {
  const name = eventName(event, index);
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: {
      name,
      namespace: EVENT_NAMESPACE,
      uid: stableUid('Event', name),
      resourceVersion,
      creationTimestamp: event.time,
    },
    involvedObject: {
      kind: 'Node',
      name: event.node,
      // Nodes are cluster-scoped; their uid is the same one the Node object carries when the node is known.
      uid: nodeCreatedAt ? nodeUid({ name: event.node, createdAt: nodeCreatedAt }) : event.node,
      apiVersion: 'v1',
    },
    reason: event.reason,
    message: event.message,
    // The secrets-encryption controller records its progress under its own name; the rest reads like the kubelet.
    source: { component: event.reason.startsWith('Secrets') ? 'reencrypt-controller' : 'kubelet', host: event.node },
    firstTimestamp: event.time,
    lastTimestamp: event.time,
    count: 1,
    type: event.type,
    eventTime: null,
    reportingComponent: '',
    reportingInstance: '',
  };
}

const eventTable: TableSpec = {
  columns: [
    column('Last Seen', 'Time when last event occurred'),
    column('Type', 'Type of the event'),
    column('Reason', 'Short, machine understandable string that gives the reason for the event'),
    column('Object', 'Object the event is about'),
    column('Subobject', 'Subobject the event is about', { priority: 1 }),
    column('Source', 'Component reporting the event', { priority: 1 }),
    column('Message', 'A human-readable description of the event'),
    column('First Seen', 'Time when first event occurred', { priority: 1 }),
    column('Count', 'Number of times the event occurred', { type: 'integer', priority: 1 }),
    column('Name', 'Name of the event', { priority: 1 }),
  ],
  cells(object, now) {
    const event = object as EventObject;
    const source = event.source.host ? `${event.source.component}, ${event.source.host}` : event.source.component;
    return [
      humanAge(event.lastTimestamp, now),
      event.type,
      event.reason,
      `${event.involvedObject.kind.toLowerCase()}/${event.involvedObject.name}`,
      '',
      source,
      event.message,
      humanAge(event.firstTimestamp, now),
      event.count,
      event.metadata.name,
    ];
  },
};

const EVENT_FIELDS: Record<string, (e: EventObject) => string> = {
  'involvedObject.kind': (e) => e.involvedObject.kind,
  'involvedObject.namespace': (e) => e.involvedObject.namespace ?? '',
  'involvedObject.name': (e) => e.involvedObject.name,
  'involvedObject.uid': (e) => e.involvedObject.uid,
  'involvedObject.apiVersion': (e) => e.involvedObject.apiVersion,
  'involvedObject.resourceVersion': () => '',
  'involvedObject.fieldPath': () => '',
  reason: (e) => e.reason,
  reportingComponent: () => '',
  source: (e) => e.source.component,
  type: (e) => e.type,
};

export const eventCollection: CollectionSpec = {
  apiVersion: 'v1',
  listKind: 'EventList',
  table: eventTable,
  fieldLabels: ['metadata.name', 'metadata.namespace', ...Object.keys(EVENT_FIELDS)],
  readField(item, field) {
    const read = EVENT_FIELDS[field];
    return read ? read(item as EventObject) : readMetadataField(item, field);
  },
};

function allEvents(ctx: ApiContext): EventObject[] {
  const createdAt = new Map(ctx.backend.nodes().map((n) => [n.name, n.createdAt]));
  const resourceVersion = String(ctx.clock.current);
  return ctx.backend
    .events()
    .map((event, index) => eventObject(event, index, resourceVersion, createdAt.get(event.node)));
}

export function handleEvents(req: ApiRequest, path: ResourcePath, ctx: ApiContext): Reply {
  if (req.method !== 'GET') return fail(methodNotAllowed(req.method, 'events'));
  const inNamespace = allEvents(ctx).filter(
    (e) => path.namespace === undefined || e.metadata.namespace === path.namespace,
  );
  if (path.name === undefined) return listReply(req, eventCollection, inNamespace, ctx.clock.current);
  const found = inNamespace.find((e) => e.metadata.name === path.name);
  return found ? json(renderObject(req.representation, eventTable, found)) : fail(notFound('events', '', path.name));
}

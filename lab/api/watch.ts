// ?watch=true for nodes: a chunked stream of {"type","object"} JSON lines, as client-go and kubectl read it.
import type { ServerResponse } from 'node:http';
import type { ApiBackend } from '../contract.js';
import type { NodeChange, NodeStore, WatchEventType } from './node-store.js';
import type { KubeObject } from './objects.js';
import type { Reply } from './reply.js';
import { expired, failure } from './status.js';

export interface WatchOptions {
  store: NodeStore;
  backend: ApiBackend;
  query: URLSearchParams;
  matches(object: KubeObject): boolean;
  /** The event's object in the client's representation (a plain Node, or a one-row Table). */
  render(object: KubeObject): object;
}

type StartPoint =
  { kind: 'everything-now' } | { kind: 'after'; resourceVersion: number } | { kind: 'invalid'; message: string };

function startPoint(query: URLSearchParams): StartPoint {
  const raw = query.get('resourceVersion');
  // Unset and "0" both mean: the current state as ADDED events, then changes.
  if (raw === null || raw === '' || raw === '0') return { kind: 'everything-now' };
  if (query.get('sendInitialEvents') === 'true') return { kind: 'everything-now' };
  const resourceVersion = Number(raw);
  if (!Number.isInteger(resourceVersion) || resourceVersion < 0)
    return { kind: 'invalid', message: `invalid resource version: ${raw}` };
  return { kind: 'after', resourceVersion };
}

/** The apiserver closes a watch after timeoutSeconds, or after a random 30-60 minutes when none is given. */
function timeoutMs(query: URLSearchParams): number {
  const seconds = Number(query.get('timeoutSeconds'));
  if (Number.isFinite(seconds) && seconds > 0) return seconds * 1000;
  return (1800 + Math.random() * 1800) * 1000;
}

export function watchReply(options: WatchOptions): Reply {
  return { kind: 'stream', start: (res) => streamWatch(res, options) };
}

function streamWatch(res: ServerResponse, options: WatchOptions): void {
  const { store, backend, query } = options;
  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
    'Transfer-Encoding': 'chunked',
  });
  // Clients wait for the headers before they consider the watch established; send them now, not with the first event.
  res.flushHeaders();
  const send = (type: WatchEventType | 'ERROR' | 'BOOKMARK', object: object) => {
    res.write(`${JSON.stringify({ type, object })}\n`);
  };

  store.refresh();
  const start = startPoint(query);
  let backlog: NodeChange[];
  switch (start.kind) {
    case 'invalid':
      send('ERROR', failure(400, 'BadRequest', start.message));
      res.end();
      return;
    case 'everything-now':
      backlog = store
        .list()
        .map((object) => ({ type: 'ADDED', resourceVersion: Number(object.metadata.resourceVersion), object }));
      break;
    case 'after': {
      const changes = store.changesSince(start.resourceVersion);
      if (changes === 'expired') {
        // Like the apiserver: a 200 stream whose only event is a 410, so the client re-lists.
        send('ERROR', expired(String(start.resourceVersion), String(store.oldestWatchable)));
        res.end();
        return;
      }
      backlog = changes;
      break;
    }
    default: {
      const unexpected: never = start;
      throw new Error(`unexpected start ${JSON.stringify(unexpected)}`);
    }
  }

  const deliver = (change: NodeChange) => {
    const type = visibleType(change, options.matches);
    if (type) send(type, options.render(change.object));
  };
  backlog.forEach(deliver);
  if (start.kind === 'everything-now' && query.get('sendInitialEvents') === 'true') {
    send('BOOKMARK', bookmark(store));
  }

  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    unsubscribeStore();
    unsubscribeBackend();
    clearTimeout(timer);
    res.end();
  };
  const unsubscribeStore = store.subscribe(deliver);
  // When the apiserver goes away (no control-plane server up), its watch connections end with it.
  const unsubscribeBackend = backend.subscribe(() => {
    if (backend.unavailableReason() !== null) finish();
  });
  const timer = setTimeout(finish, timeoutMs(query));
  res.on('close', finish);
}

/** What a watcher with a selector sees: entering the selection is ADDED, leaving it DELETED. */
function visibleType(change: NodeChange, matches: (object: KubeObject) => boolean): WatchEventType | undefined {
  const now = matches(change.object);
  switch (change.type) {
    case 'ADDED':
    case 'DELETED':
      return now ? change.type : undefined;
    case 'MODIFIED': {
      const before = change.previous ? matches(change.previous) : true;
      if (before && now) return 'MODIFIED';
      if (now) return 'ADDED';
      if (before) return 'DELETED';
      return undefined;
    }
    default: {
      const unexpected: never = change.type;
      throw new Error(`unexpected change ${String(unexpected)}`);
    }
  }
}

/** The end-of-initial-events marker of a watch-list (sendInitialEvents=true). */
function bookmark(store: NodeStore): object {
  const latest = store.list().reduce((max, o) => Math.max(max, Number(o.metadata.resourceVersion)), 0);
  return {
    kind: 'Node',
    apiVersion: 'v1',
    metadata: { resourceVersion: String(latest), annotations: { 'k8s.io/initial-events-end': 'true' } },
  };
}

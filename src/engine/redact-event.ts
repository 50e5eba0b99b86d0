// What a run event may hold of a credential is hidden before it is journalled or shown: evidence and output tails
// come from node journals and commands, which can print a join token or a bearer token (util/redact.ts). The plan
// in run-created is keyturn's own, and resume runs its commands: it is kept exactly as planned.
import { redactDeep } from '../util/redact.js';
import type { RunEvent } from './events.js';

export function redactEvent<E extends RunEvent>(event: E): E {
  if (event.type === 'run-created') return { ...event, cluster: redactDeep(event.cluster) };
  return redactDeep(event);
}

// How a failed supervisor request looks on both ends, as upstream's SendErrorWithID makes it: the server logs
// `<component> error ID <5 digits>: <cause>` and answers only the ID; the CLI dies with
// `see server log for details: <url>: <status> <component> error ID <n>`.
import { randomInt } from 'node:crypto';
import type { LabNode } from '../lab-node.js';
import type { LabRuntime } from '../lab-runtime.js';
import type { CommandIO } from './io.js';
import { logLine } from './logrus.js';

export interface SupervisorRequest {
  /** e.g. `/v1-k3s/encrypt/config`. */
  path: string;
  /** e.g. `400 Bad Request`. */
  status: string;
  /** `secret-encrypt` or `certificate`. */
  component: string;
}

export function supervisorUrl(node: LabNode, path: string): string {
  return `https://127.0.0.1:${node.prog === 'rke2' ? 9345 : 6443}${path}`;
}

export function failWithServerError(
  lab: LabRuntime,
  node: LabNode,
  io: CommandIO,
  request: SupervisorRequest,
  cause: string,
): number {
  const id = String(randomInt(0, 99_999)).padStart(5, '0');
  node.journal.service(node.prog, node.service.mainPid, 'error', `${request.component} error ID ${id}: ${cause}`);
  const detail = `${supervisorUrl(node, request.path)}: ${request.status} ${request.component} error ID ${id}`;
  io.stderr(logLine('fatal', `see server log for details: ${detail}`, lab.clock.now()));
  return 1;
}

/** The CLI's HTTP client gave up (or the connection dropped) before the server answered. */
export function failWithClientError(
  lab: LabRuntime,
  node: LabNode,
  io: CommandIO,
  path: string,
  cause: string,
): number {
  io.stderr(
    logLine('fatal', `see server log for details: Put "${supervisorUrl(node, path)}": ${cause}`, lab.clock.now()),
  );
  return 1;
}

// What a starting node does with the secure join token in its config (`token: K10<CA hash>::…`), as upstream does:
// the CA hash must equal hashCA of the CA bundle the server serves at /cacerts (its server/tls/server-ca.crt).
// - An agent validates before anything else and, on a mismatch, logs
//   `Failed to validate connection to cluster at <server>: token CA hash does not match the Cluster CA certificate
//   hash: <token's> != <server's>` every 2 s without exiting (k3s pkg/agent/run.go createProxyAndValidateToken):
//   the unit never becomes ready, it does not restart-loop.
// - A control-plane-only server that joined with `server:` validates on every start and fails fatally (k3s
//   pkg/cluster/bootstrap.go shouldBootstrapLoad: "the path taken by control-plane-only nodes every startup";
//   wrapped by pkg/daemons/control/server.go prepare/Prepare): Restart=always then restarts it every 5 s.
// - A server with an initialized etcd member ignores the error (same function: "we ignore any errors").
// The token is read once per start: editing the file while the node runs changes nothing until it restarts.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { tokenCaHash } from '../src/model/token-ca-hash.js';
import { hasEtcd, isControlPlane, type LabNode } from './lab-node.js';
import type { LabRuntime } from './lab-runtime.js';
import { supervisorPort } from './node-files.js';

const PINNED = /^K10([0-9a-f]{64})::/;
const RETRY_MS = 2_000;

/** clientaccess.validateCAHash's error: the token's hash, then the hash of what the server serves. */
export function tokenMismatch(pinned: string, served: string): string {
  return `token CA hash does not match the Cluster CA certificate hash: ${pinned} != ${served}`;
}

type Log = (level: 'error', msg: string) => void;

/** `token:` from etc/config.yaml, then config.yaml.d/*.yaml in name order (a later file wins), else token-file:. */
export async function configuredToken(node: LabNode): Promise<string | null> {
  const base = path.join(node.paths.etcDir, 'config.yaml');
  const dropIns = await readdir(`${base}.d`).then(
    (names) =>
      names
        .filter((n) => /\.ya?ml$/.test(n))
        .sort()
        .map((n) => path.join(`${base}.d`, n)),
    () => [],
  );
  const merged: Record<string, unknown> = {};
  for (const file of [base, ...dropIns]) {
    const text = await readFile(file, 'utf8').catch(() => '');
    const doc: unknown = text.trim() ? parse(text) : null;
    if (doc && typeof doc === 'object') Object.assign(merged, doc);
  }
  if (typeof merged.token === 'string' && merged.token) return merged.token.trim();
  if (typeof merged['token-file'] === 'string')
    return (await readFile(merged['token-file'], 'utf8').catch(() => '')).trim() || null;
  return null;
}

async function servedHash(lab: LabRuntime, server: LabNode): Promise<string> {
  const cacerts = await readFile(path.join(server.paths.dataDir, 'server/tls/server-ca.crt'));
  return tokenCaHash(cacerts, lab.clock.now()).hash;
}

function serverUrl(lab: LabRuntime, node: LabNode): string {
  const target = node.joinTarget === null ? undefined : lab.node(node.joinTarget);
  return `https://${target?.spec.address ?? '127.0.0.1'}:${supervisorPort(node.prog)}`;
}

/** Agent: returns once the token's hash matches what the server serves (true), or when the start is stopped. */
export async function awaitAgentToken(lab: LabRuntime, node: LabNode, signal: AbortSignal, log: Log): Promise<boolean> {
  const pinned = PINNED.exec((await configuredToken(node)) ?? '')?.[1];
  if (!pinned) return true;
  for (;;) {
    const server = lab.activeControlPlane();
    if (!server) return true; // no /cacerts to compare with: the start fails further on, as before
    const served = await servedHash(lab, server);
    if (served === pinned) return true;
    log(
      'error',
      `Failed to validate connection to cluster at ${serverUrl(lab, node)}: ${tokenMismatch(pinned, served)}`,
    );
    if (!(await lab.clock.sleep(RETRY_MS, signal))) return false;
  }
}

/** Control-plane-only server that joined a peer: the fatal message when its token pins another CA, else null. */
export async function joiningServerTokenError(lab: LabRuntime, node: LabNode): Promise<string | null> {
  if (!isControlPlane(node) || hasEtcd(node) || node.joinTarget === null) return null;
  const target = lab.node(node.joinTarget);
  if (!target || target.service.state !== 'active') return null;
  const pinned = PINNED.exec((await configuredToken(node)) ?? '')?.[1];
  if (!pinned) return null;
  const served = await servedHash(lab, target);
  if (served === pinned) return null;
  return `starting kubernetes: preparing server: failed to bootstrap cluster data: failed to validate token: ${tokenMismatch(pinned, served)}`;
}

// A lab node's own loopback. Every lab node shares the host's one 127.0.0.1, but upstream's loopback-only etcd
// listeners (https://127.0.0.1:2382, http://127.0.0.1:2381, and 2379) must be reachable from that node alone. So
// they are unix sockets under the node's directory, one per port, and the node's bin/curl (node-files.ts) sends
// URLs whose host is 127.0.0.1, localhost or [::1] to them: a port with no socket is refused, as on a node where
// nothing listens there. TLS still verifies the URL's host (127.0.0.1 / localhost SANs, like upstream's certs).
import path from 'node:path';

/** The directory holding a node's loopback sockets, under the node's lab directory. */
export function nodeLoopbackDir(nodeRoot: string): string {
  return path.join(nodeRoot, 'lo');
}

/** The socket that plays 127.0.0.1:<port> on that node. */
export function loopbackSocket(loopbackDir: string, port: number): string {
  return path.join(loopbackDir, String(port));
}

/** sun_path holds 108 bytes with its NUL: a longer path would be cut silently by some callers. */
export const MAX_SOCKET_PATH = 107;

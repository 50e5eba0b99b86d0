// Listening on one of the lab's unix sockets, and closing it without waiting for clients that stay connected
// (a `journalctl -f` follower would otherwise hold the lab's shutdown forever).
import type net from 'node:net';

export interface SocketServer {
  close(): Promise<void>;
}

export async function listenOnSocket(server: net.Server, socketPath: string): Promise<SocketServer> {
  const connections = new Set<net.Socket>();
  server.on('connection', (socket: net.Socket) => {
    connections.add(socket);
    socket.on('close', () => connections.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of connections) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

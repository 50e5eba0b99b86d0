// Polls a TCP port until it accepts a connection, the deadline passes, or `stillAlive` says the owner has died.
import net from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

export type PortWait = { kind: 'open' } | { kind: 'gone'; reason: string } | { kind: 'timeout' };

export async function waitForPort(
  host: string,
  port: number,
  opts: { deadlineMs: number; stillAlive: () => string | null; intervalMs?: number },
): Promise<PortWait> {
  const until = Date.now() + opts.deadlineMs;
  for (;;) {
    const gone = opts.stillAlive();
    if (gone !== null) return { kind: 'gone', reason: gone };
    if (await canConnect(host, port)) return { kind: 'open' };
    if (Date.now() >= until) return { kind: 'timeout' };
    await delay(opts.intervalMs ?? 50);
  }
}

export function canConnect(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const finish = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

// The controller's end of DIR/lab.sock: one request per connection (JSON line), answered with stdout/stderr
// frames and an exit frame. A node command that is still running when its client disconnects is told through
// its AbortSignal (journalctl -f unsubscribes).
import net from 'node:net';
import { runNodeCommand } from './commands/index.js';
import type { CommandIO } from './commands/io.js';
import type { RpcFrame, RpcRequest } from './contract.js';
import { runFault } from './faults.js';
import { listenOnSocket, type SocketServer } from './unix-socket.js';
import type { LabRuntime } from './lab-runtime.js';

export type RpcServer = SocketServer;

export function startRpcServer(lab: LabRuntime, socketPath: string): Promise<RpcServer> {
  return listenOnSocket(
    net.createServer((socket) => serveConnection(lab, socket)),
    socketPath,
  );
}

function serveConnection(lab: LabRuntime, socket: net.Socket): void {
  const abort = new AbortController();
  let buffered = '';
  let started = false;
  socket.setEncoding('utf8');
  socket.on('close', () => abort.abort());
  socket.on('error', () => abort.abort());
  socket.on('data', (chunk: string) => {
    if (started) return;
    buffered += chunk;
    const end = buffered.indexOf('\n');
    if (end < 0) return;
    started = true;
    const send = (frame: RpcFrame) => {
      if (!socket.destroyed && socket.writable) socket.write(JSON.stringify(frame) + '\n');
    };
    const io: CommandIO = {
      stdout: (data) => data && send({ type: 'stdout', data }),
      stderr: (data) => data && send({ type: 'stderr', data }),
      signal: abort.signal,
    };
    handle(lab, buffered.slice(0, end), io)
      .catch((error: unknown) => {
        io.stderr(`lab: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
        return 70;
      })
      .then((code) => {
        send({ type: 'exit', code });
        socket.end();
      });
  });
}

/** Runs one node command and records it in the lab's record, whichever socket it came through. */
export async function execRecorded(
  lab: LabRuntime,
  request: Extract<RpcRequest, { type: 'exec' }>,
  io: CommandIO,
): Promise<number> {
  const node = lab.node(request.node);
  if (!node) {
    io.stderr(`lab: no node named ${request.node}\n`);
    return 1;
  }
  let code = 70;
  try {
    code = await runNodeCommand(request.prog, { lab, node, argv: request.argv, io, cwd: request.cwd });
    return code;
  } catch (error) {
    io.stderr(`lab: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return code;
  } finally {
    lab.record.append({ type: 'command', node: node.spec.name, prog: request.prog, argv: request.argv, code });
  }
}

async function handle(lab: LabRuntime, line: string, io: CommandIO): Promise<number> {
  const request = JSON.parse(line) as RpcRequest;
  switch (request.type) {
    case 'ping':
      return 0;
    case 'fault':
      return runFault(lab, request.name, request.node, request.args ?? [], io);
    case 'exec':
      return execRecorded(lab, request, io);
    default: {
      const unknown: never = request;
      io.stderr(`lab: unknown request ${JSON.stringify(unknown)}\n`);
      return 2;
    }
  }
}

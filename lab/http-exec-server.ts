// Node commands over HTTP on DIR/lab-http.sock, for the bin/ wrappers that use curl (see node-files.ts): a Node
// start per command cost ~70 ms of CPU, which made a scan of a large lab measure the lab rather than keyturn.
// POST /exec?node=N&prog=P with form fields arg (repeated, in order) and cwd. A finished command answers with
// X-Exit and X-Stderr (base64) headers and stdout as the body; `journalctl -f` streams its body instead, and
// ends when the client goes away.
import http from 'node:http';
import type { CommandIO } from './commands/io.js';
import type { LabRuntime } from './lab-runtime.js';
import { execRecorded } from './rpc-server.js';
import { listenOnSocket, type SocketServer } from './unix-socket.js';

/** curl refuses header lines over ~100 KB; stderr of a node command is a few lines, so this only guards. */
const MAX_STDERR_BYTES = 48 * 1024;

export type HttpExecServer = SocketServer;

export function startHttpExecServer(lab: LabRuntime, socketPath: string): Promise<HttpExecServer> {
  return listenOnSocket(
    http.createServer((req, res) => void serve(lab, req, res)),
    socketPath,
  );
}

function isFollow(prog: string, argv: string[]): boolean {
  return prog === 'journalctl' && argv.some((a) => a === '-f' || a === '--follow' || /^-[a-zA-Z]*f[a-zA-Z]*$/.test(a));
}

async function serve(lab: LabRuntime, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://lab');
  const node = url.searchParams.get('node');
  const prog = url.searchParams.get('prog');
  if (req.method !== 'POST' || url.pathname !== '/exec' || !node || !prog) {
    res.writeHead(404, { 'X-Exit': '2', 'X-Stderr': Buffer.from('lab: unknown request\n').toString('base64') }).end();
    return;
  }
  let body = '';
  req.setEncoding('utf8');
  for await (const chunk of req) body += chunk as string;
  const form = new URLSearchParams(body);
  const argv = form.getAll('arg');
  const cwd = form.get('cwd') ?? '/';

  const abort = new AbortController();
  res.on('close', () => abort.abort());
  if (isFollow(prog, argv)) {
    res.writeHead(200, { 'X-Exit': '0', 'Content-Type': 'text/plain' });
    const io: CommandIO = { stdout: (d) => void (d && res.write(d)), stderr: () => undefined, signal: abort.signal };
    await execRecorded(lab, { type: 'exec', node, prog, argv, cwd }, io);
    res.end();
    return;
  }
  const stdout: string[] = [];
  let stderr = '';
  const io: CommandIO = {
    stdout: (d) => void stdout.push(d),
    stderr: (d) => {
      if (stderr.length < MAX_STDERR_BYTES) stderr += d;
    },
    signal: abort.signal,
  };
  const code = await execRecorded(lab, { type: 'exec', node, prog, argv, cwd }, io);
  if (res.destroyed) return;
  const out = Buffer.from(stdout.join(''), 'utf8');
  res.writeHead(200, {
    'X-Exit': String(code),
    'X-Stderr': Buffer.from(stderr.slice(0, MAX_STDERR_BYTES), 'utf8').toString('base64'),
    'Content-Length': String(out.length),
    'Content-Type': 'application/octet-stream',
  });
  res.end(out);
}

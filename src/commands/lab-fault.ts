// `keyturn lab fault NAME [args...] --node N --dir D`: one RPC to the running lab, its answer printed as is.
import net from 'node:net';
import { existsSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { labPaths, type RpcFrame } from '../../lab/contract.js';
import { checkFault } from '../../lab/faults.js';

export async function runLabFault(name: string, args: string[], opts: { node?: string; dir: string }): Promise<number> {
  const refused = checkFault(name, opts.node, args);
  if (refused) throw new UsageError(refused);
  const { socket } = labPaths(opts.dir);
  if (!existsSync(socket))
    throw new UsageError(`--dir ${opts.dir}: no lab is running there — start one with keyturn lab up`);
  return new Promise((resolve, reject) => {
    const connection = net.createConnection(socket, () => {
      connection.write(JSON.stringify({ type: 'fault', name, args, ...(opts.node ? { node: opts.node } : {}) }) + '\n');
    });
    let buffered = '';
    let code: number | null = null;
    connection.setEncoding('utf8');
    connection.on('data', (chunk: string) => {
      buffered += chunk;
      for (let end = buffered.indexOf('\n'); end >= 0; end = buffered.indexOf('\n')) {
        const frame = JSON.parse(buffered.slice(0, end)) as RpcFrame;
        buffered = buffered.slice(end + 1);
        if (frame.type === 'stdout') process.stdout.write(frame.data);
        else if (frame.type === 'stderr') process.stderr.write(`keyturn: ${frame.data}`);
        else code = frame.code;
      }
    });
    connection.on('error', (error) =>
      reject(new UsageError(`--dir ${opts.dir}: the lab did not answer (${error.message})`)),
    );
    connection.on('close', () =>
      code === null ? reject(new UsageError(`--dir ${opts.dir}: the lab closed the connection`)) : resolve(code),
    );
  });
}

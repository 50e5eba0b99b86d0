// rotate-ca command results: the new join-token CA hash recorded (and printed through the log port) once the
// datastore holds the new CAs; the generated bundle's server-ca fingerprint recorded.
import type { NodeOp } from '../../recipe-schema/types.js';
import type { ExecResult } from '../../transports/types.js';
import { shJoin } from '../../util/shell-quote.js';
import { resolvePath } from '../commands.js';
import type { HandlerResult, StepContext } from '../context.js';
import { execEvidence, failed } from '../context.js';
import { explainErrorId } from '../error-id.js';

const SHA = /^[0-9a-f]{64}$/;

export function tokenCaHash(serverCaSha256: string): string {
  return `K10${serverCaSha256}`;
}

export async function caOpResult(ctx: StepContext, op: NodeOp, r: ExecResult): Promise<HandlerResult | null> {
  if (op.op !== 'rotate-ca' && op.op !== 'generate-ca') return null;
  if (r.outcome !== 'ok') {
    if (op.op !== 'rotate-ca') return null;
    const cause = await explainErrorId(ctx, r);
    if (!cause) return null;
    const evidence = [`${ctx.node.name} journal: ${cause}`, ...execEvidence(ctx, r)];
    return failed(ctx, {
      check: 'rotate-ca',
      message: `\`${r.script}\` refused on ${ctx.node.name}: ${cause}`,
      command: r.script,
      exitCode: r.code,
      evidence,
      fix: 'the bundle must chain to the current CA (cross-signed), hold more than one certificate per CA, match its keys, and keep the old service.key: regenerate it (delete the rotate-ca directory on the node) and `keyturn resume`',
    });
  }
  const dir = resolvePath(op.path, ctx.node);
  let sha = /server-ca-sha256=([0-9a-f]{64})/.exec(r.stdout)?.[1];
  if (!sha) {
    const s = await ctx.exec(ctx.node, `${shJoin(['sha256sum', `${dir}/tls/server-ca.crt`])} | cut -d ' ' -f 1`, 30);
    sha = SHA.test(s.stdout.trim()) ? s.stdout.trim() : undefined;
  }
  const tokenHash = sha ? tokenCaHash(sha) : undefined;
  if (op.op === 'rotate-ca' && tokenHash) {
    ctx.ports.log.emit({ type: 'line', node: ctx.node.name, line: `[keyturn] new join-token CA hash: ${tokenHash} (tokens become ${tokenHash}::<role>:<secret>)`, stream: 'stdout' });
  }
  const summary = op.op === 'rotate-ca' ? `certificates saved to datastore; new join-token CA hash ${tokenHash ?? '(unread)'}` : `bundle in ${dir}, new server-ca sha256 ${sha ?? '(unread)'}`;
  // The token hash changes when the upload is done, not when the bundle is generated.
  return { status: 'done', summary, execs: ctx.execs, data: { ca: { serverCa: sha, tokenHash: op.op === 'rotate-ca' ? tokenHash : undefined } } };
}

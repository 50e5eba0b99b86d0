// rotate-ca command results: the generated bundle's server-ca fingerprint, and the join-token CA hashes before and
// after, computed with upstream's hashCA rule (src/model/token-ca-hash.ts) from the public server-ca.crt files
// read on the node (with the node's own sha256sum for the single-certificate case, which hashes file bytes).
// The new hash is printed through the log port once the datastore holds the new CAs.
import type { NodeOp } from '../../recipe-schema/types.js';
import type { ExecResult } from '../../transports/types.js';
import { shq } from '../../util/shell-quote.js';
import { tokenCaHash } from '../../model/token-ca-hash.js';
import { resolvePath } from '../commands.js';
import type { HandlerResult, StepContext } from '../context.js';
import { execEvidence, failed } from '../context.js';
import { explainErrorId } from '../error-id.js';

const HEADER = /^==> (\S+) ([0-9a-f]{64})$/;
/**
 * Nodes check the hash after the upload and restarts, not now: a freshly signed certificate starts its validity at
 * the second the node's openssl signed it, and this workstation's clock may be behind the node's.
 */
const CHECKED_LATER_MS = 10 * 60_000;

/** Prints, per existing file, `==> path sha256` then its text (certificates only: public). */
export function renderReadCaFiles(files: readonly string[]): string {
  return `for f in ${files.map(shq).join(' ')}; do if [ -f "$f" ]; then printf '==> %s %s\\n' "$f" "$(sha256sum < "$f" | cut -d ' ' -f 1)"; cat "$f"; echo; fi; done`;
}

/** path → { sha256 of the file, its text } from renderReadCaFiles output. */
export function parseCaFiles(stdout: string): Map<string, { sha256: string; text: string }> {
  const out = new Map<string, { sha256: string; text: string }>();
  let current: { path: string; sha256: string; lines: string[] } | null = null;
  const flush = () => current && out.set(current.path, { sha256: current.sha256, text: current.lines.join('\n') });
  for (const line of stdout.split('\n')) {
    const m = HEADER.exec(line);
    if (m) {
      flush();
      current = { path: m[1], sha256: m[2], lines: [] };
    } else current?.lines.push(line);
  }
  flush();
  return out;
}

/** `K10<hashCA>` of a server-ca.crt read on the node, or undefined when unread or unparsable. */
function k10(file: { sha256: string; text: string } | undefined, nowMs: number): string | undefined {
  if (!file) return undefined;
  try {
    return `K10${tokenCaHash(file.text, new Date(nowMs + CHECKED_LATER_MS), file.sha256).hash}`;
  } catch {
    return undefined;
  }
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
  const bundleCa = `${dir}/tls/server-ca.crt`;
  const currentCa = `${ctx.node.dataDir}/server/tls/server-ca.crt`;
  const read = await ctx.exec(
    ctx.node,
    renderReadCaFiles(op.op === 'generate-ca' ? [currentCa, bundleCa] : [bundleCa]),
    30,
  );
  const files = read.outcome === 'ok' ? parseCaFiles(read.stdout) : new Map<string, { sha256: string; text: string }>();
  const sha = files.get(bundleCa)?.sha256 ?? /server-ca-sha256=([0-9a-f]{64})/.exec(r.stdout)?.[1];
  const now = ctx.ports.clock.now();
  const tokenHash = k10(files.get(bundleCa), now);
  if (op.op === 'generate-ca') {
    const oldTokenHash = k10(files.get(currentCa), now);
    const summary = `bundle in ${dir}, new server-ca sha256 ${sha ?? '(unread)'}; join-token CA hash ${oldTokenHash ?? '(unread)'} → ${tokenHash ?? '(unread)'}`;
    const tokenHashes = oldTokenHash && tokenHash ? { old: oldTokenHash, new: tokenHash } : undefined;
    return { status: 'done', summary, execs: ctx.execs, data: { ca: { serverCa: sha, tokenHashes } } };
  }
  // The token hash changes when the upload is done, not when the bundle is generated.
  if (tokenHash) {
    ctx.ports.log.emit({
      type: 'line',
      node: ctx.node.name,
      line: `[keyturn] new join-token CA hash: ${tokenHash} (tokens become ${tokenHash}::<user>:<password>)`,
      stream: 'stdout',
    });
  }
  const summary = `certificates saved to datastore; new join-token CA hash ${tokenHash ?? '(unread)'}`;
  return { status: 'done', summary, execs: ctx.execs, data: { ca: { serverCa: sha, tokenHash } } };
}

// Secure join tokens across rotate-ca. Upstream pins the cluster CA in the token (`K10<hashCA(server-ca)>::…`):
// after the root changes, an agent with the old hash logs "token CA hash does not match the Cluster CA
// certificate hash" every 2 s and never comes up (k3s pkg/agent/run.go createProxyAndValidateToken), and a
// control-plane-only server that joined with `server:` exits fatally on every start (pkg/cluster/bootstrap.go
// shouldBootstrapLoad). The docs: every node joined with a secure token must be reconfigured before it restarts.
// So the run (1) lists, before changing anything, which nodes carry such a token and refuses what keyturn cannot
// move, and (2) moves each node's tokens to the new hash just before that node restarts.
// server/token and server/node-token are rewritten by every server start (pkg/server/server.go printTokens).
import type { ExecResult } from '../../transports/types.js';
import type { GateCheckResult } from '../events.js';
import type { FailedResult, HandlerResult, StepContext } from '../context.js';
import { execEvidence, failed } from '../context.js';
import { NEW_HASH_MARK, OLD_HASH_MARK, parseTokenReport, renderTokenScan, type TokenFinding } from './token-script.js';

export interface TokenHashes {
  /** 64 hex, without K10. */
  old: string;
  new: string;
}

const HEX64 = /^[0-9a-f]{64}$/;
const SCAN_BATCH = 16;
const short = (hash: string) => `K10${hash.slice(0, 12)}…`;

/** The hashes the run's generate-ca step recorded (its data.ca), or null before it finished. */
export function recordedTokenHashes(ctx: StepContext): TokenHashes | null {
  for (const b of ctx.plan.blocks) {
    for (const s of b.steps) {
      if (s.step.kind !== 'command' || s.step.run.op !== 'generate-ca') continue;
      const r = ctx.state.steps[s.key]?.result;
      const ca = r?.status === 'done' ? r.data?.ca : undefined;
      const old = ca?.tokenHashes?.old.replace(/^K10/, '');
      const next = ca?.tokenHashes?.new.replace(/^K10/, '');
      if (old && next && HEX64.test(old) && HEX64.test(next)) return { old, new: next };
    }
  }
  return null;
}

const NO_HASHES = 'this run recorded no token CA hashes (the generate step did not finish?)';

/** The update-token command with the recorded hashes in place of the plan's marks. */
export function fillTokenHashes(ctx: StepContext, command: string): string | FailedResult {
  const h = recordedTokenHashes(ctx);
  if (!h)
    return failed(ctx, {
      check: 'join-tokens',
      message: NO_HASHES,
      command,
      exitCode: null,
      evidence: [],
      fix: 'resume the run: the generate step runs first and records them',
    });
  return command.replaceAll(OLD_HASH_MARK, h.old).replaceAll(NEW_HASH_MARK, h.new);
}

function describe(node: string, t: TokenFinding, h: TokenHashes): string {
  const which = t.hash === h.old ? 'current CA' : t.hash === h.new ? 'new CA' : 'unknown CA';
  return t.kind === 'unit'
    ? `${node}: unit ${t.where} ExecStart: ${short(t.hash)} (${which})`
    : `${node}: ${t.where} ${t.key}: ${short(t.hash)} (${which})`;
}

/** Gate before the upload: every node's secure tokens can be moved by keyturn, and the list of those that will. */
export async function checkJoinTokens(ctx: StepContext): Promise<GateCheckResult> {
  const check = 'join-tokens';
  const h = recordedTokenHashes(ctx);
  if (!h) return { check, status: 'fail', detail: NO_HASHES };
  const evidence: string[] = [`current CA: K10${h.old}`, `new CA:     K10${h.new}`];
  const toMove: string[] = [];
  // Read-only scans, a bounded number at a time; judged in plan order.
  const scans: Promise<ExecResult>[] = [];
  for (let i = 0; i < ctx.plan.nodes.length; i += SCAN_BATCH) {
    const batch = ctx.plan.nodes.slice(i, i + SCAN_BATCH).map((n) => ctx.exec(n, renderTokenScan(n), 60));
    await Promise.all(batch);
    scans.push(...batch);
  }
  for (const [i, n] of ctx.plan.nodes.entries()) {
    const r = await scans[i];
    if (r.outcome !== 'ok')
      return {
        check,
        status: 'fail',
        node: n.name,
        detail: `cannot list the join tokens on ${n.name}: ${r.outcome} ${r.stderr.trim()}`.trim(),
        evidence,
      };
    const found = parseTokenReport(r.stdout);
    evidence.push(...found.tokens.map((t) => describe(n.name, t, h)));
    if (found.unreadable.length > 0) {
      return {
        check,
        status: 'fail',
        node: n.name,
        detail: `${n.name}: cannot read ${found.unreadable.join(', ')} (where upstream reads the join token): give keyturn's user read access (inventory sudo: true)`,
        evidence,
      };
    }
    const unit = found.tokens.find((t) => t.kind === 'unit');
    if (unit) {
      return {
        check,
        status: 'fail',
        node: n.name,
        detail: `${n.name}: the ExecStart of ${unit.where} passes a secure token (${short(unit.hash)}); keyturn does not edit unit files. Move it to token: in /etc/rancher/${n.distro}/config.yaml (then systemctl daemon-reload) so the run can move it to the new CA hash, or after the servers restart change it by hand to K10${h.new}::… before restarting ${n.name}`,
        evidence,
      };
    }
    const stale = found.tokens.find((t) => t.hash !== h.old && t.hash !== h.new);
    if (stale) {
      return {
        check,
        status: 'fail',
        node: n.name,
        detail: `${n.name}: ${stale.key} in ${stale.where} pins CA hash ${short(stale.hash)}, neither the current CA's nor the new one's: ${n.name} would not rejoin after any restart. Set the hash after K10 to ${h.old} (the current CA), then \`keyturn resume\`; the run moves it to the new one before ${n.name} restarts`,
        evidence,
      };
    }
    if (found.tokens.some((t) => t.hash === h.old)) toMove.push(n.name);
  }
  const detail =
    toMove.length === 0
      ? 'no node carries a secure join token with the current CA hash: nothing to move'
      : `${toMove.length} node(s) carry a secure join token with the current CA hash, moved to K10${h.new.slice(0, 12)}… just before each restarts: ${toMove.join(', ')}`;
  return { check, status: 'pass', detail, evidence };
}

/** What the update-token step did on its node; null for the generic handling (a failure to run at all). */
export function tokenUpdateResult(
  ctx: StepContext,
  r: { outcome: string; code: number | null; stdout: string; stderr: string; script: string },
): HandlerResult | null {
  const h = recordedTokenHashes(ctx);
  const found = parseTokenReport(r.stdout);
  const ev = h ? found.tokens.map((t) => describe(ctx.node.name, t, h)) : [];
  if (r.outcome === 'exit' && r.code === 3 && h) {
    return failed(ctx, {
      check: 'join-tokens',
      message: `${ctx.node.name}: the ExecStart of ${ctx.node.unit} passes a token with the old CA hash: it would not rejoin after the restart`,
      command: r.script,
      exitCode: r.code,
      evidence: [...ev, ...execEvidence(ctx, null)],
      fix: `on ${ctx.node.name}, change the hash after K10 in ExecStart of ${ctx.node.unit} to ${h.new} (systemctl edit --full ${ctx.node.unit}; systemctl daemon-reload), then \`keyturn resume\``,
    });
  }
  if (r.outcome !== 'ok' || !h) return null;
  const left = found.tokens.filter((t) => t.hash !== h.new);
  if (left.length > 0) {
    const t = left[0];
    return failed(ctx, {
      check: 'join-tokens',
      message: `${ctx.node.name}: ${t.key} in ${t.where} still pins ${short(t.hash)} after the update`,
      command: r.script,
      exitCode: r.code,
      evidence: ev,
      fix: `on ${ctx.node.name}, set the hash after K10 in ${t.key} (${t.where}) to ${h.new}, keeping the part after :: as it is, then \`keyturn resume\``,
    });
  }
  const files = found.updated.map((u) => u.file);
  const summary =
    files.length === 0
      ? 'no secure join token with the old CA hash on this node'
      : `join token moved to K10${h.new.slice(0, 12)}… in ${files.join(', ')} (backups ${found.updated.map((u) => u.backup).join(', ')})`;
  return {
    status: 'done',
    summary,
    execs: ctx.execs,
    data: { ca: { tokenFiles: files }, backups: found.updated.map((u) => u.backup) },
  };
}

// How each NodeOp becomes exact shell text on a node, and how an interrupted op is checked before it runs
// again (design.md habit 9). Every value is quoted with shq; globs stay outside the quotes on purpose.
import { assertNever } from '../model/cluster.js';
import type { BackupTarget, NodeOp } from '../recipe-schema/types.js';
import { shJoin, shq } from '../util/shell-quote.js';
import { dataDirArgs } from './data-dir-flag.js';
import type { PlannedNode } from './plan-types.js';
import { renderGenerateCa } from './ca/script.js';
import { renderTokenUpdate } from './ca/token-script.js';
import { parseStatusJson } from '../model/secrets-encrypt-status.js';
import { rotateKeysTookEffect, statusCommand } from './encryption/status.js';
import { renderKillall, stopLeavesPodsRunning } from './killall.js';

export type CheckVerdict = 'done' | 'not-done';

export function resolvePath(path: string, node: PlannedNode): string {
  return path.startsWith('<data-dir>/') ? `${node.dataDir}/${path.slice('<data-dir>/'.length)}` : path;
}

export function renderOp(op: NodeOp, node: PlannedNode): string {
  const prog = node.distro;
  switch (op.op) {
    case 'service':
      return op.action === 'start' && op.noBlock
        ? shJoin(['systemctl', 'start', '--no-block', node.unit])
        : shJoin(['systemctl', op.action, node.unit]);
    case 'reset-failed':
      return `${shJoin(['systemctl', 'reset-failed', node.unit])} || true`;
    case 'certificate-rotate':
      return shJoin([prog, 'certificate', 'rotate', ...dataDirArgs(node)]);
    case 'killall':
      return renderKillall(node);
    case 'rotate-ca':
      return shJoin([
        prog,
        'certificate',
        'rotate-ca',
        ...dataDirArgs(node),
        '--path',
        resolvePath(op.path, node),
        ...(op.force ? ['--force'] : []),
      ]);
    case 'secrets-encrypt':
      return shJoin([prog, 'secrets-encrypt', op.action, ...dataDirArgs(node), ...(op.force ? ['--force'] : [])]);
    case 'etcd-snapshot':
      return shJoin([prog, 'etcd-snapshot', 'save', ...dataDirArgs(node), '--name', op.name]);
    case 'generate-ca':
      return renderGenerateCa(node, resolvePath(op.path, node));
    case 'update-token':
      return renderTokenUpdate(node);
    default:
      return assertNever(op);
  }
}

/** Ops that can lose data whatever the recipe says: the operator types the node name. */
export function opDestructive(op: NodeOp, node: PlannedNode): boolean {
  return op.op === 'killall' && stopLeavesPodsRunning(node);
}

/** Where `<prog> certificate rotate` leaves its tls-<unix-ts> backups on this node. */
export function rotateBackupParent(node: PlannedNode): string {
  return `${node.dataDir}/${node.server ? 'server' : 'agent'}`;
}

/** The command that tells whether an interrupted op already took effect; null: re-running it is safe. */
export function renderCheck(op: NodeOp, node: PlannedNode): string | null {
  switch (op.op) {
    case 'service':
      return op.action === 'restart'
        ? shJoin(['systemctl', 'show', '-p', 'ActiveState,ActiveEnterTimestamp', node.unit])
        : `${shJoin(['systemctl', 'is-active', node.unit])} || true`;
    case 'certificate-rotate':
      return `ls -1d ${shq(rotateBackupParent(node))}/tls-* 2>/dev/null || true`;
    case 'secrets-encrypt': // the answering server's stage tells whether the request took effect
      return `${statusCommand(node)} || true`;
    case 'reset-failed':
    case 'killall': // stopping what is already stopped is harmless
    case 'rotate-ca': // uploading the same bundle again is accepted
    case 'generate-ca': // the script keeps a complete bundle and redoes a partial one
    case 'etcd-snapshot': // one more snapshot is harmless
    case 'update-token': // moves only the old hash: a second run finds nothing left to move
      return null;
    default:
      return assertNever(op);
  }
}

/** Reads a check's output. startedAtMs is when the interrupted attempt started (the journal's clock). */
export function interpretCheck(op: NodeOp, stdout: string, startedAtMs: number): CheckVerdict {
  const out = stdout.trim();
  switch (op.op) {
    case 'service': {
      if (op.action === 'stop') return ['inactive', 'failed', 'unknown'].includes(out) ? 'done' : 'not-done';
      if (op.action === 'start')
        return out === 'active' || (op.noBlock === true && out === 'activating') ? 'done' : 'not-done';
      const props = parseProperties(out);
      const entered = parseSystemdTime(props.ActiveEnterTimestamp ?? '');
      return props.ActiveState === 'active' && entered !== null && entered >= startedAtMs - 5000 ? 'done' : 'not-done';
    }
    case 'certificate-rotate': {
      const since = Math.floor(startedAtMs / 1000) - 60;
      const fresh = out.split('\n').some((line) => {
        const m = /\/tls-(\d+)$/.exec(line.trim());
        return m !== null && Number(m[1]) >= since;
      });
      return fresh ? 'done' : 'not-done';
    }
    case 'secrets-encrypt': {
      const status = parseStatusJson(out);
      // rotate-keys cannot be sent twice (refused while hashes differ, no --force): its own rule.
      if (op.action === 'rotate-keys') return rotateKeysTookEffect(status, startedAtMs) ? 'done' : 'not-done';
      const after: Record<Exclude<typeof op.action, 'rotate-keys'>, string[]> = {
        prepare: ['prepare'],
        rotate: ['rotate'],
        reencrypt: ['reencrypt_active', 'reencrypt_finished'],
      };
      return after[op.action].includes(status?.stage ?? '') ? 'done' : 'not-done';
    }
    case 'reset-failed':
    case 'killall':
    case 'rotate-ca':
    case 'generate-ca':
    case 'etcd-snapshot':
    case 'update-token':
      return 'not-done';
    default:
      return assertNever(op);
  }
}

/** `systemctl show` output: Key=Value per line. */
export function parseProperties(text: string): Record<string, string> {
  const props: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) props[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  return props;
}

/** systemd timestamps look like "Tue 2025-05-06 12:00:00 UTC"; null when empty or unreadable. */
export function parseSystemdTime(value: string): number | null {
  const m = /(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?: (\S+))?/.exec(value);
  if (!m) return null;
  const zone = m[3] === undefined || m[3] === 'UTC' ? 'Z' : '';
  const t = Date.parse(`${m[1]}T${m[2]}${zone}`);
  return Number.isNaN(t) ? null : t;
}

export function showUnitCommand(node: PlannedNode): string {
  return shJoin(['systemctl', 'show', '-p', 'ActiveState,SubState,NRestarts', node.unit]);
}

export function followJournalCommand(node: PlannedNode): string {
  return shJoin(['journalctl', '-u', node.unit, '-f', '-n', '0', '--no-pager']);
}

export interface BackupPlan {
  target: BackupTarget;
  source: string;
  dest: string;
}

export function backupPlans(targets: readonly BackupTarget[], node: PlannedNode, runId: string): BackupPlan[] {
  const d = node.dataDir;
  return targets
    .filter((t) => t === 'agent-certs' || node.server) // agents have no server/tls or server/cred
    .map((target): BackupPlan => {
      switch (target) {
        case 'tls':
          return { target, source: `${d}/server/tls`, dest: `${d}/server/tls.keyturn-${runId}` };
        case 'cred':
          return { target, source: `${d}/server/cred`, dest: `${d}/server/cred.keyturn-${runId}` };
        case 'agent-certs':
          return { target, source: `${d}/agent`, dest: `${d}/agent/certs.keyturn-${runId}` };
        default:
          return assertNever(target);
      }
    });
}

/** Copies aside once: into DEST.partial, then renamed, so a copy cut short is redone, never mistaken as done. */
export function renderBackup(plans: readonly BackupPlan[]): string {
  const lines = ['umask 077'];
  for (const p of plans) {
    const dest = shq(p.dest);
    const part = shq(`${p.dest}.partial`);
    const copy =
      p.target === 'agent-certs'
        ? `cp -p ${shq(p.source)}/*.crt ${shq(p.source)}/*.key ${part}/`
        : `cp -a ${shq(p.source)}/. ${part}/`;
    lines.push(`if [ ! -d ${dest} ]; then rm -rf ${part} && mkdir -p ${part} && ${copy} && mv ${part} ${dest}; fi`);
  }
  return lines.join('\n');
}

/** Prints each existing file as "==> path", its exact text, then a newline (so the next header starts a line). */
export function renderReadFiles(node: PlannedNode, relPaths: readonly string[]): string {
  const list = relPaths.map(shq).join(' ');
  return `cd ${shq(node.dataDir)} && for f in ${list}; do if [ -f "$f" ]; then printf '==> %s\\n' "$f"; cat "$f"; echo; fi; done`;
}

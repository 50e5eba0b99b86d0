// Journal signatures that mean something (the list: model/journal-signatures.ts), each turned into a Diagnosis that names the
// evidence line and the recipe that fixes it. Pure: journal lines and a little context in, diagnoses out.
import type { Role } from '../model/cluster.js';
import type { Diagnosis } from '../model/status.js';
import { serviceCondition } from '../model/service-state.js';
import type { UnitState } from './parse-systemctl.js';
import { agentWaitingForServer } from './agent-waiting.js';
import { isJoinFailure, tlsBadCertificate } from './diagnose-tls.js';
import { clip } from '../util/clip.js';
import { JOURNAL_SIGNATURES, SIGNATURE_CODES, type SignatureCode } from '../model/journal-signatures.js';
import { logMessage, type JournalLine, type LogLevel } from './parse-journal.js';

export type DiagnosisCode =
  | 'etcd-handshake'
  | 'cert-expired'
  | 'cert-not-yet-valid'
  | 'etcd-unhealthy-join'
  | 'tls-bad-certificate'
  | 'newer-than-datastore'
  | 'secrets-encrypt-error'
  | 'certificate-error'
  | 'encryption-annotation-invalid'
  | 'token-ca-hash-mismatch'
  | 'key-missing'
  | 'restart-loop'
  | 'agent-waiting-for-server';

type SignatureDiagnosis = (line: JournalLine, roles: readonly Role[]) => Diagnosis;

/** What each signature of model/journal-signatures.ts means here: the message and the recipe that fixes it. */
const SIGNATURE_DIAGNOSES: Record<SignatureCode, SignatureDiagnosis> = {
  'etcd-handshake': (l, roles) => ({
    code: 'etcd-handshake',
    message:
      roles.includes('control-plane') && !roles.includes('etcd')
        ? 'this control-plane server cannot reach etcd or etcd rejects its certificates — the split-role restart loop after a parallel or out-of-order rotation'
        : "etcd is unreachable or rejects this server's certificates (TLS handshake to etcd failed)",
    evidence: l.raw,
    recipe: 'recover-restart-loop',
  }),
  'cert-not-yet-valid': (l) => ({
    code: 'cert-not-yet-valid',
    message: `a certificate is not yet valid here: this node's clock is behind the issuer's (${timeClause(l)}) — fix the clock (NTP), do not renew`,
    evidence: l.raw,
    recipe: null,
  }),
  'cert-expired': (l) => {
    const when = timeClause(l);
    return {
      code: 'cert-expired',
      message: `a certificate presented to or by this node has expired${when ? ` (${when})` : ''}; a node down past expiry recovers by restarting servers (etcd first), then agents`,
      evidence: l.raw,
      recipe: 'renew-expired-certs',
    };
  },
  'etcd-unhealthy-join': (l) => ({
    code: 'etcd-unhealthy-join',
    message: 'etcd refused a member change because the cluster is unhealthy (a member is down or cannot be reached)',
    evidence: l.raw,
    recipe: 'recover-restart-loop',
  }),
  'key-missing': (l) => {
    const path = /open (\S+\.key): no such file or directory/.exec(l.raw)?.[1] ?? 'a private key';
    return {
      code: 'key-missing',
      message: `${path} is missing (an interrupted certificate rotate? rke2#2683): restore it from the tls backup whose certificate matches (see the certificates check), do not rotate again`,
      evidence: l.raw,
      recipe: null,
    };
  },
  'encryption-annotation-invalid': (l) => {
    const m = /invalid annotation (.*?) found on node (\S+?)["\s]|missing annotation on node (\S+?)["\s]/.exec(
      `${l.raw} `,
    );
    const node = m?.[2] ?? m?.[3] ?? 'a control-plane server';
    const what = m?.[3]
      ? 'has no encryption-config-hash annotation'
      : `has an encryption-config-hash annotation that is not <stage>-<hash> (${JSON.stringify(m?.[1] ?? '')})`;
    return {
      code: 'encryption-annotation-invalid',
      message: `${node} ${what}: secrets-encrypt status and every stage command fail with a server error until it is fixed; a restart of ${node} writes it again from its encryption-state.json (compare that file's stage with the other servers' first)`,
      evidence: l.raw,
      recipe: null,
    };
  },
  'token-ca-hash-mismatch': (l) => {
    const m = /certificate hash: ([0-9a-f]+) != ([0-9a-f]+)/.exec(l.raw);
    const hashes = m ? ` (token ${m[1].slice(0, 16)}…, servers' CA ${m[2].slice(0, 16)}…)` : '';
    return {
      code: 'token-ca-hash-mismatch',
      message: `this node's join token pins a CA hash the servers' CA no longer has${hashes}: after a rotate-ca its secure token (K10<hash>::…, in config.yaml or config.yaml.d, a token file, or the unit's env file) must move to the new hash — keyturn's rotate-ca moves each node's token before restarting it; by hand, replace the K10<hash> part with the one in a server's <data-dir>/server/token, then restart this node`,
      evidence: l.raw,
      recipe: null,
    };
  },
  'newer-than-datastore': (l) => ({
    code: 'newer-than-datastore',
    message: 'bootstrap files on disk are newer than the datastore copy — a restart loop after a rotation step',
    evidence: l.raw,
    recipe: 'recover-restart-loop',
  }),
  // Which listener and which way first, then what to compare; never "stop every server" (diagnose-tls.ts).
  'tls-bad-certificate': (l) => tlsBadCertificate(l),
};

function timeClause(line: JournalLine): string {
  const m = /current time (\S+) is (after|before) (\S+?)[,"\]]/.exec(line.raw);
  return m ? `current time ${m[1]} is ${m[2]} ${m[3]}` : '';
}

const LEVEL_RANK: Record<LogLevel, number> = { fatal: 5, error: 4, warning: 3, info: 2, debug: 1, unknown: 0 };

/** For each code, the most severe matching line (the latest among equals). */
function pickEvidence(lines: readonly JournalLine[], test: (t: string) => boolean): JournalLine | undefined {
  let best: JournalLine | undefined;
  for (const line of lines) {
    if (!test(line.raw)) continue;
    if (!best || LEVEL_RANK[line.level] >= LEVEL_RANK[best.level]) best = line;
  }
  return best;
}

/**
 * "see server log for details: ... error ID 64661" hides the cause; the server's journal has the line
 * "secret-encrypt error ID 64661: <cause>". Returns that explaining line, if present.
 */
export function explainErrorId(lines: readonly JournalLine[], id: string): JournalLine | undefined {
  const explains = new RegExp(`error ID ${id}:`);
  return lines.find((l) => explains.test(l.raw));
}

function errorIdDiagnoses(lines: readonly JournalLine[]): Diagnosis[] {
  const out = new Map<string, Diagnosis>();
  for (const line of lines) {
    const m = /\b(secrets?-encrypt|certificate) error ID (\d+)/.exec(line.raw);
    if (!m || out.has(m[2])) continue;
    const explained = explainErrorId(lines, m[2]) ?? line;
    const cause = /error ID \d+:\s*(.*)$/.exec(logMessage(explained))?.[1]?.replace(/"\s*$/, '').trim();
    const secrets = m[1].startsWith('secret');
    out.set(m[2], {
      code: secrets ? 'secrets-encrypt-error' : 'certificate-error',
      message: `${secrets ? 'secrets-encrypt' : 'certificate'} error ID ${m[2]}: ${cause || 'cause not in the journal lines read (see the full server log)'}`,
      evidence: explained.raw,
      recipe: null,
    });
  }
  return [...out.values()];
}

export interface DiagnoseContext {
  roles: readonly Role[];
  unit: UnitState | null;
}

/**
 * A restart loop is what systemd shows (Restart=always, RestartSec=5s): activating/auto-restart between crashes, or
 * not active with NRestarts > 0 (model/service-state.ts). A Type=notify server in activating/start with no restarts
 * is starting, which can take minutes: not a loop. The evidence is the last fatal line, which killed the process.
 */
function restartLoop(lines: readonly JournalLine[], unit: UnitState | null): Diagnosis | null {
  if (!unit) return null;
  if (
    serviceCondition({ state: unit.activeState, subState: unit.subState, restarts: unit.restarts }) !== 'restart-loop'
  )
    return null;
  const fatal =
    [...lines].reverse().find((l) => l.level === 'fatal') ?? [...lines].reverse().find((l) => l.level === 'error');
  const state = `${unit.activeState}${unit.subState ? `/${unit.subState}` : ''}, ${unit.restarts} restarts`;
  // A node that dies joining the supervisor (its token or CA does not match the servers') is fixed on that node:
  // stopping every server (recover-restart-loop) would take the healthy ones down for nothing.
  if (fatal && isJoinFailure(fatal)) {
    return {
      code: 'restart-loop',
      message: `the service is in a restart loop (${state}) because it cannot join the supervisor: ${clip(logMessage(fatal), 300)} — fix this node's token or CA (compare its server-ca.crt with a server's, ca-consistency); the other servers need not stop`,
      evidence: fatal.raw,
      recipe: null,
    };
  }
  return {
    code: 'restart-loop',
    message: `the service is in a restart loop (${state})${fatal ? `: ${clip(logMessage(fatal), 300)}` : ''}`,
    evidence: fatal?.raw ?? '',
    recipe: 'recover-restart-loop',
  };
}

export function diagnose(lines: readonly JournalLine[], context: DiagnoseContext): Diagnosis[] {
  const found: Diagnosis[] = [];
  // An agent retrying its server in-process is not a restart loop (agent-waiting.ts).
  const waiting = agentWaitingForServer(lines, context.roles, context.unit);
  const loop = waiting ? null : restartLoop(lines, context.unit);
  if (waiting) found.push(waiting);
  if (loop) found.push(loop);
  let sawNotYetValid = false;
  for (const code of SIGNATURE_CODES) {
    // "is before" lines also match the expired signature's text; report them once, as clock skew.
    const test =
      code === 'cert-expired' && sawNotYetValid
        ? (t: string) => JOURNAL_SIGNATURES[code](t) && !/ is before /.test(t)
        : JOURNAL_SIGNATURES[code];
    const line = pickEvidence(lines, test);
    if (!line) continue;
    if (code === 'cert-not-yet-valid') sawNotYetValid = true;
    found.push(SIGNATURE_DIAGNOSES[code](line, context.roles));
  }
  found.push(...errorIdDiagnoses(lines));
  return found;
}

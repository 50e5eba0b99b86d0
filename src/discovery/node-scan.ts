// Scans one node in one round trip (scan-script.ts) and reads the sections into plain values.
import type { CertificateInfo, Diagnosis, EncryptionInfo } from '../model/status.js';
import type { ExecResult, NodeShell } from '../transports/types.js';
import { certFilesFor } from '../model/cert-files.js';
import { isServer } from '../model/cluster.js';
import { diagnose } from './diagnose.js';
import { missingKeyDiagnoses } from './diagnose-keys.js';
import { readEtcdProbe, type EtcdProbe } from './etcd-local-probe.js';
import { parseJournal, type JournalLine } from './parse-journal.js';
import { parseEncryptionState, parseSha256sum } from './parse-secrets-encrypt.js';
import { parseSystemctlShow, type UnitState } from './parse-systemctl.js';
import { parsePemCertificate } from './pem.js';
import { buildScanScript, newMarker, type ScanPlan } from './scan-script.js';
import { sectionBody, splitSections, type ScanSection } from '../util/sections.js';

export type { EtcdProbe, Probe } from './etcd-local-probe.js';

export interface CertProblem {
  path: string;
  detail: string;
}

/** A private key absent beside its certificate, and the backups on the node that hold one (never their contents). */
export interface MissingKey {
  /** Key path relative to the data dir, e.g. server/tls/etcd/client.key. */
  path: string;
  /** Backup directories (relative to the data dir) holding this key; `pairs`: their certificate equals the current. */
  backups: { dir: string; pairs: boolean }[];
}

export type NodeScan =
  | {
      reached: true;
      dataDir: string;
      certificates: CertificateInfo[];
      /** Expected files that are absent, directories, or not certificates. */
      certProblems: CertProblem[];
      /** Private keys missing beside their certificates (e.g. after an interrupted rotate, rke2#2683). */
      missingKeys: MissingKey[];
      encryption: EncryptionInfo | null;
      encryptionProblem: string | null;
      unit: UnitState | null;
      /** The unit the node runs (k3s units may carry an INSTALL_K3S_NAME); null when the scan did not say. */
      unitName: string | null;
      /** Why the unit state could not be read (systemctl's own words). */
      unitProblem: string | null;
      journal: JournalLine[];
      etcd: EtcdProbe | null;
      diagnoses: Diagnosis[];
    }
  | { reached: false; failure: string };

export interface ScanOptions {
  now: Date;
  renewWindowDays: number;
  timeoutMs?: number;
  describeFailure?: (result: ExecResult) => string;
}

const DEFAULT_SCAN_TIMEOUT_MS = 30_000;

/** A failed run in one line when no describer was given: the outcome and the last stderr line. */
export function fallbackFailure(result: ExecResult): string {
  const tail = result.stderr.trim().split('\n').slice(-1)[0] ?? '';
  return `${result.outcome}${result.code !== null ? ` (exit ${result.code})` : ''}${tail ? `: ${tail}` : ''}`;
}

/** The raw answer of one node's scan: what came back, before it is read into values (readScan does that). */
export interface ScanFetch {
  result: ExecResult | undefined;
  sections: ScanSection[];
}

/** One round trip: runs the scan script on the node and splits its output into sections. */
export async function fetchScan(
  shell: NodeShell,
  plan: Omit<ScanPlan, 'marker'>,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<ScanFetch> {
  let result: ExecResult | undefined;
  let sections: ScanSection[] = [];
  // A scan whose output stops before its "end" section lost output on the way (a transport that stopped reading
  // early, under heavy load): it is read once more rather than reported as a half-empty node.
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const marker = newMarker();
    result = await shell.run(buildScanScript({ ...plan, marker }), {
      timeoutMs: options.timeoutMs ?? DEFAULT_SCAN_TIMEOUT_MS,
      signal: options.signal,
      // One read per node: over ssh no master is opened for it (a warm one is still used).
      oneShot: true,
    });
    sections = splitSections(result.stdout, marker);
    if (!sectionBody(sections, 'begin') || sectionBody(sections, 'end')) break;
  }
  return { result, sections };
}

/** Reads a fetched scan with the options known once the API has answered (the node's version sets the window). */
export function interpretScan(
  { result, sections }: ScanFetch,
  plan: Omit<ScanPlan, 'marker'>,
  options: ScanOptions,
): NodeScan {
  // Reached = our script ran on the node, whatever individual commands did.
  if (!result || !sectionBody(sections, 'begin')) {
    if (result?.outcome === 'ok') {
      // The script ran and exited 0, yet its first section is not in the output: say that, not "succeeded".
      return {
        reached: false,
        failure: `node ${result.node}: the scan ran but its output could not be read (${result.stdout.length} characters without the scan's markers)`,
      };
    }
    return { reached: false, failure: result ? (options.describeFailure ?? fallbackFailure)(result) : 'not run' };
  }
  return readScan(sections, plan, options);
}

export async function scanNode(
  shell: NodeShell,
  plan: Omit<ScanPlan, 'marker'>,
  options: ScanOptions,
): Promise<NodeScan> {
  return interpretScan(await fetchScan(shell, plan, { timeoutMs: options.timeoutMs }), plan, options);
}

function readEncryption(sections: ScanSection[]): { info: EncryptionInfo | null; problem: string | null } {
  const stateText = sectionBody(sections, 'enc-state')?.body ?? '';
  const state = parseEncryptionState(stateText);
  const configHash = parseSha256sum(sectionBody(sections, 'enc-config-sha256')?.body ?? '');
  if (!state)
    return { info: null, problem: `encryption-state.json unreadable: ${stateText.trim().split('\n')[0] || 'empty'}` };
  return {
    info: {
      stage: state.stage,
      hash: state.hash,
      configHash: configHash ?? '',
      hashMatchesConfig: configHash === state.hash,
    },
    problem: configHash ? null : 'encryption-config.json could not be hashed',
  };
}

/** Exported for tests: turns the sections of a scan into values. */
export function readScan(sections: ScanSection[], plan: Omit<ScanPlan, 'marker'>, options: ScanOptions): NodeScan {
  const certificates: CertificateInfo[] = [];
  const certProblems: CertProblem[] = [];
  const missingKeys: MissingKey[] = [];
  const optional = new Set(
    certFilesFor(plan.distro, plan.roles)
      .filter((f) => f.optional)
      .map((f) => f.path),
  );
  for (const s of sections) {
    if (s.kind === 'key-missing') missingKeys.push({ path: s.arg, backups: readBackups(s.body) });
    else if (s.kind === 'cert-missing' && optional.has(s.arg)) continue;
    else if (s.kind === 'cert-missing') certProblems.push({ path: s.arg, detail: `${s.arg}: missing` });
    else if (s.kind === 'cert-dir')
      certProblems.push({ path: s.arg, detail: `${s.arg}: is a directory, not a certificate` });
    else if (s.kind === 'cert') {
      const parsed = parsePemCertificate(s.arg, s.body, options.now, options.renewWindowDays);
      if (parsed.ok) certificates.push(parsed.cert);
      else certProblems.push({ path: s.arg, detail: parsed.detail });
    }
  }
  const systemctl = sectionBody(sections, 'systemctl');
  const systemctlText = systemctl?.body ?? '';
  const unit = parseSystemctlShow(systemctlText);
  const said = systemctlText.trim().split('\n').slice(-2).join(' | ').slice(0, 200) || 'no output';
  const cut = !sectionBody(sections, 'end');
  const unitProblem = unit
    ? null
    : cut && !systemctl
      ? 'the scan output ended early (lost on the way back); run status again'
      : `systemctl show gave no state (${systemctl?.rc != null ? `exit ${systemctl.rc}` : 'not run'}): ${said}`;
  const journal = parseJournal(sectionBody(sections, 'journal')?.body ?? '');
  const errorIdLines = parseJournal(sectionBody(sections, 'error-ids')?.body ?? '');
  const encryption = isServer(plan.roles) ? readEncryption(sections) : { info: null, problem: null };
  const etcd: EtcdProbe | null = readEtcdProbe(sections);
  // Error-ID lines first so that an explaining line found only in the older journal is still seen.
  const dataDir = sectionBody(sections, 'data-dir')?.body.trim() ?? '';
  const diagnoses = [
    ...diagnose([...errorIdLines, ...journal], { roles: plan.roles, unit }),
    ...missingKeyDiagnoses(missingKeys, dataDir),
  ];
  return {
    reached: true,
    dataDir,
    certificates,
    certProblems,
    missingKeys,
    encryption: encryption.info,
    encryptionProblem: encryption.problem,
    unit,
    unitName: sectionBody(sections, 'unit')?.body.trim() || null,
    unitProblem,
    journal,
    etcd,
    diagnoses,
  };
}

/** "same server/tls-1737633868" lines: newest first (upstream's unix stamps and keyturn's run ids both sort by age). */
function readBackups(body: string): MissingKey['backups'] {
  const out: MissingKey['backups'] = [];
  for (const line of body.split('\n')) {
    const m = /^(same|differs) (\S.*)$/.exec(line.trim());
    if (m) out.push({ dir: m[2], pairs: m[1] === 'same' });
  }
  return out.reverse();
}

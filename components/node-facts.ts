// Pure derivations from a StatusReport for display: role labels, the headings over the rotation order, the earliest leaf,
// CA and encryption agreement across nodes. Kept apart from the components so screens (which must select rows in
// the same order the table draws them) and tests share one definition.
import { assertNever, type Role } from '../src/model/cluster.js';
import type { CertificateInfo, CertStatus, NodePreview, NodeStatus } from '../src/model/status.js';
import { rotationOrder, tierOf, type Tier } from '../src/model/rotation-order.js';

/** The table's headings over the rotation order (src/model/rotation-order.ts): etcd servers, control plane, agents. */
export type NodeGroup = 'etcd' | 'control-plane' | 'agent';

export const GROUP_TITLES: Record<NodeGroup, string> = {
  etcd: 'etcd servers',
  'control-plane': 'control-plane servers',
  agent: 'agents',
};

const TIER_GROUP: Record<Tier, NodeGroup> = {
  'etcd-only': 'etcd',
  'etcd-control-plane': 'etcd',
  'control-plane-only': 'control-plane',
  agent: 'agent',
};

/** A node that runs etcd belongs with the etcd servers even if it also runs the control plane: it restarts first. */
export function groupOf(roles: readonly Role[]): NodeGroup {
  return TIER_GROUP[tierOf(roles)];
}

const ROLE_SHORT: Record<Role, string> = { etcd: 'etcd', 'control-plane': 'cp', worker: 'worker' };

export function formatRoles(roles: readonly Role[]): string {
  if (roles.length === 0) return 'worker';
  return roles.map((r) => ROLE_SHORT[r]).join(',');
}

/** The rows in the order a run takes the nodes: the plan's own rule, so the table never promises another order. */
export const orderNodes = rotationOrder;

export interface LeafExpiry {
  daysLeft: number;
  /** The worst status among the node's leaves: one expired leaf makes the node expired. */
  status: CertStatus;
  path: string;
}

const STATUS_SEVERITY: Record<CertStatus, number> = { ok: 0, warning: 1, 'not-yet-valid': 2, expired: 3 };

export function earliestLeaf(certificates: readonly CertificateInfo[]): LeafExpiry | null {
  const leaves = certificates.filter((c) => !c.isCA);
  if (leaves.length === 0) return null;
  let earliest = leaves[0];
  let worst: CertStatus = 'ok';
  for (const leaf of leaves) {
    if (leaf.daysLeft < earliest.daysLeft) earliest = leaf;
    if (STATUS_SEVERITY[leaf.status] > STATUS_SEVERITY[worst]) worst = leaf.status;
  }
  return { daysLeft: earliest.daysLeft, status: worst, path: earliest.path };
}

export type Tone = 'ok' | 'warn' | 'bad' | 'none';

export const TONE_COLOR: Record<Tone, string | undefined> = {
  ok: 'green',
  warn: 'yellow',
  bad: 'red',
  none: undefined,
};

export function certTone(status: CertStatus): Tone {
  switch (status) {
    case 'ok':
      return 'ok';
    case 'warning':
      return 'warn';
    case 'expired':
    case 'not-yet-valid':
      return 'bad';
    default:
      return assertNever(status);
  }
}

export function formatDays(daysLeft: number): string {
  return `${daysLeft}d`;
}

function majority(values: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: string | undefined;
  let bestCount = 0;
  for (const [v, n] of counts) {
    if (n > bestCount) {
      best = v;
      bestCount = n;
    }
  }
  return best;
}

/**
 * Per node: does every CA it holds match the fingerprint most nodes hold for that CA? This is how a CA that
 * never reached one server's disk (k3s#11233) shows up. null when the node told us no CA at all.
 */
export function caAgreement(nodes: readonly NodeStatus[]): Map<string, boolean | null> {
  const byCa = new Map<string, string[]>();
  for (const n of nodes) {
    for (const [ca, fp] of Object.entries(n.caFingerprints)) byCa.set(ca, [...(byCa.get(ca) ?? []), fp]);
  }
  const expected = new Map([...byCa].map(([ca, fps]) => [ca, majority(fps)]));
  const result = new Map<string, boolean | null>();
  for (const n of nodes) {
    const entries = Object.entries(n.caFingerprints);
    result.set(n.name, entries.length === 0 ? null : entries.every(([ca, fp]) => expected.get(ca) === fp));
  }
  return result;
}

/** First 8 hex digits of a hash that may carry a `<stage>-` prefix as the state file and annotation do. */
export function shortHash(hash: string): string {
  const hex = hash.slice(hash.lastIndexOf('-') + 1);
  return hex.slice(0, 8);
}

/**
 * Per node with encryption state: its hash equals sha256 of its own config AND the hash most servers hold.
 * Either mismatch is what stops `secrets-encrypt` stage commands (field-notes "Secrets encryption").
 */
export function encryptionAgreement(nodes: readonly NodeStatus[]): Map<string, boolean> {
  const withState = nodes.filter((n) => n.encryption !== null);
  const expected = majority(withState.map((n) => shortHash(n.encryption!.hash)));
  return new Map(
    withState.map((n) => [n.name, n.encryption!.hashMatchesConfig && shortHash(n.encryption!.hash) === expected]),
  );
}

/** The slice of `length` rows to draw so that `selectedIndex` stays visible in at most `maxRows` rows. */
export function visibleWindow(length: number, selectedIndex: number, maxRows: number): { start: number; end: number } {
  if (length <= maxRows) return { start: 0, end: length };
  const half = Math.floor(maxRows / 2);
  const start = Math.max(0, Math.min(Math.max(0, selectedIndex) - half, length - maxRows));
  return { start, end: start + maxRows };
}

/** The node table's columns after the name, in order; sized so names up to ~10 characters fit 100 columns. */
export const TABLE_COLUMNS = [
  { title: 'ROLES', width: 7 },
  { title: 'VERSION', width: 14 },
  { title: 'SERVICE', width: 14 },
  { title: 'READY', width: 5 },
  { title: 'CERTS', width: 6 },
  { title: 'CA', width: 2 },
  { title: 'ENCRYPTION', width: 23 },
  { title: 'ETCD', width: 9 },
] as const;

/** The name column: two leading columns for the selection pointer, then the longest name, 4 to 24 wide. */
export function nameColumnWidth(nodes: readonly { name: string }[]): number {
  return 2 + Math.min(24, Math.max(4, ...nodes.map((n) => n.name.length)));
}

export interface CellFacts {
  text: string;
  tone: Tone;
}

/** A known but not yet scanned node's cells, one per TABLE_COLUMNS entry: only roles and version are real. */
export function scanningCells(node: Pick<NodeStatus, 'roles' | 'version'>): CellFacts[] {
  const waiting: CellFacts = { text: '·', tone: 'none' };
  return [
    { text: node.roles.length > 0 ? formatRoles(node.roles) : '?', tone: 'none' },
    { text: node.version || '—', tone: 'none' },
    { text: 'scanning…', tone: 'none' },
    waiting,
    waiting,
    waiting,
    waiting,
    waiting,
  ];
}

/** Where the node list on the first screen came from, and whether the API is still being asked. */
export function previewSourceLine(preview: NodePreview): string {
  if (preview.source === 'api') return 'from the Kubernetes API';
  const where = preview.source === 'inventory' ? 'the inventory' : 'the node list remembered from an earlier scan';
  return preview.final ? `from ${where}` : `from ${where}; asking the Kubernetes API…`;
}

/** Node rows the first screen draws in a terminal this tall: what is left after the lines around the table. */
export function previewMaxRows(terminalRows: number): number {
  return Math.max(5, terminalRows - 12);
}

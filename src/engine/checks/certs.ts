// Certificates read as PEM text from the node and parsed here (works on every version, unlike
// `<prog> certificate check`, which exits 0 even when certificates have expired).
import { X509Certificate } from 'node:crypto';
import { certFilesFor } from '../../model/cert-files.js';
import { renderReadFiles } from '../commands.js';
import type { StepContext } from '../context.js';
import type { CertSnapshot, GateCheckResult } from '../events.js';
import type { PlannedNode } from '../plan-types.js';
import { nodesWithSkips } from '../reducer.js';

/** Splits "==> path" headed output (see renderReadFiles) back into path → the file's exact text. */
export function splitDump(text: string): Map<string, string> {
  const files = new Map<string, string>();
  let current: string | null = null;
  let buf: string[] = [];
  const flush = () => {
    if (current !== null) files.set(current, buf.join('\n'));
  };
  const lines = text.split('\n');
  if (text.endsWith('\n')) lines.pop();
  for (const line of lines) {
    if (line.startsWith('==> ')) {
      flush();
      current = line.slice(4).trim();
      buf = [];
    } else buf.push(line);
  }
  flush();
  return files;
}

export function snapshotPem(path: string, pem: string): CertSnapshot | null {
  try {
    const x = new X509Certificate(pem);
    return {
      path,
      sha256: x.fingerprint256.replace(/:/g, '').toLowerCase(),
      notBefore: new Date(x.validFrom).toISOString(),
      notAfter: new Date(x.validTo).toISOString(),
      isCA: x.ca,
    };
  } catch {
    return null;
  }
}

export type CertReading = { ok: true; certs: CertSnapshot[] } | { ok: false; detail: string };

/** The script that prints the node's certificate files ("==> path" headed), for readCerts and certsFrom. */
export function readCertsScript(node: PlannedNode): string {
  return renderReadFiles(
    node,
    certFilesFor(node.distro, node.roles).map((f) => f.path),
  );
}

/** The certificates in a readCertsScript output (anything printed before the first heading is ignored). */
export function certsFrom(stdout: string): CertSnapshot[] {
  const certs: CertSnapshot[] = [];
  for (const [path, pem] of splitDump(stdout)) {
    const snap = snapshotPem(path, pem);
    if (snap) certs.push(snap);
  }
  return certs;
}

export async function readCerts(ctx: StepContext, node: PlannedNode = ctx.node): Promise<CertReading> {
  const r = await ctx.exec(node, readCertsScript(node), 60);
  if (r.outcome !== 'ok') return { ok: false, detail: `${r.outcome}: ${r.stderr.trim()}` };
  return { ok: true, certs: certsFrom(r.stdout) };
}

/** The node's certificates as this run's first backup of it recorded them (before any change). */
export function snapshotBefore(ctx: StepContext, node: string): CertSnapshot[] | null {
  for (const b of ctx.plan.blocks) {
    if (b.node !== node) continue;
    for (const s of b.steps) {
      const st = ctx.state.steps[s.key];
      if (s.kind === 'backup' && st.result?.status === 'done' && st.result.data?.certs) return st.result.data.certs;
    }
  }
  return null;
}

type CertCheck = 'certs-fresh' | 'cas-unchanged' | 'no-expired-leaf';

/** One reading of the node's certificates shared by the checks of one gate attempt (one round trip, not three). */
export type CertReadingCache = { reading?: Promise<CertReading> };

export async function checkCerts(
  ctx: StepContext,
  check: CertCheck,
  cache: CertReadingCache = {},
): Promise<GateCheckResult> {
  if (nodesWithSkips(ctx.state).has(ctx.node.name))
    return { check, status: 'skipped', detail: `${ctx.node.name} was skipped by the operator` };
  cache.reading ??= readCerts(ctx);
  const now = await cache.reading;
  if (!now.ok) return { check, status: 'fail', detail: `could not read certificates: ${now.detail}` };
  const before = snapshotBefore(ctx, ctx.node.name);
  const byPath = new Map((before ?? []).map((c) => [c.path, c]));
  const leaves = now.certs.filter((c) => !c.isCA);
  switch (check) {
    case 'certs-fresh': {
      if (!before) return { check, status: 'skipped', detail: 'no backup of this node in this run to compare with' };
      const stale = leaves.filter((c) => byPath.get(c.path)?.sha256 === c.sha256);
      const missing = before.filter((c) => !c.isCA && !now.certs.some((n) => n.path === c.path));
      const evidence = [
        ...stale.map((c) => `${c.path}: not re-issued (notAfter ${c.notAfter})`),
        ...missing.map((c) => `${c.path}: missing`),
      ];
      if (evidence.length > 0)
        return { check, status: 'fail', detail: `${evidence.length} leaf certificate(s) not renewed`, evidence };
      const soonest = leaves.map((c) => c.notAfter).sort()[0];
      return {
        check,
        status: 'pass',
        detail: `${leaves.length} leaves re-issued; earliest expiry ${soonest ?? 'n/a'}`,
        earliestLeafExpiry: soonest,
      };
    }
    case 'cas-unchanged': {
      if (!before) return { check, status: 'skipped', detail: 'no backup of this node in this run to compare with' };
      const changed = now.certs.filter((c) => c.isCA && byPath.has(c.path) && byPath.get(c.path)?.sha256 !== c.sha256);
      if (changed.length > 0)
        return {
          check,
          status: 'fail',
          detail: `${changed.length} CA certificate(s) changed`,
          evidence: changed.map((c) => `${c.path}: ${byPath.get(c.path)?.sha256} → ${c.sha256}`),
        };
      return { check, status: 'pass', detail: `${now.certs.filter((c) => c.isCA).length} CAs unchanged` };
    }
    case 'no-expired-leaf': {
      const t = ctx.ports.clock.now();
      const expired = leaves.filter((c) => Date.parse(c.notAfter) <= t);
      if (expired.length > 0)
        return {
          check,
          status: 'fail',
          detail: `${expired.length} leaf certificate(s) expired`,
          evidence: expired.map((c) => `${c.path}: expired ${c.notAfter}`),
        };
      const soonest = leaves.map((c) => c.notAfter).sort()[0];
      return {
        check,
        status: 'pass',
        detail: `no expired leaf; earliest expiry ${soonest ?? 'n/a'}`,
        earliestLeafExpiry: soonest,
      };
    }
  }
}

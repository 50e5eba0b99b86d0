// Which secrets-encryption rotation flow a cluster gets, decided from versions and provider (field-notes "Secrets
// encryption"), and the known traps refused before anything changes. Pure: plan-time only.
import type { Distro } from '../../model/cluster.js';
import { parseKubeVersion, type KubeVersion } from '../../model/versions.js';
import type { EncryptionFlow } from '../../recipe-schema/types.js';
import type { PlannedNode, PlanRefusal } from '../plan-types.js';

/** The phrase that overrides the rke2#8236 refusal (typed by the operator, at plan and at the first node). */
export const PANIC_RISK_PHRASE = 'restart panic risk accepted';

function fixedIn(v: KubeVersion, fixed: Record<number, number>, firstMinorFixed: number): boolean {
  if (v.major !== 1) return v.major > 1;
  if (v.minor >= firstMinorFixed) return true;
  const patch = fixed[v.minor];
  return patch !== undefined && v.patch >= patch;
}

/**
 * `secrets-encrypt rotate-keys` is safe from v1.30.5+k3s1 / v1.31.1+k3s1 (v1.32 on), and on RKE2 from releases
 * newer than v1.30.1+rke2r1 (v1.30.2, v1.31 on). Unknown versions get the classic flow (works everywhere).
 */
export function supportsRotateKeys(distro: Distro, version: string): boolean {
  const v = parseKubeVersion(version);
  if (!v) return false;
  return distro === 'k3s' ? fixedIn(v, { 30: 5, 31: 1 }, 32) : fixedIn(v, { 30: 2 }, 31);
}

/** rke2#8236: RKE2 v1.32.0–v1.32.4 control-plane-only servers restarted while the datastore is at prepare panic. */
export function panicsAfterPrepare(distro: Distro, version: string): boolean {
  const v = parseKubeVersion(version);
  return distro === 'rke2' && v !== undefined && v.major === 1 && v.minor === 32 && v.patch <= 4;
}

/** Split: some server is etcd-only or control-plane-only. */
export function isSplit(nodes: readonly PlannedNode[]): boolean {
  return nodes.some((n) => n.tier === 'etcd-only' || n.tier === 'control-plane-only');
}

export type FlowChoice =
  { ok: true; flow: EncryptionFlow; why: string; warnings: string[] } | { ok: false; refusal: PlanRefusal };

export function chooseEncryptionFlow(
  nodes: readonly PlannedNode[],
  opts: { provider?: string; acceptRisk?: string } = {},
): FlowChoice {
  const cps = nodes.filter((n) => n.roles.includes('control-plane'));
  if (cps.length === 0) {
    return {
      ok: false,
      refusal: {
        reason: 'no reachable control-plane server: secrets-encrypt commands need one',
        fix: 'make a control-plane server reachable (inventory, ssh) and plan again',
      },
    };
  }
  const lacking = cps.filter((n) => !supportsRotateKeys(n.distro, n.version));
  const flow: EncryptionFlow = lacking.length === 0 ? 'rotate-keys' : 'classic';
  const why =
    flow === 'rotate-keys'
      ? `every control-plane server supports rotate-keys (${[...new Set(cps.map((n) => n.version))].join(', ')})`
      : `${lacking.map((n) => `${n.name} runs ${n.version || 'an unknown version'}`).join(', ')}: no safe rotate-keys, classic prepare → rotate → reencrypt`;
  if (flow === 'classic' && opts.provider === 'secretbox') {
    return {
      ok: false,
      refusal: {
        reason: `the cluster encrypts with secretbox, which only rotate-keys rotates (prepare/rotate/reencrypt refuse it), and ${why.split(':')[0]}`,
        fix: 'upgrade every control-plane server to a release with safe rotate-keys (k3s v1.30.5+k3s1 / v1.31.1+k3s1 / v1.32+, RKE2 v1.30.2+ / v1.31+), then plan again',
      },
    };
  }
  const warnings: string[] = [];
  const distro = cps[0].distro;
  const panicking = nodes.filter((n) => n.server && panicsAfterPrepare(n.distro, n.version));
  if (distro === 'rke2' && isSplit(nodes) && panicking.length > 0) {
    const reason = `RKE2 ${[...new Set(panicking.map((n) => n.version))].join(', ')} on a split etcd/control-plane cluster: control-plane-only servers restarted while the datastore is at prepare panic in a restart loop (rke2#8236, fixed in v1.32.5)`;
    if (opts.acceptRisk !== PANIC_RISK_PHRASE) {
      return {
        ok: false,
        refusal: {
          reason,
          fix: 'upgrade to v1.32.5+rke2r1 first (recommended); or accept the risk by typing the phrase',
          overridePhrase: PANIC_RISK_PHRASE,
        },
      };
    }
    warnings.push(`risk accepted by the operator: ${reason}`);
  }
  return { ok: true, flow, why, warnings };
}

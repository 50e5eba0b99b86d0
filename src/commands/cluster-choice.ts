// Whether the wizard asks which cluster before it opens one (cluster-picker.tsx asks). Kept apart from the picker:
// the usual wizard, on one cluster, decides this without loading Ink early.
import type { ClusterOptions } from './options.js';

export type PickerOutcome = { kind: 'picked'; context: string } | { kind: 'quit'; how: 'quit' | 'interrupt' };

/**
 * The kubeconfig's contexts when the wizard must ask, else null: one context, or the operator said which (--context),
 * or gave an inventory (it names one cluster's nodes, paired with the current context as before).
 */
export async function contextsToOffer(opts: ClusterOptions): Promise<string[] | null> {
  if (opts.context || opts.inventory) return null;
  try {
    const { kubeconfigContexts } = await import('../transports/kube-config.js');
    const { names } = kubeconfigContexts(opts.kubeconfig);
    return names.length >= 2 ? names : null;
  } catch {
    return null; // no kubeconfig, or a broken one: the wizard's session tells that in its one line
  }
}

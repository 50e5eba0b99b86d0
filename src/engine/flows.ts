// Recipes with variants (chooseFlow) get one flow per cluster; the choosers live beside the ops they drive.
import { assertNever } from '../model/cluster.js';
import type { Recipe } from '../recipe-schema/types.js';
import { chooseEncryptionFlow } from './encryption/flow.js';
import type { PlannedNode, PlanOptions, PlanRefusal } from './plan-types.js';

export type ChosenFlow =
  { ok: true; flow: string | undefined; warnings: string[] } | { ok: false; refusal: PlanRefusal };

export function chooseFlow(recipe: Recipe, nodes: readonly PlannedNode[], options: PlanOptions): ChosenFlow {
  const chooser = recipe.chooseFlow;
  if (chooser === undefined) return { ok: true, flow: undefined, warnings: [] };
  switch (chooser) {
    case 'secrets-encryption': {
      const c = chooseEncryptionFlow(nodes, { provider: options.encryptionProvider, acceptRisk: options.acceptRisk });
      return c.ok ? { ok: true, flow: c.flow, warnings: [`flow ${c.flow}: ${c.why}`, ...c.warnings] } : c;
    }
    default:
      return assertNever(chooser);
  }
}

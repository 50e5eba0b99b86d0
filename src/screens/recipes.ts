// The recipes the picker offers, from the recipe files themselves (plain data), with the ones the diagnoses name
// marked as suggested.
import { RECIPES } from '../../recipes/index.js';
import type { StatusReport } from '../model/status.js';
import type { RecipeChoice } from '../../components/RecipeList.js';

export const DEFAULT_RECIPES: readonly Omit<RecipeChoice, 'suggested'>[] = RECIPES.map((r) => ({
  name: r.name,
  description: r.support === 'plan-only' ? `${r.title} (plan only for now)` : r.title,
}));

/** Marks the recipes the diagnoses name, so the likely fix stands out in the list. */
export function recipeChoices(report: StatusReport | null, recipes = DEFAULT_RECIPES): RecipeChoice[] {
  const named = new Set(report?.nodes.flatMap((n) => n.diagnoses.map((d) => d.recipe)).filter(Boolean));
  return recipes.map((r) => ({ ...r, suggested: named.has(r.name) }));
}

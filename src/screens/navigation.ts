// Where the operator is in the wizard, as a pure reducer over keymap actions, and the view the App draws: the
// navigation page combined with what discovery has (a spinner before the first report, an error without one).
import type { NodePreview, StatusReport, NodeStatus } from '../model/status.js';
import { assertNever } from '../model/cluster.js';
import type { DiscoveryState } from '../hooks/useDiscovery.js';
import { lastReport } from '../hooks/useDiscovery.js';
import { orderNodes } from '../../components/node-facts.js';
import type { RecipeChoice } from '../../components/RecipeList.js';
import type { Action, ScreenName } from './keymap.js';
import { DEFAULT_RECIPES, recipeChoices } from './recipes.js';
import { scrollableLines } from './Dashboard.js';

export type Page =
  | { kind: 'dashboard' }
  | { kind: 'node-detail'; node: string; certOffset: number }
  /** `selected` null: the recipe the diagnoses suggest (else the first) is highlighted. */
  | { kind: 'pick-recipe'; selected: string | null }
  | { kind: 'plan'; recipe: string }
  | { kind: 'running'; recipe: string };

export interface NavState {
  page: Page;
  /** The highlighted node, kept by name so a refresh that reorders nodes keeps the operator's place. */
  selected: string | null;
  help: boolean;
  /** Lines of the dashboard's lower part (timeline, passing checks) scrolled past. */
  scroll: number;
}

export const initialNav: NavState = { page: { kind: 'dashboard' }, selected: null, help: false, scroll: 0 };

/** pgdn/pgup on the dashboard move the lower part by this many lines. */
const SCROLL_STEP = 5;

export type NavEvent =
  | { type: 'action'; action: Action }
  | { type: 'recipe-picked'; recipe: string }
  | { type: 'run-started'; recipe: string }
  | { type: 'run-ended' };

export type View =
  | { kind: 'discovering'; preview: NodePreview | null }
  | { kind: 'error'; message: string }
  | { kind: 'dashboard'; report: StatusReport; selected: string | null; scroll: number }
  | { kind: 'node-detail'; report: StatusReport; node: NodeStatus; certOffset: number }
  | { kind: 'pick-recipe'; report: StatusReport; choices: RecipeChoice[]; selected: string | null }
  | { kind: 'plan'; report: StatusReport; recipe: string }
  | { kind: 'running'; report: StatusReport; recipe: string };

/** The selected node, or the first in rotation order when none is (or the selected one vanished). */
export function effectiveSelection(nodes: readonly NodeStatus[], selected: string | null): string | null {
  const ordered = orderNodes(nodes);
  return ordered.find((n) => n.name === selected)?.name ?? ordered[0]?.name ?? null;
}

/** The highlighted recipe: the one moved to, else the first the diagnoses suggest, else the first. */
export function effectiveRecipe(choices: readonly RecipeChoice[], selected: string | null): string | null {
  return (
    choices.find((c) => c.name === selected)?.name ?? choices.find((c) => c.suggested)?.name ?? choices[0]?.name ?? null
  );
}

export function deriveView(
  discovery: DiscoveryState,
  nav: NavState,
  recipes: readonly Omit<RecipeChoice, 'suggested'>[] = DEFAULT_RECIPES,
): View {
  const report = lastReport(discovery);
  if (!report) {
    return discovery.status === 'error'
      ? { kind: 'error', message: discovery.message }
      : { kind: 'discovering', preview: discovery.status === 'loading' ? discovery.preview : null };
  }
  const page = nav.page;
  switch (page.kind) {
    case 'dashboard':
      return {
        kind: 'dashboard',
        report,
        selected: effectiveSelection(report.nodes, nav.selected),
        scroll: nav.scroll,
      };
    case 'node-detail': {
      const node = report.nodes.find((n) => n.name === page.node);
      // The node disappeared in a refresh: fall back to the dashboard rather than draw nothing.
      if (!node)
        return { kind: 'dashboard', report, selected: effectiveSelection(report.nodes, null), scroll: nav.scroll };
      return { kind: 'node-detail', report, node, certOffset: page.certOffset };
    }
    case 'pick-recipe': {
      const choices = recipeChoices(report, recipes);
      return { kind: 'pick-recipe', report, choices, selected: effectiveRecipe(choices, page.selected) };
    }
    case 'plan':
      return { kind: 'plan', report, recipe: page.recipe };
    case 'running':
      return { kind: 'running', report, recipe: page.recipe };
    default:
      return assertNever(page);
  }
}

function move(nodes: readonly NodeStatus[], selected: string | null, delta: number): string | null {
  const ordered = orderNodes(nodes);
  const current = effectiveSelection(nodes, selected);
  const index = ordered.findIndex((n) => n.name === current);
  const next = Math.max(0, Math.min(ordered.length - 1, index + delta));
  return ordered[next]?.name ?? null;
}

/** The next navigation state. `view` is what is on screen; actions that make no sense there change nothing. */
export function navigate(nav: NavState, event: NavEvent, view: View): NavState {
  if (event.type === 'recipe-picked') return { ...nav, page: { kind: 'plan', recipe: event.recipe } };
  if (event.type === 'run-started') return { ...nav, help: false, page: { kind: 'running', recipe: event.recipe } };
  if (event.type === 'run-ended') return { ...nav, page: { kind: 'dashboard' } };
  const { action } = event;
  if (action === 'help') return { ...nav, help: !nav.help };
  switch (view.kind) {
    case 'dashboard':
      if (action === 'move-up' || action === 'move-down') {
        return { ...nav, selected: move(view.report.nodes, view.selected, action === 'move-up' ? -1 : 1) };
      }
      if (action === 'scroll-up' || action === 'scroll-down') {
        const next = view.scroll + (action === 'scroll-up' ? -SCROLL_STEP : SCROLL_STEP);
        return { ...nav, scroll: Math.max(0, Math.min(scrollableLines(view.report) - 1, next)) };
      }
      if (action === 'open-detail' && view.selected) {
        return { ...nav, selected: view.selected, page: { kind: 'node-detail', node: view.selected, certOffset: 0 } };
      }
      if (action === 'pick-recipe') return { ...nav, page: { kind: 'pick-recipe', selected: null } };
      return nav;
    case 'node-detail': {
      if (action === 'scroll-up' || action === 'scroll-down') {
        const max = Math.max(0, view.node.certificates.length - 1);
        const certOffset = Math.max(0, Math.min(max, view.certOffset + (action === 'scroll-up' ? -1 : 1)));
        return { ...nav, page: { kind: 'node-detail', node: view.node.name, certOffset } };
      }
      if (action === 'back') return { ...nav, page: { kind: 'dashboard' } };
      if (action === 'pick-recipe') return { ...nav, page: { kind: 'pick-recipe', selected: null } };
      return nav;
    }
    case 'pick-recipe': {
      if (action === 'move-up' || action === 'move-down') {
        const names = view.choices.map((c) => c.name);
        const index = names.indexOf(view.selected ?? '');
        const next = names[Math.max(0, Math.min(names.length - 1, index + (action === 'move-up' ? -1 : 1)))] ?? null;
        return { ...nav, page: { kind: 'pick-recipe', selected: next } };
      }
      return action === 'back' ? { ...nav, page: { kind: 'dashboard' } } : nav;
    }
    case 'plan':
      return action === 'back' ? { ...nav, page: { kind: 'pick-recipe', selected: view.recipe } } : nav;
    case 'running':
    case 'discovering':
    case 'error':
      return nav;
    default:
      return assertNever(view);
  }
}

export function screenOf(view: View): ScreenName {
  return view.kind;
}

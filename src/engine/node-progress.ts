// Where a run is, node by node, for the run screen's strip: read from the run's own state (its plan's node order,
// the steps' statuses, and nextAction for what comes now), so the strip can never disagree with what the run does.
import type { RunState } from './reducer.js';
import { nextAction } from './reducer.js';

export type NodeProgress = 'done' | 'now' | 'next' | 'pending' | 'skipped' | 'failed';

export interface NodeProgressItem {
  name: string;
  progress: NodeProgress;
}

/** The block the run is on (asked about, or with a step running or to be checked), or null when none is. */
function activeBlockIndex(state: RunState): number {
  if (state.outcome.status !== 'active') return -1;
  const next = nextAction(state);
  const block =
    next.type === 'confirm' || next.type === 'auto-skip'
      ? next.block
      : next.type === 'run' || next.type === 'check'
        ? state.plan.blocks.find((b) => b.key === next.step.blockKey)
        : undefined;
  return block ? state.plan.blocks.indexOf(block) : -1;
}

/**
 * Every node the run has work for, in the plan's (rotation) order, with where it stands: now (the run is on it),
 * failed (a step failed), skipped (the operator skipped all of it), next (the node of the first unfinished block
 * after the one in progress), done (work on it so far finished: a block of it all done or skipped, one step at
 * least done), else pending. A node a recipe visits again later (stop every node, then start them; a final verify
 * on every node) is done between visits and "next"/"now" again when the run comes back to it.
 */
export function nodeProgress(state: RunState): NodeProgressItem[] {
  const { blocks } = state.plan;
  const unfinished = (i: number) =>
    state.blocks[blocks[i].key]?.skipped === null &&
    blocks[i].steps.some((s) => !['done', 'skipped'].includes(state.steps[s.key].status));
  const finished = (key: string) => {
    const b = blocks.find((x) => x.key === key)!;
    const statuses = b.steps.map((s) => state.steps[s.key].status);
    return (
      state.blocks[key]?.skipped === null &&
      statuses.every((st) => st === 'done' || st === 'skipped') &&
      statuses.includes('done')
    );
  };
  const active = activeBlockIndex(state);
  const now = active >= 0 ? blocks[active].node : null;
  let next: string | null = null;
  const from = active >= 0 ? active : 0;
  for (let i = from; i < blocks.length && next === null; i++)
    if (blocks[i].node !== now && unfinished(i)) next = blocks[i].node;
  // A run that stopped (quit, interrupted): nothing is "now"; what resume would take up is next.
  if (state.outcome.status === 'stopped') next = blocks.find((_, i) => unfinished(i))?.node ?? null;
  return state.plan.nodes
    .filter((n) => blocks.some((b) => b.node === n.name))
    .map((n) => {
      const mine = blocks.filter((b) => b.node === n.name);
      // A skipped block's steps count as skipped whatever they were left at.
      const steps = mine.flatMap((b) =>
        b.steps.map((s) => (state.blocks[b.key]?.skipped != null ? 'skipped' : state.steps[s.key].status)),
      );
      let progress: NodeProgress;
      // (A resumed run checks its failed step again: that node is "now", not failed.)
      if (n.name === now) progress = 'now';
      else if (steps.includes('failed')) progress = 'failed';
      else if (steps.every((s) => s === 'skipped')) progress = 'skipped';
      else if (n.name === next) progress = 'next';
      else if (mine.some((b) => finished(b.key))) progress = 'done';
      else progress = 'pending';
      return { name: n.name, progress };
    });
}

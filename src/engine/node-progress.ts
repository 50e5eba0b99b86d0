// Where a run is, node by node, for the run screen's strip: read from the run's own state (its plan's node order,
// the steps' statuses, and nextAction for what comes now), so the strip can never disagree with what the run does.
import type { RunState } from './reducer.js';
import { nextAction } from './reducer.js';

export type NodeProgress = 'done' | 'now' | 'next' | 'pending' | 'skipped' | 'failed';

export interface NodeProgressItem {
  name: string;
  progress: NodeProgress;
}

/**
 * The blocks the run is on (asked about, or with a step running or to be checked; an agent wave's blocks all at
 * once), first in plan order; empty when none is.
 */
function activeBlocks(state: RunState): number[] {
  if (state.outcome.status !== 'active') return [];
  const index = (k: string) => state.plan.blocks.findIndex((b) => b.key === k);
  // A wave confirmed in this session and without its verdict yet: its unfinished nodes all run now.
  for (const w of state.plan.waves ?? []) {
    const ws = state.waves?.[w.key];
    if (!ws || ws.confirmedAt.length === 0 || ws.failed !== null) continue;
    if (!w.blocks.every((k) => state.blocks[k]?.confirmed || state.blocks[k]?.skipped !== null)) continue;
    const running = w.blocks
      .map(index)
      .filter((i) => i >= 0 && state.plan.blocks[i].steps.some((p) => state.steps[p.key].status !== 'done'));
    if (running.length > 0) return running;
  }
  const next = nextAction(state);
  const keys =
    next.type === 'confirm' || next.type === 'auto-skip'
      ? [next.block.key]
      : next.type === 'run' || next.type === 'check'
        ? [next.step.blockKey]
        : next.type === 'confirm-wave' || next.type === 'run-wave'
          ? next.blocks.map((b) => b.key)
          : [];
  return keys.map(index).filter((i) => i >= 0);
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
  const active = activeBlocks(state);
  const now = new Set(active.map((i) => blocks[i].node));
  let next: string | null = null;
  const from = active.length > 0 ? active[0] : 0;
  for (let i = from; i < blocks.length && next === null; i++)
    if (!now.has(blocks[i].node) && unfinished(i)) next = blocks[i].node;
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
      if (now.has(n.name)) progress = 'now';
      else if (steps.includes('failed')) progress = 'failed';
      else if (steps.every((s) => s === 'skipped')) progress = 'skipped';
      else if (n.name === next) progress = 'next';
      else if (mine.some((b) => finished(b.key))) progress = 'done';
      else progress = 'pending';
      return { name: n.name, progress };
    });
}

// Agents in waves (`--agent-wave N|P%`): consecutive agent blocks of an agents phase, at most N at a time, confirmed
// once and changed together. A wave is only ever agents: servers, and blocks that ask for a typed name or phrase,
// stay one at a time. Per-node step keys do not change, so a journal runs on with or without waves.
import type { AgentWaveSize, Plan, PlannedBlock, PlannedNode, PlannedWave } from './plan-types.js';

/** The wave size for this many agents: N as given, or P% rounded up; at least 1. */
export function resolveWaveSize(size: AgentWaveSize | undefined, agents: number): number {
  if (!size) return 1;
  const n = 'count' in size ? size.count : Math.ceil((size.percent * agents) / 100);
  return Math.max(1, Math.floor(n));
}

function waveable(block: PlannedBlock, node: PlannedNode | undefined, phaseNodes: string): boolean {
  return (
    phaseNodes === 'agents' &&
    node !== undefined &&
    !node.server &&
    block.confirm === 'per-node' &&
    !block.typeName &&
    block.typedPhrase === undefined
  );
}

/**
 * The waves of a plan's agent phases, in plan order. `agentPhases`: ids of phases whose selector is `agents`.
 * A block that cannot join a wave ends the run of blocks being grouped; a lone agent is a wave of one.
 */
export function planWaves(
  recipe: string,
  blocks: readonly PlannedBlock[],
  nodes: readonly PlannedNode[],
  agentPhases: ReadonlySet<string>,
  size: number,
): PlannedWave[] {
  if (size <= 1) return [];
  const byPhase = new Map<string, PlannedBlock[][]>();
  let run: PlannedBlock[] | null = null;
  for (const b of blocks) {
    const node = nodes.find((n) => n.name === b.node);
    if (!waveable(b, node, agentPhases.has(b.phase) ? 'agents' : '')) {
      run = null;
      continue;
    }
    const groups = byPhase.get(b.phase) ?? [];
    byPhase.set(b.phase, groups);
    if (!run || run.length >= size || run[0].phase !== b.phase) {
      run = [];
      groups.push(run);
    }
    run.push(b);
  }
  const waves: PlannedWave[] = [];
  for (const [phase, groups] of byPhase)
    groups.forEach((g, i) =>
      waves.push({
        key: `${recipe}/${phase}/wave-${i + 1}`,
        phase,
        index: i + 1,
        of: groups.length,
        nodes: g.map((b) => b.node),
        blocks: g.map((b) => b.key),
      }),
    );
  return waves;
}

/**
 * A journalled plan regrouped for another wave size (`resume --agent-wave`): the same blocks and step keys, new
 * waves. The agents phases are the phases whose blocks are all agents' (the planner's `agents` selector).
 */
export function regroupWaves(plan: Plan, size: AgentWaveSize): Pick<Plan, 'agentWave' | 'waves'> {
  const agentPhases = new Set(
    plan.blocks
      .map((b) => b.phase)
      .filter((ph) =>
        plan.blocks.filter((b) => b.phase === ph).every((b) => !plan.nodes.find((n) => n.name === b.node)?.server),
      ),
  );
  const n = resolveWaveSize(size, plan.nodes.filter((x) => !x.server).length);
  const waves = planWaves(plan.recipe, plan.blocks, plan.nodes, agentPhases, n);
  return waves.length > 0 ? { agentWave: n, waves } : {};
}

export function waveOfBlock(plan: Plan, blockKey: string): PlannedWave | undefined {
  return plan.waves?.find((w) => w.blocks.includes(blockKey));
}

/** "wave 3 of 20 (agents): agent-021, agent-022" — how the plan, the question and the report name a wave. */
export function describeWave(w: PlannedWave): string {
  return `wave ${w.index} of ${w.of} (${w.phase}): ${w.nodes.join(', ')}`;
}

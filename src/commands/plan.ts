// `keyturn plan <recipe>`: discover the cluster (read-only), lay the recipe over it, print the per-node plan
// with the exact commands. Changes nothing. Exit 0 with a plan, 1 when the planner refuses, 2 on bad input.
import { findRecipe, recipeNames } from '../../recipes/index.js';
import { nothingReachedButRefused } from '../discovery/api-view.js';
import { planRun, renderPlanText, renderRefusal, type AgentWaveSize, type PlanResult } from '../engine/index.js';
import { inputError } from '../errors.js';
import type { Recipe } from '../recipe-schema/index.js';
import { openClusterSession } from './cluster-session.js';
import type { ClusterOptions } from './options.js';
import { keyturnCommand, withSessionOptions } from './keyturn-command.js';
import { formatDocument, outputFormat, type OutputOptions } from './output-format.js';
import { nodeFactsFrom } from '../run/node-facts.js';
import type { InventoryNode } from '../model/inventory.js';
import type { StatusReport } from '../model/status.js';

/**
 * The plan of `recipe` on this scan, and its text as `keyturn plan` prints it — ending with the `keyturn run …` line
 * that runs it, with this session's options — or the planner's refusal as text. `keyturn plan` and the read-only
 * wizard's plan screen both show this.
 */
export function planOrRefusal(
  recipe: Recipe,
  report: StatusReport,
  targets: InventoryNode[],
  opts: ClusterOptions,
  shape: { settleSeconds?: number; agentWave?: AgentWaveSize; agentWaveSpec?: string } = {},
): { result: PlanResult; text: string } {
  const { settleSeconds, agentWave, agentWaveSpec } = shape;
  const result = planRun(recipe, report, { settleSeconds, agentWave, nodeFacts: nodeFactsFrom(targets) });
  // The suggested command runs the plan shown: the wave size the plan was made with goes with it.
  const waveArgs = result.ok && result.plan.waves && agentWaveSpec ? ['--agent-wave', agentWaveSpec] : [];
  const text = result.ok
    ? renderPlanText(result.plan, keyturnCommand(['run', recipe.name, ...waveArgs], opts))
    : withSessionOptions(renderRefusal(recipe.name, result.refusal), opts);
  return { result, text };
}

export function recipeOrUsage(name: string, command: string): Recipe {
  const recipe = findRecipe(name);
  if (!recipe) throw inputError(`${command} ${name}`, 'no such recipe', `use one of: ${recipeNames().join(', ')}`);
  return recipe;
}

export function secondsOrUsage(option: string, value: string | undefined, example = 150): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (!(seconds > 0))
    throw inputError(option, `${value} is not a positive number of seconds`, `e.g. ${option} ${example}`);
  return seconds;
}

/** `--agent-wave N|P%`: N agents, or P% of the plan's agents (rounded up, at least 1); default one at a time. */
export function agentWaveOrUsage(value: string | undefined): AgentWaveSize | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  const count = /^\d+$/.test(v) ? Number(v) : NaN;
  if (count >= 1) return { count };
  const pct = /^(\d+(?:\.\d+)?)%$/.exec(v);
  const percent = pct ? Number(pct[1]) : NaN;
  if (percent > 0 && percent <= 100) return { percent };
  throw inputError(
    `--agent-wave ${value}`,
    'not a number of agents (1 or more) or a percentage of them (above 0%, at most 100%)',
    'e.g. --agent-wave 10 or --agent-wave 10% (1, the default, is one agent at a time)',
  );
}

export function settleOrUsage(value: string | undefined): number | undefined {
  return secondsOrUsage('--settle', value);
}

export async function runPlan(
  recipeName: string,
  opts: ClusterOptions & OutputOptions & { settle?: string; agentWave?: string },
): Promise<number> {
  const format = outputFormat(opts);
  const recipe = recipeOrUsage(recipeName, 'plan');
  const settleSeconds = settleOrUsage(opts.settle);
  const agentWave = agentWaveOrUsage(opts.agentWave);
  const session = await openClusterSession(opts);
  try {
    const report = await session.discover();
    const { result, text } = planOrRefusal(recipe, report, session.targets(), opts, {
      settleSeconds,
      agentWave,
      agentWaveSpec: opts.agentWave,
    });
    if (!result.ok) {
      const refused = nothingReachedButRefused(report);
      if (refused) {
        process.stderr.write(`${refused}\n`);
        return 2;
      }
      process.stderr.write(text);
      return 1;
    }
    process.stdout.write(format ? formatDocument(result.plan, format) : text);
    return 0;
  } finally {
    await session.dispose();
  }
}

// The plan as text for `keyturn plan` and the wizard's preview: per phase, per node, the exact commands.
import type { Plan, PlannedStep, PlanRefusal } from './plan-types.js';
import { describeWave } from './waves.js';

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((l) => prefix + l)
    .join('\n');
}

function stepLines(s: PlannedStep, n: number): string[] {
  const mark = s.destructive ? ' [destructive: type the node name]' : s.disrupts ? ' [takes the node down]' : '';
  const lines = [`    ${n}. ${s.title}${mark}`];
  // A command whose detail differs from its title says what it really does on this node (killall per distro).
  if (s.command !== null && s.detail !== s.title) lines.push(`         ${s.detail}`);
  if (s.command !== null) lines.push(indent(s.command, '         $ '));
  else lines.push(`         ${s.detail}`);
  return lines;
}

/** `runCommand`: the line that runs it (`keyturn plan` gives one with the operator's cluster options). */
export function renderPlanText(plan: Plan, runCommand = `keyturn run ${plan.recipe}`): string {
  const out: string[] = [];
  out.push(`Plan: ${plan.title} (${plan.recipe}) on ${plan.distro} ${plan.version}`.trimEnd());
  out.push(`Nodes in order: ${plan.nodes.map((n) => `${n.name} (${n.tier}${n.init ? ', init' : ''})`).join(', ')}`);
  const together = plan.blocks.find((b) => !b.rolling);
  const disruption = together
    ? `This recipe takes nodes down together on purpose ("${together.phaseTitle}"); they come back one at a time`
    : 'One server is disrupted at a time';
  out.push(`Settle time per server: ${plan.settleSeconds}s. ${disruption}; a failed gate stops the run.`);
  // A rehearsal says its waits are scaled, so nobody takes its timings for a real cluster's.
  if (plan.timeScale)
    out.push(`Rehearsal: keyturn's settle, gate and wait times are divided by the lab's speed ${plan.timeScale}.`);
  if (plan.waves && plan.agentWave) {
    out.push(
      `Agents in waves of at most ${plan.agentWave} (${plan.waves.length} wave${plan.waves.length === 1 ? '' : 's'}): one confirmation per wave; its nodes are stopped, changed and started together, then one gate names every node that failed it. Servers stay one at a time.`,
    );
    if (plan.agentRestartNote) out.push(plan.agentRestartNote);
  }
  for (const w of plan.warnings) out.push(`! ${w}`);
  let phase = '';
  for (const b of plan.blocks) {
    if (b.phase !== phase) {
      phase = b.phase;
      out.push('', `== ${b.phaseTitle}${b.rolling ? '' : ' (takes nodes down together, on purpose)'}`);
    }
    const wave = plan.waves?.find((w) => w.blocks[0] === b.key);
    if (wave) out.push(`  == ${describeWave(wave)} (confirm y/s/q once for the wave)`);
    const inWave = plan.waves?.some((w) => w.blocks.includes(b.key)) === true;
    const node = plan.nodes.find((n) => n.name === b.node);
    const ask = inWave
      ? 'in the wave'
      : b.confirm === 'none'
        ? 'no question'
        : b.typeName
          ? 'confirm by typing the node name'
          : 'confirm y/s/q';
    out.push(`  -- ${b.node} [${node?.unit ?? '?'}, ${node?.dataDir ?? '?'}] (${ask})`);
    b.steps.forEach((s, i) => out.push(...stepLines(s, i + 1)));
  }
  out.push('', `Nothing was changed. Run it with: ${runCommand}`);
  return out.join('\n') + '\n';
}

export function renderRefusal(recipe: string, refusal: PlanRefusal): string {
  return `keyturn: cannot plan ${recipe}: ${refusal.reason} — ${refusal.fix}\n`;
}

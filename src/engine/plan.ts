// planRun: recipe + discovered cluster → the ordered per-node plan with exact commands. Pure; refusals are values.
import { assertNever, defaultDataDir, isDistro, isServer, serviceUnit } from '../model/cluster.js';
import type { Distro } from '../model/cluster.js';
import type { StatusReport } from '../model/status.js';
import { compareVersions, parseKubeVersion } from '../model/versions.js';
import type { NeededWhen, Phase, Recipe, Step, VersionCondition } from '../recipe-schema/types.js';
import { validateRecipe } from '../recipe-schema/validate.js';
import { backupPlans, opDestructive, renderBackup, renderCheck, renderOp } from './commands.js';
import { describeStep } from './describe.js';
import { chooseFlow } from './flows.js';
import { selectNodes } from './order.js';
import { rotationOrder, tierOf } from '../model/rotation-order.js';
import type { Plan, PlannedBlock, PlannedNode, PlannedStep, PlanOptions, PlanResult } from './plan-types.js';
import { scaledSeconds, scaleStep } from './time-scale.js';
import { agentRestartNote } from './killall.js';
import { planWaves, resolveWaveSize } from './waves.js';

export const DEFAULT_SETTLE_SECONDS = 150;

function refuse(reason: string, fix: string): PlanResult {
  return { ok: false, refusal: { reason, fix } };
}

function versionMatches(version: string, distro: Distro, when: VersionCondition | undefined): boolean {
  if (!when) return true;
  const v = parseKubeVersion(version);
  if (!v) return false; // unknown version: keep the plan to what every version does
  const below = when.versionBelow?.[distro];
  const atLeast = when.versionAtLeast?.[distro];
  if (below !== undefined) {
    const b = parseKubeVersion(below);
    if (b && compareVersions(v, b) >= 0) return false;
  }
  if (atLeast !== undefined) {
    const a = parseKubeVersion(atLeast);
    if (a && compareVersions(v, a) < 0) return false;
  }
  return true;
}

/** The operator's --gate-timeout replaces the recipe's timeout of every gate and wait. */
function withGateTimeout(step: Step, seconds: number | undefined): Step {
  if (seconds === undefined) return step;
  return step.kind === 'gate' || step.kind === 'wait' ? { ...step, timeoutSeconds: seconds } : step;
}

function planStep(
  recipe: Recipe,
  phase: Phase,
  step: Step,
  node: PlannedNode,
  runId: string,
  settle: number,
): PlannedStep {
  const blockKey = `${recipe.name}/${node.name}/${phase.id}`;
  const base = {
    key: `${blockKey}.${step.id}`,
    blockKey,
    phase: phase.id,
    stepId: step.id,
    node: node.name,
    kind: step.kind,
    title: step.title,
    step,
    detail: describeStep(step, node, settle),
    disrupts: false,
    destructive: false,
    tail: false,
  };
  switch (step.kind) {
    case 'command':
      return {
        ...base,
        command: renderOp(step.run, node),
        check: renderCheck(step.run, node),
        disrupts: step.disrupts === true,
        destructive: step.destructive === true || opDestructive(step.run, node),
        tail: step.tail === true,
      };
    case 'backup':
      return { ...base, command: renderBackup(backupPlans(step.what, node, runId)), check: null };
    case 'wait':
    case 'gate':
    case 'settle':
    case 'pause':
      return { ...base, command: null, check: null };
  }
}

function planNodes(cluster: StatusReport, options: PlanOptions, warnings: string[]): PlannedNode[] | string {
  const nodes: PlannedNode[] = [];
  for (const n of cluster.nodes) {
    const facts = options.nodeFacts?.[n.name] ?? {};
    const distro = facts.distro ?? (isDistro(cluster.cluster.distro) ? cluster.cluster.distro : undefined);
    if (!distro) return `node ${n.name}: distro unknown`;
    if (!n.reachable) {
      warnings.push(`${n.name} is not reachable: left out of the plan`);
      continue;
    }
    nodes.push({
      name: n.name,
      address: n.address,
      roles: [...n.roles],
      distro,
      // The inventory's, else the one the scan found on the node (ExecStart flag, config.yaml), else the default.
      dataDir: facts.dataDir ?? n.dataDir ?? defaultDataDir(distro),
      // The unit discovery found on the node (a k3s unit may be k3s-<INSTALL_K3S_NAME>), else upstream's default.
      unit: n.service.unit || serviceUnit(distro, n.roles),
      tier: tierOf(n.roles),
      server: isServer(n.roles),
      etcd: n.roles.includes('etcd'),
      version: n.version || cluster.cluster.version,
      init: n.init === true,
    });
  }
  return rotationOrder(nodes);
}

/**
 * A whole-cluster recipe on a cluster that does not show its situation: the warning to put first, else null. The
 * diagnoses are the one home of "this is a restart loop" and "these certificates expired": a diagnosis that names
 * the recipe as its fix is the situation.
 */
function needlessWarning(name: string, when: NeededWhen, cluster: StatusReport): string | null {
  if (cluster.nodes.some((n) => n.diagnoses.some((d) => d.recipe === name))) return null;
  switch (when) {
    case 'expired-leaf':
      if (cluster.nodes.some((n) => n.certificates.some((c) => !c.isCA && c.status === 'expired'))) return null;
      return `no expired certificate found on any node, and ${name} takes EVERY node down: \`rotate-certs\` renews leaves one node at a time. To go ahead anyway, type the first node's name`;
    case 'restart-loop':
      return `no restart loop detected on any node, and ${name} takes EVERY node down (a full outage). To go ahead anyway, type the first node's name`;
    default:
      return assertNever(when);
  }
}

export function planRun(recipe: Recipe, cluster: StatusReport, options: PlanOptions = {}): PlanResult {
  const valid = validateRecipe(recipe);
  if (!valid.ok) return refuse(`recipe ${recipe.name} is invalid: ${valid.errors.join('; ')}`, 'fix the recipe file');
  const chosenSettle = options.settleSeconds ?? recipe.settleSeconds ?? DEFAULT_SETTLE_SECONDS;
  if (!(chosenSettle > 0))
    return refuse(`settle time ${chosenSettle}s is not positive`, 'pass --settle with a number of seconds, e.g. 150');
  const timeScale =
    options.timeScale !== undefined && options.timeScale > 0 && options.timeScale !== 1 ? options.timeScale : undefined;
  const settle = scaledSeconds(chosenSettle, timeScale);
  const warnings: string[] = [];
  const nodes = planNodes(cluster, options, warnings);
  if (typeof nodes === 'string')
    return refuse(nodes, 'set distro: in the inventory for that node, or pass --kubeconfig so keyturn can read it');
  if (nodes.length === 0)
    return refuse('no reachable node', 'check --inventory / --kubeconfig and that keyturn can reach the nodes');
  const distros = new Set(nodes.map((n) => n.distro));
  if (distros.size > 1)
    return refuse('the nodes run different distros', 'plan each cluster separately; check distro: in the inventory');
  const distro = nodes[0].distro;
  const unreachableEtcd = cluster.nodes.filter((n) => n.roles.includes('etcd') && !n.reachable).map((n) => n.name);
  if (!nodes.some((n) => n.etcd)) {
    return refuse(
      'the cluster has no reachable etcd server',
      'list the etcd servers in --inventory (roles: [etcd]) and make them reachable; clusters on an external datastore are not supported',
    );
  }
  if (unreachableEtcd.length > 0 && recipe.phases.some((p) => p.nodes !== 'agents')) {
    return refuse(
      `etcd server(s) ${unreachableEtcd.join(', ')} not reachable`,
      'make every etcd server reachable (ssh, inventory) before changing servers',
    );
  }
  const unreachableServers = cluster.nodes
    .filter((n) => n.roles.some((r) => r !== 'worker') && !n.reachable)
    .map((n) => n.name);
  if (recipe.requires?.everyServer && unreachableServers.length > 0) {
    return refuse(
      `server(s) ${unreachableServers.join(', ')} not reachable, and ${recipe.name} needs every server: ${recipe.requires.everyServer}`,
      'make every server reachable (ssh, inventory), then plan again',
    );
  }
  const version = cluster.cluster.version || nodes[0].version;
  const min = recipe.requires?.versionAtLeast?.[distro];
  if (min !== undefined) {
    const too = nodes.filter(
      (n) => n.server && !versionMatches(n.version, distro, { versionAtLeast: { [distro]: min } }),
    );
    if (too.length > 0) {
      return refuse(
        `${recipe.name} needs ${min} or newer; ${too.map((n) => `${n.name} runs ${n.version || 'an unknown version'}`).join(', ')}`,
        `upgrade the cluster first${recipe.requires?.note ? ` (${recipe.requires.note})` : ''}`,
      );
    }
  }
  const chosen = chooseFlow(recipe, nodes, options);
  if (!chosen.ok) return { ok: false, refusal: chosen.refusal };
  warnings.push(...chosen.warnings);
  const runId = options.runId ?? '<run-id>';
  const blocks: PlannedBlock[] = [];
  for (const phase of recipe.phases) {
    if (phase.flow !== undefined && phase.flow !== chosen.flow) continue;
    for (const node of selectNodes(nodes, phase.nodes, phase.order)) {
      const steps = phase.steps.filter(
        (s) => versionMatches(node.version, node.distro, s.when) || s.when === undefined,
      );
      const planned = steps.map((s) =>
        planStep(
          recipe,
          phase,
          scaleStep(withGateTimeout(s, options.gateTimeoutSeconds), timeScale),
          node,
          runId,
          settle,
        ),
      );
      if (planned.length === 0) continue;
      blocks.push({
        key: `${recipe.name}/${node.name}/${phase.id}`,
        phase: phase.id,
        phaseTitle: phase.title,
        node: node.name,
        confirm: phase.confirm ?? 'per-node',
        typeName: planned.some((s) => s.destructive),
        rolling: phase.rolling ?? true,
        steps: planned,
      });
    }
  }
  // An overridden refusal: the first confirmed block asks for the phrase again, in the run's own record.
  const firstConfirmed = blocks.find((b) => b.confirm === 'per-node');
  const needless = recipe.neededWhen ? needlessWarning(recipe.name, recipe.neededWhen, cluster) : null;
  if (needless) {
    warnings.unshift(needless);
    if (firstConfirmed) firstConfirmed.typeName = true;
  }
  if (options.acceptRisk !== undefined && chosen.warnings.some((w) => w.startsWith('risk accepted')) && firstConfirmed)
    firstConfirmed.typedPhrase = options.acceptRisk;
  const agentPhases = new Set(recipe.phases.filter((p) => p.nodes === 'agents').map((p) => p.id));
  const waveSize = resolveWaveSize(options.agentWave, nodes.filter((n) => !n.server).length);
  const waves = planWaves(recipe.name, blocks, nodes, agentPhases, waveSize);
  if (recipe.support === 'plan-only')
    warnings.push(`${recipe.name} is plan-only in this release: \`keyturn run\` refuses it`);
  const plan: Plan = {
    recipe: recipe.name,
    title: recipe.title,
    support: recipe.support,
    runId,
    distro,
    version,
    settleSeconds: settle,
    ...(timeScale ? { timeScale } : {}),
    nodes,
    blocks,
    warnings,
    ...(chosen.flow ? { flow: chosen.flow } : {}),
    // Absent at the default (one at a time), so such a plan is exactly what it always was.
    ...(waves.length > 0 ? { agentWave: waveSize, waves, agentRestartNote: agentRestartNote(distro) } : {}),
  };
  return { ok: true, plan };
}

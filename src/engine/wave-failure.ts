// A wave's one verdict: the failures of its nodes folded into one Failure that names every node that failed.
import type { Failure } from './events.js';
import type { PlannedWave } from './plan-types.js';

/** Evidence lines kept per failed node: a wave of 20 failed agents still fits a screen and a report. */
const EVIDENCE_PER_NODE = 5;

export function waveFailure(wave: PlannedWave, failed: readonly Failure[]): Failure {
  // In the wave's (rotation) order, not the order the nodes happened to fail in.
  const at = (f: Failure) => wave.nodes.indexOf(f.node);
  const failures = [...failed].sort((a, b) => at(a) - at(b));
  const first = failures[0];
  const nodes = [...new Set(failures.map((f) => f.node))];
  const where = `wave ${wave.index} of ${wave.of} (${wave.nodes.length} agent${wave.nodes.length === 1 ? '' : 's'})`;
  if (failures.length === 1) return { ...first, message: `${where}: ${first.message}`, nodes };
  const checks = [...new Set(failures.map((f) => f.check))];
  return {
    node: first.node,
    key: first.key,
    check: checks.length === 1 ? checks[0] : 'wave',
    message: `${nodes.length} nodes of ${where} failed: ${failures.map((f) => `${f.node} (${f.check})`).join(', ')}`,
    command: null,
    exitCode: null,
    evidence: failures.flatMap((f) => [
      `${f.node}: ${f.message}`,
      ...f.evidence.slice(-EVIDENCE_PER_NODE).map((l) => `  ${l}`),
    ]),
    fix: [...new Set(failures.map((f) => f.fix))].join(' / '),
    nodes,
  };
}

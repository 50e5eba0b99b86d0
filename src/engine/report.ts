// The run's audit record as Markdown, for the incident review: who, when, which cluster, each node's steps with
// commands, durations, exit codes, gate results, backups, and the final certificate expiry. Pure.
import { describeCluster } from '../model/cluster-identity.js';
import { redact } from '../util/redact.js';
import type { ExecRecord, GateCheckResult } from './events.js';
import { mdCode, mdCodeCell, mdFence, mdText as md } from './markdown.js';
import type { RunState, StepState } from './reducer.js';

function dur(st: StepState): string {
  if (!st.startedAt || !st.finishedAt) return '';
  const s = (Date.parse(st.finishedAt) - Date.parse(st.startedAt)) / 1000;
  return s >= 60 ? `${Math.floor(s / 60)}m${Math.round(s % 60)}s` : `${Math.round(s * 10) / 10}s`;
}

function exitOf(execs: ExecRecord[]): string {
  const last = execs.at(-1);
  if (!last) return '';
  return last.outcome === 'ok' || last.outcome === 'exit' ? String(last.code) : last.outcome;
}

function resultOf(st: StepState): string {
  const r = st.result;
  if (!r) return st.status === 'running' ? 'interrupted' : st.status;
  switch (r.status) {
    case 'done':
      return `done: ${md(r.summary)}`;
    case 'failed':
      return `**FAILED**: ${md(r.failure.message)}`;
    case 'skipped':
      return `skipped: ${md(r.reason)}`;
  }
}

function gateLines(gate: GateCheckResult[]): string[] {
  return gate.map((g) => `  - ${md(g.check)}: ${g.status} — ${md(g.detail)}`);
}

export function renderReport(state: RunState): string {
  const { plan } = state;
  const out: string[] = [];
  const ended = state.outcome.status === 'active' ? null : state.outcome.at;
  out.push(`# keyturn run ${md(state.runId)}: ${md(plan.title)}`, '');
  out.push(`- **Recipe:** ${md(plan.recipe)}`);
  out.push(
    `- **Cluster:** ${md(describeCluster(state.cluster))}; ${plan.distro} ${md(plan.version) || '(version unknown: the API could not be read when the run was planned)'}, ${plan.nodes.length} nodes (${plan.nodes.map((n) => md(n.name)).join(', ')})`,
  );
  out.push(
    `- **Operator:** ${[...new Set(state.operators.map((o) => md(`${o.user}@${o.host}`)))].join(', ')} (${state.sessions} session${state.sessions === 1 ? '' : 's'})`,
  );
  out.push(`- **Started:** ${state.createdAt}`);
  out.push(`- **Ended:** ${ended ?? 'not ended (interrupted; `keyturn resume` continues it)'}`);
  const why =
    state.outcome.status === 'stopped'
      ? ` (${md(state.outcome.detail)})`
      : state.outcome.status === 'abandoned'
        ? ` by ${md(state.outcome.by)}: ${md(state.outcome.reason)}`
        : '';
  out.push(`- **Outcome:** ${state.outcome.status}${why}`);
  out.push(`- **Settle time:** ${plan.settleSeconds}s`);
  if (state.outcome.status === 'failed') {
    const f = state.outcome.failure;
    out.push('', '## Failure', '');
    out.push(
      `- **Node${f.nodes && f.nodes.length > 1 ? 's' : ''}:** ${(f.nodes && f.nodes.length > 1 ? f.nodes : [f.node]).map(md).join(', ')}`,
      `- **Check:** ${md(f.check)}`,
      `- **Step:** ${md(f.key)}`,
      `- **What:** ${md(f.message)}`,
    );
    if (f.command) out.push(`- **Command:** ${mdCode(f.command)}`);
    if (f.exitCode !== null) out.push(`- **Exit code:** ${f.exitCode}`);
    out.push(`- **Fix:** ${md(f.fix)}`);
    // Evidence is node output, verbatim: in a fence no line of it can close.
    if (f.evidence.length > 0) out.push('', ...mdFence(f.evidence));
  }
  if (plan.waves && plan.agentWave) {
    out.push('', '## Agent waves', '', `At most ${plan.agentWave} agents at a time; servers one at a time.`, '');
    out.push('| Wave | Nodes | Confirmed | Result |', '|---|---|---|---|');
    for (const w of plan.waves) {
      const ws = state.waves?.[w.key];
      const failed = ws?.failed ?? null;
      const result =
        failed === null
          ? ws && ws.confirmedAt.length > 0
            ? 'interrupted: continued node by node'
            : 'not run as a wave'
          : failed.length === 0
            ? 'passed'
            : `**FAILED** on ${failed.map(md).join(', ')}`;
      out.push(
        `| ${w.index} of ${w.of} (${md(w.phase)}) | ${w.nodes.map(md).join(', ')} | ${ws?.confirmedAt.join(', ') ?? ''} | ${result} |`,
      );
    }
  }
  out.push('', '## Nodes');
  for (const node of plan.nodes) {
    const blocks = plan.blocks.filter((b) => b.node === node.name);
    out.push('', `### ${md(node.name)} (${node.tier}, ${md(node.unit)}, ${md(node.address)})`, '');
    const backups: string[] = [];
    const gates: string[] = [];
    out.push('| Step | Command | Started | Duration | Exit | Result |', '|---|---|---|---|---|---|');
    for (const b of blocks) {
      const bs = state.blocks[b.key];
      if (bs.skipped !== null) {
        out.push(`| ${md(b.phase)} | | | | | skipped: ${md(bs.skipped)} |`);
        continue;
      }
      for (const s of b.steps) {
        const st = state.steps[s.key];
        const execs = st.result && st.result.status !== 'skipped' ? st.result.execs : [];
        const data = st.result && st.result.status !== 'skipped' ? st.result.data : undefined;
        if (data?.backups) backups.push(...data.backups);
        if (data?.gate) gates.push(`- ${md(s.key)}:`, ...gateLines(data.gate));
        const cmd = s.command
          ? s.kind === 'backup'
            ? 'copy aside (see Backups)'
            : mdCodeCell(s.command)
          : md(s.detail);
        out.push(
          `| ${md(`${s.phase}.${s.stepId}`)} | ${cmd} | ${md(st.startedAt ?? '')} | ${dur(st)} | ${exitOf(execs)} | ${resultOf(st)} |`,
        );
      }
    }
    if (gates.length > 0) out.push('', '**Gates**', '', ...gates);
    if (backups.length > 0) out.push('', '**Backups**', '', ...[...new Set(backups)].map((p) => `- ${mdCode(p)}`));
  }
  out.push('', '## Certificate expiry after the run', '', '| Node | Earliest leaf expiry |', '|---|---|');
  for (const node of plan.nodes) out.push(`| ${md(node.name)} | ${md(finalExpiry(state, node.name) ?? 'not read')} |`);
  // Journals written before the redactor, and anything it learned since, are hidden here too: a report is shared.
  return redact(out.join('\n') + '\n');
}

function finalExpiry(state: RunState, node: string): string | null {
  let found: string | null = null;
  for (const b of state.plan.blocks.filter((x) => x.node === node)) {
    for (const s of b.steps) {
      const r = state.steps[s.key].result;
      if (r && r.status !== 'skipped')
        for (const g of r.data?.gate ?? []) if (g.earliestLeafExpiry) found = g.earliestLeafExpiry;
    }
  }
  return found;
}

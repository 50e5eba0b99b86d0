// The run's audit record as Markdown, for the incident review: who, when, which cluster, each node's steps with
// commands, durations, exit codes, gate results, backups, and the final certificate expiry. Pure.
import { describeCluster } from '../model/cluster-identity.js';
import { redact } from '../util/redact.js';
import type { ExecRecord, GateCheckResult } from './events.js';
import type { RunState, StepState } from './reducer.js';

function dur(st: StepState): string {
  if (!st.startedAt || !st.finishedAt) return '';
  const s = (Date.parse(st.finishedAt) - Date.parse(st.startedAt)) / 1000;
  return s >= 60 ? `${Math.floor(s / 60)}m${Math.round(s % 60)}s` : `${Math.round(s * 10) / 10}s`;
}

const cell = (t: string) => t.replace(/\|/g, '\\|').replace(/\n/g, '<br>');
const code = (t: string) => (t ? `\`${t.replace(/`/g, "'")}\`` : '');

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
      return `done: ${r.summary}`;
    case 'failed':
      return `**FAILED**: ${r.failure.message}`;
    case 'skipped':
      return `skipped: ${r.reason}`;
  }
}

function gateLines(gate: GateCheckResult[]): string[] {
  return gate.map((g) => `  - ${g.check}: ${g.status} — ${g.detail}`);
}

export function renderReport(state: RunState): string {
  const { plan } = state;
  const out: string[] = [];
  const ended = state.outcome.status === 'active' ? null : state.outcome.at;
  out.push(`# keyturn run ${state.runId}: ${plan.title}`, '');
  out.push(`- **Recipe:** ${plan.recipe}`);
  out.push(`- **Cluster:** ${describeCluster(state.cluster)}; ${plan.distro} ${plan.version || '(version unknown: the API could not be read when the run was planned)'}, ${plan.nodes.length} nodes (${plan.nodes.map((n) => n.name).join(', ')})`);
  out.push(`- **Operator:** ${[...new Set(state.operators.map((o) => `${o.user}@${o.host}`))].join(', ')} (${state.sessions} session${state.sessions === 1 ? '' : 's'})`);
  out.push(`- **Started:** ${state.createdAt}`);
  out.push(`- **Ended:** ${ended ?? 'not ended (interrupted; `keyturn resume` continues it)'}`);
  const why = state.outcome.status === 'stopped' ? ` (${state.outcome.detail})` : state.outcome.status === 'abandoned' ? ` by ${state.outcome.by}: ${state.outcome.reason}` : '';
  out.push(`- **Outcome:** ${state.outcome.status}${why}`);
  out.push(`- **Settle time:** ${plan.settleSeconds}s`);
  if (state.outcome.status === 'failed') {
    const f = state.outcome.failure;
    out.push('', '## Failure', '');
    out.push(`- **Node:** ${f.node}`, `- **Check:** ${f.check}`, `- **Step:** ${f.key}`, `- **What:** ${f.message}`);
    if (f.command) out.push(`- **Command:** ${code(f.command)}`);
    if (f.exitCode !== null) out.push(`- **Exit code:** ${f.exitCode}`);
    out.push(`- **Fix:** ${f.fix}`);
    if (f.evidence.length > 0) out.push('', '```', ...f.evidence, '```');
  }
  out.push('', '## Nodes');
  for (const node of plan.nodes) {
    const blocks = plan.blocks.filter((b) => b.node === node.name);
    out.push('', `### ${node.name} (${node.tier}, ${node.unit}, ${node.address})`, '');
    const backups: string[] = [];
    const gates: string[] = [];
    out.push('| Step | Command | Started | Duration | Exit | Result |', '|---|---|---|---|---|---|');
    for (const b of blocks) {
      const bs = state.blocks[b.key];
      if (bs.skipped !== null) {
        out.push(`| ${b.phase} | | | | | skipped: ${cell(bs.skipped)} |`);
        continue;
      }
      for (const s of b.steps) {
        const st = state.steps[s.key];
        const execs = st.result && st.result.status !== 'skipped' ? st.result.execs : [];
        const data = st.result && st.result.status !== 'skipped' ? st.result.data : undefined;
        if (data?.backups) backups.push(...data.backups);
        if (data?.gate) gates.push(`- ${s.key}:`, ...gateLines(data.gate));
        const cmd = s.command ? (s.kind === 'backup' ? 'copy aside (see Backups)' : code(s.command)) : cell(s.detail);
        out.push(`| ${s.phase}.${s.stepId} | ${cmd} | ${st.startedAt ?? ''} | ${dur(st)} | ${exitOf(execs)} | ${cell(resultOf(st))} |`);
      }
    }
    if (gates.length > 0) out.push('', '**Gates**', '', ...gates);
    if (backups.length > 0) out.push('', '**Backups**', '', ...[...new Set(backups)].map((p) => `- \`${p}\``));
  }
  out.push('', '## Certificate expiry after the run', '', '| Node | Earliest leaf expiry |', '|---|---|');
  for (const node of plan.nodes) out.push(`| ${node.name} | ${finalExpiry(state, node.name) ?? 'not read'} |`);
  // Journals written before the redactor, and anything it learned since, are hidden here too: a report is shared.
  return redact(out.join('\n') + '\n');
}

function finalExpiry(state: RunState, node: string): string | null {
  let found: string | null = null;
  for (const b of state.plan.blocks.filter((x) => x.node === node)) {
    for (const s of b.steps) {
      const r = state.steps[s.key].result;
      if (r && r.status !== 'skipped') for (const g of r.data?.gate ?? []) if (g.earliestLeafExpiry) found = g.earliestLeafExpiry;
    }
  }
  return found;
}

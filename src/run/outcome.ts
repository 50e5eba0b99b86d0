// How a run ended, as the command prints it after the screen is gone: its lines and its exit code.
import { stoppedLine, stoppedNodes } from '../engine/index.js';
import type { RunState } from '../engine/index.js';
import type { CommandText } from './deps.js';

export interface RunOutcome {
  exitCode: number;
  lines: string[];
  runId: string | null;
  status: 'succeeded' | 'failed' | 'stopped' | 'refused' | 'cancelled';
}

export const refused = (line: string, runId: string | null = null): RunOutcome => ({
  exitCode: 1,
  lines: [line],
  runId,
  status: 'refused',
});

export function outcomeOf(state: RunState, say: CommandText): RunOutcome {
  const { runId } = state;
  const report = `audit record: ${say.command(['report', runId])}`;
  const resume = `\`${say.command(['resume'])}\``;
  const o = state.outcome;
  switch (o.status) {
    case 'succeeded':
      return {
        exitCode: 0,
        runId,
        status: 'succeeded',
        lines: [`✓ ${state.plan.recipe} succeeded on every node — run ${runId}; ${report}`],
      };
    case 'failed':
      return {
        exitCode: 1,
        runId,
        status: 'failed',
        lines: [
          `✗ stopped at ${o.failure.node}: ${o.failure.check} — ${say.withOptions(o.failure.fix)}`,
          ...stoppedNodes(state).map((n) => `⚠ ${stoppedLine(n)}`),
          `run ${runId}: fix the cause, then ${resume}; ${report}`,
        ],
      };
    case 'stopped':
      return {
        exitCode: 1,
        runId,
        status: 'stopped',
        lines: [
          `■ ${o.reason === 'quit' ? 'quit' : 'interrupted'} (${o.detail}): resume with ${resume} — run ${runId}; ${report}`,
        ],
      };
    case 'active':
      return {
        exitCode: 1,
        runId,
        status: 'stopped',
        lines: [`■ run ${runId} did not finish: resume with ${resume}; ${report}`],
      };
    case 'abandoned':
      return {
        exitCode: 1,
        runId,
        status: 'stopped',
        lines: [`■ run ${runId} was abandoned by ${o.by} (${o.reason}); ${report}`],
      };
  }
}

// An earlier run stopped before its end (keyturn was killed, the operator quit, a gate failed): the dashboard says
// so first, because finishing or reviewing it comes before starting anything new on the same cluster.
import React from 'react';
import { Box, Text } from 'ink';

export interface InterruptedRun {
  runId: string;
  recipe: string;
  /** Where it stands, e.g. "stopped: interrupted · 9 of 34 steps done · last on etcd-2". */
  summary: string;
  /** The `keyturn report …` line to review it (with the --state-dir the operator gave). */
  reportCommand: string;
  /** Who is running it right now in another terminal ("ops@bastion, pid 4242"): then it is not offered. */
  runningElsewhere?: string;
}

export interface InterruptedRunBannerProps {
  run: InterruptedRun;
  /** A read-only wizard: the run is shown, not offered (no c, no x). */
  readOnly?: boolean;
}

export function InterruptedRunBanner({ run, readOnly = false }: InterruptedRunBannerProps): React.JSX.Element {
  return (
    <Box borderStyle="round" borderColor="yellow" paddingX={1} flexDirection="column">
      <Text color="yellow" bold>
        ⚠ {run.runningElsewhere ? `A ${run.recipe} run is in progress` : `An earlier ${run.recipe} run did not finish`}:{' '}
        {run.runId}
      </Text>
      <Text>{run.summary}</Text>
      {run.runningElsewhere ? (
        <Text>
          It is running now in another terminal ({run.runningElsewhere}): follow it there, or see{' '}
          <Text bold>{run.reportCommand}</Text>.
        </Text>
      ) : readOnly ? (
        <Text>
          Read-only here: continue or abandon it without --read-only; see <Text bold>{run.reportCommand}</Text>.
        </Text>
      ) : (
        <Text>
          Press <Text bold>c</Text> to continue it (each node is confirmed again; finished steps are not repeated),{' '}
          <Text bold>x</Text> to abandon it (recorded, never offered again), or see{' '}
          <Text bold>{run.reportCommand}</Text>.
        </Text>
      )}
    </Box>
  );
}

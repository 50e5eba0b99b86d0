// Secrets re-encryption while the run waits for it: "N of M secrets" with a bar, the rate, the time left, where
// the reading comes from, and a warning that cannot be missed when nothing has moved for too long. Props only.
import React from 'react';
import { Box, Text } from 'ink';
import type { ReencryptProgress as Reading } from '../src/model/reencrypt.js';

/** One reading of the wait. */
export type ReencryptProgressView = Reading;

export interface ReencryptProgressProps {
  node: string;
  unit: string;
  /** The latest reading; null until the first poll answers. */
  progress: ReencryptProgressView | null;
  /** No change for this long shows the stall warning. */
  stallAfterSeconds: number;
  barWidth?: number;
}

/** 45s, 12m 05s, 3h 02m. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function describeSource(source: ReencryptProgressView['source']): string {
  switch (source) {
    case 'api':
      return "from the node's SecretsProgress events (API)";
    case 'journal':
      return "from the node's journal (the API is not answering)";
    case 'none':
      return 'no reading: the API is not answering and the journal could not be read';
    default: {
      const never: never = source;
      return String(never);
    }
  }
}

export function isStalled(progress: ReencryptProgressView, stallAfterSeconds: number): boolean {
  return !progress.finished && progress.stalledSeconds >= stallAfterSeconds;
}

function Bar({ done, total, width }: { done: number; total: number; width: number }): React.JSX.Element {
  const ratio = total > 0 ? Math.min(1, Math.max(0, done / total)) : 1;
  const filled = Math.round(ratio * width);
  return (
    <Text>
      <Text color="green">{'█'.repeat(filled)}</Text>
      <Text dimColor>{'░'.repeat(width - filled)}</Text>
    </Text>
  );
}

export function ReencryptProgress({
  node,
  unit,
  progress,
  stallAfterSeconds,
  barWidth = 40,
}: ReencryptProgressProps): React.JSX.Element {
  const stalled = progress !== null && isStalled(progress, stallAfterSeconds);
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={stalled ? 'yellow' : 'cyan'} paddingX={1}>
      <Text bold>
        Re-encrypting secrets on <Text color="cyan">{node}</Text>
        {progress?.finished ? <Text color="green"> ✓ finished</Text> : null}
      </Text>
      {progress === null ? <Text dimColor>waiting for the first reading…</Text> : null}
      {progress !== null && progress.total !== null ? (
        <Text>
          <Bar done={progress.done} total={progress.total} width={barWidth} />{' '}
          <Text bold>
            {progress.done} of {progress.total} secrets
          </Text>
          <Text dimColor>
            {' '}
            · {progress.total > 0 ? Math.floor((Math.min(progress.done, progress.total) / progress.total) * 100) : 100}%
          </Text>
        </Text>
      ) : null}
      {progress !== null && progress.total === null ? (
        <Text>
          <Text bold>{progress.done} secrets</Text> re-encrypted{' '}
          <Text dimColor>(total unknown: the API could not count the secrets)</Text>
        </Text>
      ) : null}
      {progress !== null ? (
        <Text dimColor wrap="truncate-end">
          {progress.ratePerSecond !== null ? `${progress.ratePerSecond} secrets/s` : 'rate not known yet'}
          {' · '}
          {progress.finished
            ? 'done'
            : progress.secondsLeft !== null
              ? `~${formatDuration(progress.secondsLeft)} left`
              : 'time left not known yet'}
          {' · '}
          {describeSource(progress.source)}
        </Text>
      ) : null}
      {stalled && progress !== null ? (
        <>
          <Text bold color="yellow">
            ⚠ No progress for {formatDuration(progress.stalledSeconds)} (warns after {formatDuration(stallAfterSeconds)}
            ): re-encryption may be stuck
          </Text>
          <Text color="yellow">
            {'  '}read `journalctl -u {unit}` on {node}
          </Text>
        </>
      ) : null}
    </Box>
  );
}

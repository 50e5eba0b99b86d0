// Why the run stopped: the check that failed, on which node, the evidence, the command and its exit code, and
// what to do next. Props only.
import React from 'react';
import { Box, Text } from 'ink';
import { screenText } from './screen-text.js';

export interface FailureView {
  node: string;
  check: string;
  message: string;
  command: string | null;
  exitCode: number | null;
  evidence: readonly string[];
  fix: string;
  /** An agent wave's verdict: every node that failed it. */
  nodes?: readonly string[];
}

export interface FailurePanelProps {
  failure: FailureView;
  /** One loud line per node the run left stopped ("<node> is STOPPED: …"), then what starting one did. */
  stopped?: readonly string[];
  /** The start of a stopped node offered now: y starts it, n leaves it stopped. */
  offer?: { node: string; unit: string; command: string } | null;
  /** Evidence lines shown at most (the newest). */
  maxEvidence?: number;
  /** The resume command to name (with the operator's --kubeconfig/--inventory… when given). */
  resumeCommand?: string;
}

export function FailurePanel({
  failure,
  stopped = [],
  offer = null,
  maxEvidence = 12,
  resumeCommand = 'keyturn resume',
}: FailurePanelProps): React.JSX.Element {
  // The check's own evidence comes first, the node's journal tail after it: keep the head and the end.
  const all = failure.evidence;
  const head = Math.ceil(maxEvidence / 2);
  const cut = all.length > maxEvidence;
  const evidence = cut
    ? [...all.slice(0, head), `… ${all.length - maxEvidence} lines …`, ...all.slice(all.length - (maxEvidence - head))]
    : all;
  const hidden = cut ? all.length - maxEvidence : 0;
  return (
    <Box flexDirection="column" borderStyle="double" borderColor="red" paddingX={1}>
      <Text color="red" bold>
        ✗ Stopped: check {failure.check} failed on {(failure.nodes ?? [failure.node]).join(', ')}
      </Text>
      {stopped.map((line, i) => (
        <Text
          key={`stopped-${i}`}
          bold
          color={line.startsWith('✓') ? 'green' : 'red'}
          inverse={!line.startsWith('✓') && !line.startsWith('✗')}
        >
          {line.startsWith('✓') || line.startsWith('✗') ? line : `⚠ ${line}`}
        </Text>
      ))}
      {offer ? (
        <Text bold color="yellow">
          Start {offer.unit} on {offer.node} now (`{offer.command}`)? y starts it · n leaves it stopped
        </Text>
      ) : null}
      <Text>{screenText(failure.message)}</Text>
      {failure.command !== null ? (
        <Text>
          <Text dimColor>command: </Text>
          {failure.command}
          <Text dimColor> → exit {failure.exitCode === null ? 'none' : failure.exitCode}</Text>
        </Text>
      ) : null}
      {evidence.length > 0 ? (
        <Text dimColor>evidence{hidden > 0 ? ` (${maxEvidence} of ${all.length} lines)` : ''}:</Text>
      ) : null}
      {evidence.map((line, i) => (
        <Text key={i} wrap="truncate-end">
          {'  '}
          {screenText(line)}
        </Text>
      ))}
      <Box marginTop={1}>
        <Text>
          <Text bold color="yellow">
            What to do:{' '}
          </Text>
          {failure.fix}
        </Text>
      </Box>
      <Text dimColor>
        Nothing after this step ran. Fix the cause, then `{resumeCommand}` checks this step and carries on.
      </Text>
    </Box>
  );
}

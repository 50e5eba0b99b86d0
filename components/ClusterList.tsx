// The wizard's cluster picker: one row per kubeconfig context with the same summary `keyturn status --all-contexts`
// prints (distro, version, nodes, earliest expiry, CA/encryption/etcd verdicts, failing checks, or why it could not
// be read), and under it the highlighted cluster's expiry timeline. Props only: the screen owns keys and scans.
import React from 'react';
import { Box, Text } from 'ink';
import type { ClusterRead } from '../src/model/cluster-summary.js';
import type { CheckStatus } from '../src/model/status.js';
import { ExpiryTimeline } from './ExpiryTimeline.js';

export interface ClusterListProps {
  contexts: readonly string[];
  /** Each context's scan once it ended (by context name). */
  reads: ReadonlyMap<string, ClusterRead>;
  selected: number;
  width?: number;
  /** Rows the highlighted cluster's timeline may take. */
  timelineRows?: number;
}

const VERDICT: Record<CheckStatus, { text: string; color?: string }> = {
  pass: { text: 'ok', color: 'green' },
  warn: { text: 'WARN', color: 'yellow' },
  fail: { text: 'FAIL', color: 'red' },
  unknown: { text: '?' },
};

function fit(text: string, max: number): string {
  return text.length <= max ? text.padEnd(max) : `${text.slice(0, max - 1)}…`;
}

function Row({
  context,
  read,
  selected,
  nameWidth,
  width,
}: {
  context: string;
  read: ClusterRead | undefined;
  selected: boolean;
  nameWidth: number;
  width: number;
}): React.JSX.Element {
  const mark = selected ? '❯ ' : '  ';
  const name = fit(context, nameWidth);
  if (!read) {
    return (
      <Text>
        <Text color={selected ? 'cyan' : undefined}>
          {mark}
          {name}
        </Text>{' '}
        <Text dimColor>scanning…</Text>
      </Text>
    );
  }
  const s = read.summary;
  if (!s || (read.exitCode === 2 && s.reachableNodes === 0)) {
    return (
      <Text wrap="truncate">
        <Text color={selected ? 'cyan' : undefined}>
          {mark}
          {name}
        </Text>{' '}
        <Text color="red">NOT READ: {read.problem ?? 'unknown'}</Text>
      </Text>
    );
  }
  const e = s.earliestExpiry;
  const expiry = !e ? '-' : e.daysLeft <= 0 ? `EXPIRED ${-e.daysLeft}d ago` : `${e.daysLeft}d`;
  const nodes = s.reachableNodes === s.nodes ? `${s.nodes} nodes` : `${s.reachableNodes}/${s.nodes} reached`;
  const verdict = (label: string, status: CheckStatus) => (
    <Text>
      {label} <Text color={VERDICT[status].color}>{VERDICT[status].text.padEnd(4)}</Text>{' '}
    </Text>
  );
  const failing = s.failing.length > 0 ? s.failing.join(',') : 'all checks pass';
  return (
    <Box width={width}>
      <Text wrap="truncate">
        <Text color={selected ? 'cyan' : undefined} bold={selected}>
          {mark}
          {name}
        </Text>{' '}
        {fit(`${s.distro} ${s.version || '-'}`, 22)} {fit(nodes, 14)} {fit(`expiry ${expiry}`, 22)}{' '}
        {verdict('CA', s.ca)}
        {verdict('enc', s.encryption)}
        {verdict('etcd', s.etcd)}
        <Text color={s.failing.length > 0 ? 'yellow' : 'green'}>{failing}</Text>
        {read.problem ? <Text color="red"> {read.problem}</Text> : null}
      </Text>
    </Box>
  );
}

export function ClusterList({
  contexts,
  reads,
  selected,
  width = 100,
  timelineRows = 8,
}: ClusterListProps): React.JSX.Element {
  const nameWidth = Math.min(24, Math.max(7, ...contexts.map((c) => c.length)));
  const current = contexts[selected];
  const read = current === undefined ? undefined : reads.get(current);
  return (
    <Box flexDirection="column">
      <Text bold>
        Clusters in the kubeconfig ({reads.size} of {contexts.length} scanned) — pick one
      </Text>
      {contexts.map((context, i) => (
        <Row
          key={context}
          context={context}
          read={reads.get(context)}
          selected={i === selected}
          nameWidth={nameWidth}
          width={width}
        />
      ))}
      <Box marginTop={1} flexDirection="column">
        <Text bold>{current}</Text>
        {read?.report && read.report.nodes.length > 0 ? (
          <ExpiryTimeline
            nodes={read.report.nodes}
            maxRows={timelineRows}
            barWidth={Math.max(20, Math.min(50, width - 40))}
          />
        ) : (
          <Text dimColor>{read ? 'no certificates read' : 'scanning…'}</Text>
        )}
      </Box>
    </Box>
  );
}

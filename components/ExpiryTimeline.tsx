// One bar per node: how many days its earliest leaf certificate has left, on a fixed scale, with the renew window
// marked. People at 3 a.m. would rather see "that bar is short and red" than read a column of numbers.
import React from 'react';
import { Box, Text } from 'ink';
import type { NodeStatus } from '../src/model/status.js';
import { TONE_COLOR, certTone, earliestLeaf, orderNodes, visibleWindow } from './node-facts.js';

export interface ExpiryTimelineProps {
  nodes: readonly NodeStatus[];
  /** Leaves inside this many days are re-issued on the next start (120 since May 2025 releases, 90 before). */
  renewWindowDays?: number;
  /** Right end of the scale; leaves last 365 days, so ~400 shows a fresh certificate as an almost full bar. */
  scaleDays?: number;
  barWidth?: number;
  /** Large clusters: at most this many bars, around the selected node. */
  maxRows?: number;
  selected?: string | null;
}

interface Segment {
  text: string;
  color?: string;
  dim?: boolean;
}

/** Column of the bar where `days` falls; exported so tests can find the marker. */
export function columnFor(days: number, scaleDays: number, barWidth: number): number {
  const clamped = Math.max(0, Math.min(days, scaleDays));
  return Math.min(barWidth - 1, Math.round((clamped / scaleDays) * barWidth));
}

function barSegments(
  days: number,
  color: string | undefined,
  marker: number,
  scaleDays: number,
  width: number,
): Segment[] {
  const filled = days <= 0 ? 0 : Math.max(1, columnFor(days, scaleDays, width));
  const segments: Segment[] = [];
  for (let i = 0; i < width; i += 1) {
    const seg: Segment =
      i === marker ? { text: '┃', color: 'yellow' } : i < filled ? { text: '█', color } : { text: '·', dim: true };
    const prev = segments[segments.length - 1];
    if (prev && prev.color === seg.color && prev.dim === seg.dim) prev.text += seg.text;
    else segments.push(seg);
  }
  return segments;
}

export function ExpiryTimeline({
  nodes,
  renewWindowDays = 120,
  scaleDays = 400,
  barWidth = 50,
  maxRows = Infinity,
  selected = null,
}: ExpiryTimelineProps): React.JSX.Element {
  const all = orderNodes(nodes);
  const { start, end } = visibleWindow(
    all.length,
    all.findIndex((n) => n.name === selected),
    maxRows,
  );
  const ordered = all.slice(start, end);
  const nameWidth = Math.min(24, Math.max(4, ...ordered.map((n) => n.name.length)));
  const marker = columnFor(renewWindowDays, scaleDays, barWidth);
  const scale = `0${' '.repeat(Math.max(1, marker - 1))}${renewWindowDays}d renew`;
  return (
    <Box flexDirection="column">
      <Text bold>Earliest leaf expiry (days left)</Text>
      {ordered.map((node) => {
        const leaf = earliestLeaf(node.certificates);
        const label = node.name.padEnd(nameWidth).slice(0, nameWidth);
        if (!leaf) {
          return (
            <Text key={node.name}>
              {label} <Text dimColor>no certificates read</Text>
            </Text>
          );
        }
        const color = TONE_COLOR[certTone(leaf.status)];
        const days = leaf.daysLeft <= 0 ? `expired ${-leaf.daysLeft}d ago` : `${leaf.daysLeft}d`;
        return (
          <Box key={node.name}>
            <Text>{label} </Text>
            {barSegments(leaf.daysLeft, color, marker, scaleDays, barWidth).map((s, i) => (
              <Text key={i} color={s.color} dimColor={s.dim}>
                {s.text}
              </Text>
            ))}
            <Text color={color}> {days}</Text>
          </Box>
        );
      })}
      <Text dimColor>
        {' '.repeat(nameWidth + 1)}
        {scale.padEnd(barWidth - 4)}
        {scaleDays}d
      </Text>
    </Box>
  );
}

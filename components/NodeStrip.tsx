// One line under the run's header: every node of the run with where it stands (done, now, next, pending, skipped,
// failed), so the operator sees where the run is. A cluster too big for the line gets counts and a window around
// the node the run is on. Props only: the states come from the run (src/engine/node-progress.ts).
import React from 'react';
import { Text } from 'ink';

export type StripState = 'done' | 'now' | 'next' | 'pending' | 'skipped' | 'failed';

export interface StripNode {
  name: string;
  progress: StripState;
}

export interface NodeStripProps {
  nodes: readonly StripNode[];
  /** Terminal columns: the line never wraps. */
  width: number;
}

const MARK: Record<StripState, { glyph: string; color?: string; bold?: boolean; dim?: boolean }> = {
  done: { glyph: '✓', color: 'green' },
  now: { glyph: '▶', color: 'cyan', bold: true },
  next: { glyph: '→', color: 'yellow' },
  pending: { glyph: '·', dim: true },
  skipped: { glyph: '↷', color: 'gray' },
  failed: { glyph: '✗', color: 'red', bold: true },
};

const MAX_NAME = 20;
const SEP = '  ';
const label = (n: StripNode) =>
  `${MARK[n.progress].glyph} ${n.name.length > MAX_NAME ? `${n.name.slice(0, MAX_NAME - 1)}…` : n.name}`;

/** "3 done · 1 skipped · 1 failed · 20 to go": what the window leaves out is still counted. */
export function stripCounts(nodes: readonly StripNode[]): string {
  const count = (p: StripState[]) => nodes.filter((n) => p.includes(n.progress)).length;
  const parts: string[] = [`${count(['done'])} done`];
  if (count(['skipped'])) parts.push(`${count(['skipped'])} skipped`);
  if (count(['failed'])) parts.push(`${count(['failed'])} failed`);
  parts.push(`${count(['now', 'next', 'pending'])} to go`);
  return parts.join(' · ');
}

/** The nodes shown: all when they fit, else the widest window around the node in focus that fits beside the counts. */
export function stripWindow(
  nodes: readonly StripNode[],
  width: number,
): { prefix: string; start: number; end: number } {
  const lengthOf = (start: number, end: number, prefix: string) =>
    prefix.length +
    (start > 0 ? 2 : 0) +
    nodes.slice(start, end).map(label).join(SEP).length +
    (end < nodes.length ? 2 : 0);
  if (lengthOf(0, nodes.length, '') <= width) return { prefix: '', start: 0, end: nodes.length };
  const prefix = `${stripCounts(nodes)} │ `;
  const focusOf = (p: StripState) => nodes.findIndex((n) => n.progress === p);
  const focus =
    [
      focusOf('now'),
      focusOf('failed'),
      focusOf('next'),
      nodes.findIndex((n) => n.progress !== 'done' && n.progress !== 'skipped'),
    ].find((i) => i >= 0) ?? nodes.length - 1;
  let start = focus;
  let end = focus + 1;
  // Grow one node to the right, then one to the left, while the line still fits.
  for (let grew = true; grew;) {
    grew = false;
    if (end < nodes.length && lengthOf(start, end + 1, prefix) <= width) {
      end += 1;
      grew = true;
    }
    if (start > 0 && lengthOf(start - 1, end, prefix) <= width) {
      start -= 1;
      grew = true;
    }
  }
  return { prefix, start, end };
}

export function NodeStrip({ nodes, width }: NodeStripProps): React.JSX.Element | null {
  if (nodes.length === 0) return null;
  const { prefix, start, end } = stripWindow(nodes, width);
  return (
    <Text wrap="truncate-end">
      {prefix ? <Text dimColor>{prefix}</Text> : null}
      {start > 0 ? <Text dimColor>… </Text> : null}
      {nodes.slice(start, end).map((n, i) => {
        const m = MARK[n.progress];
        return (
          <Text key={n.name}>
            {i > 0 ? SEP : ''}
            <Text color={m.color} bold={m.bold} dimColor={m.dim}>
              {label(n)}
            </Text>
          </Text>
        );
      })}
      {end < nodes.length ? <Text dimColor> …</Text> : null}
    </Text>
  );
}

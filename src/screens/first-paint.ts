// The wizard's first frame — the node list, each node "scanning…" — as plain text, drawn before Ink and React have
// loaded. Loading them and rendering their first (cold) frame takes a few hundred milliseconds on a small machine;
// an operator at 3 a.m. should see which nodes keyturn is about to read the moment it starts. Ink's first frame is
// this same frame (test/screens/first-paint.test.tsx holds the two equal, line for line), so the hand-over from this
// text to Ink cannot be seen. No Ink or React here: that is the point.
import type { Role } from '../model/cluster.js';
import type { NodePreview } from '../model/status.js';
import {
  GROUP_TITLES,
  TABLE_COLUMNS,
  groupOf,
  nameColumnWidth,
  orderNodes,
  previewMaxRows,
  previewSourceLine,
  scanningCells,
  visibleWindow,
  type NodeGroup,
} from '../../components/node-facts.js';
import { spinnerFrame } from '../../components/spinner-frames.js';
import { hintsFor } from './keymap.js';
import { READ_ONLY_LABEL, READ_ONLY_NOTE } from './read-only.js';

export interface PaintArea {
  columns: number;
  rows: number;
  /** Whether the terminal shows colours (Ink's styles are copied only then). */
  color: boolean;
}

export interface FirstPaint {
  text: string;
  /** Lines in `text`: what has to be erased when Ink takes over. */
  lines: number;
}

interface Styles {
  bold(s: string): string;
  dim(s: string): string;
  cyanBold(s: string): string;
  cyan(s: string): string;
  red(s: string): string;
  yellowBold(s: string): string;
}

const sgr = (on: string, off: string) => (s: string) => (s === '' ? s : `\u001b[${on}m${s}\u001b[${off}m`);
const COLOR: Styles = {
  bold: sgr('1', '22'),
  dim: sgr('2', '22'),
  cyanBold: (s) => sgr('1', '22')(sgr('36', '39')(s)),
  cyan: sgr('36', '39'),
  red: sgr('31', '39'),
  yellowBold: (s) => sgr('1', '22')(sgr('33', '39')(s)),
};
const identity = (s: string) => s;
const PLAIN: Styles = {
  bold: identity,
  dim: identity,
  cyanBold: identity,
  cyan: identity,
  red: identity,
  yellowBold: identity,
};

/** One fixed-width cell, cut with an ellipsis like Ink's wrap="truncate-end". */
function cell(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, Math.max(0, width - 1))}…` : text.padEnd(width);
}

function tableLines(preview: NodePreview, maxRows: number, st: Styles): string[] {
  const nodes = orderNodes(preview.nodes.map((n) => ({ ...n, roles: n.roles ?? ([] as Role[]) })));
  if (nodes.length === 0) return [st.bold('  NODE'), st.dim('no nodes found')];
  const nameWidth = nameColumnWidth(nodes);
  const row = (name: string, cells: readonly string[]) => [name, ...cells].join(' ').trimEnd();
  const lines = [
    st.bold(
      row(
        cell('  NODE', nameWidth),
        TABLE_COLUMNS.map((c) => cell(c.title, c.width)),
      ),
    ),
  ];
  const { start, end } = visibleWindow(nodes.length, -1, maxRows);
  if (start > 0) lines.push(st.dim(`  ↑ ${start} more`));
  let lastGroup: NodeGroup | null = null;
  for (const node of nodes.slice(start, end)) {
    const group = groupOf(node.roles);
    if (group !== lastGroup) lines.push(st.dim(`  ${GROUP_TITLES[group]}`));
    lastGroup = group;
    const cells = scanningCells(node).map((c, i) => cell(c.text, TABLE_COLUMNS[i].width));
    lines.push(row(`  ${cell(node.name, nameWidth - 2)}`, cells));
  }
  if (end < nodes.length) lines.push(st.dim(`  ↓ ${nodes.length - end} more`));
  return lines;
}

function hintLine(st: Styles): string {
  return hintsFor('discovering')
    .map((h) => (h.dangerous ? `${st.red(`⚠ ${h.key}`)}${st.red(` ${h.label}`)}` : `${st.cyanBold(h.key)} ${h.label}`))
    .join('  ');
}

const visible = (line: string) => line.replace(/\u001b\[[0-9;]*m/g, '');

/**
 * The first frame for this node list in a terminal of this size, or null when it would not draw the way Ink
 * draws it: a line too wide (Ink shrinks the name column or wraps), more lines than the terminal has (the frame
 * would scroll, and could not be erased), or characters whose width is not one column.
 */
export function firstPaint(
  preview: NodePreview,
  area: PaintArea,
  { readOnly = false }: { readOnly?: boolean } = {},
): FirstPaint | null {
  const st = area.color ? COLOR : PLAIN;
  const count = preview.nodes.length;
  // The read-only header's row is above the screen, as in App.tsx.
  const header = readOnly ? [`${st.yellowBold(READ_ONLY_LABEL)}${st.dim(` · ${READ_ONLY_NOTE}`)}`] : [];
  const lines = [
    ...header,
    `${st.bold(`${count} nodes`)} ${previewSourceLine(preview)}`,
    '',
    ...tableLines(preview, previewMaxRows(area.rows - header.length), st),
    '',
    `${st.cyan(spinnerFrame(0))} scanning ${count} nodes: certificates, CAs, encryption, etcd, services…`,
    '',
    hintLine(st),
  ];
  const plain = lines.map(visible);
  if (plain.some((l) => l.length > area.columns || /[^\x20-\x7e…·↑↓⠋⚠—]/.test(l))) return null;
  if (lines.length >= area.rows) return null;
  return { text: lines.join('\n'), lines: lines.length };
}

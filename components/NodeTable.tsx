// The dashboard's node table: one row per node, grouped in rotation order (etcd servers, control-plane servers,
// agents) because split-role clusters are where rotations go wrong and the order on screen is the order of work.
import React from 'react';
import { Box, Text } from 'ink';
import type { NodeStatus } from '../src/model/status.js';
import { serviceCondition } from '../src/model/service-state.js';
import { TableCell } from './TableCell.js';
import {
  GROUP_TITLES,
  TABLE_COLUMNS,
  TONE_COLOR,
  caAgreement,
  certTone,
  earliestLeaf,
  encryptionAgreement,
  formatDays,
  formatRoles,
  groupOf,
  nameColumnWidth,
  orderNodes,
  scanningCells,
  shortHash,
  type CellFacts,
  type NodeGroup,
  visibleWindow,
} from './node-facts.js';

export interface NodeTableProps {
  nodes: readonly NodeStatus[];
  /** Name of the highlighted node; rows are drawn in orderNodes() order, so callers select by name. */
  selected?: string | null;
  /** Large clusters: draw at most this many node rows, scrolled so the selected one is visible. */
  maxRows?: number;
  /** The nodes are known but not scanned yet: only name, roles and version are real; the rest says so. */
  scanning?: boolean;
  /** Terminal columns: below the full table's width the VERSION column goes (the header line names the cluster's
   * version; the node detail has each node's) so the health columns stay on an 80-column screen. */
  width?: number;
}

/** The full row's width: the name column, every other column, one space between cells. */
function fullWidth(nameWidth: number): number {
  return nameWidth + TABLE_COLUMNS.reduce((sum, c) => sum + c.width + 1, 0);
}

// Long stage names would push the table past 100 columns; the detail view shows them in full.
const STAGE_SHORT: Record<string, string> = {
  reencrypt_request: 'reenc-request',
  reencrypt_active: 'reenc-active',
  reencrypt_finished: 'reenc-done',
};

function serviceCell(node: NodeStatus): CellFacts {
  if (!node.reachable) return { text: 'unreachable', tone: 'bad' };
  const { state, restarts } = node.service;
  const condition = serviceCondition(node.service);
  // A Type=notify server sits in activating/start for minutes on a normal start: "starting", not red.
  const shown = condition === 'starting' ? 'starting' : state;
  const text = restarts > 0 ? `${shown} ↻${restarts}` : shown;
  if (condition === 'restart-loop' || condition === 'failed') return { text, tone: 'bad' };
  if (condition === 'running') return { text, tone: restarts > 0 ? 'warn' : 'ok' };
  return { text, tone: 'warn' };
}

function readyCell(ready: boolean | null): CellFacts {
  if (ready === null) return { text: '?', tone: 'none' };
  return ready ? { text: 'yes', tone: 'ok' } : { text: 'no', tone: 'bad' };
}

function expiryCell(node: NodeStatus): CellFacts {
  const leaf = earliestLeaf(node.certificates);
  if (!leaf) return { text: '—', tone: 'none' };
  return { text: formatDays(leaf.daysLeft), tone: certTone(leaf.status) };
}

function markCell(agrees: boolean | null | undefined): CellFacts {
  if (agrees === null || agrees === undefined) return { text: '—', tone: 'none' };
  return agrees ? { text: '✓', tone: 'ok' } : { text: '✗', tone: 'bad' };
}

function encryptionCell(node: NodeStatus, agrees: boolean | undefined): CellFacts {
  if (!node.encryption) return { text: '—', tone: 'none' };
  const stage = STAGE_SHORT[node.encryption.stage] ?? node.encryption.stage;
  const mark = agrees ? '✓' : '✗';
  return { text: `${stage} ${shortHash(node.encryption.hash)} ${mark}`, tone: agrees ? 'ok' : 'bad' };
}

function etcdCell(node: NodeStatus): CellFacts {
  if (!node.etcd) return { text: '—', tone: 'none' };
  if (!node.etcd.healthy) return { text: 'unhealthy', tone: 'bad' };
  return node.etcd.isLeader ? { text: 'leader ★', tone: 'ok' } : { text: 'healthy', tone: 'ok' };
}

function Header({ nameWidth, shown }: { nameWidth: number; shown: readonly number[] }): React.JSX.Element {
  return (
    <Box overflowX="hidden">
      <TableCell width={nameWidth} text="  NODE" bold shrink />
      {shown.map((i, k) => (
        <TableCell
          key={TABLE_COLUMNS[i].title}
          width={TABLE_COLUMNS[i].width}
          text={TABLE_COLUMNS[i].title}
          bold
          shrink={TABLE_COLUMNS[i].title === 'ENCRYPTION'}
          last={k === shown.length - 1}
        />
      ))}
    </Box>
  );
}

/** The lines NodeTable draws: its header, the "more" lines, one title per group shown and one row per node shown. */
export function nodeTableHeight(nodes: readonly NodeStatus[], selected: string | null, maxRows = Infinity): number {
  const ordered = orderNodes(nodes);
  if (ordered.length === 0) return 2;
  const { start, end } = visibleWindow(
    ordered.length,
    ordered.findIndex((n) => n.name === selected),
    maxRows,
  );
  const groups = new Set(ordered.slice(start, end).map((n) => groupOf(n.roles))).size;
  return 1 + (start > 0 ? 1 : 0) + groups + (end - start) + (end < ordered.length ? 1 : 0);
}

export function NodeTable({
  nodes,
  selected = null,
  maxRows = Infinity,
  scanning = false,
  width = Infinity,
}: NodeTableProps): React.JSX.Element {
  const ordered = orderNodes(nodes);
  const { start, end } = visibleWindow(
    ordered.length,
    ordered.findIndex((n) => n.name === selected),
    maxRows,
  );
  const ca = caAgreement(ordered);
  const enc = encryptionAgreement(ordered);
  const nameWidth = nameColumnWidth(ordered);
  const narrow = width < fullWidth(nameWidth);
  const shown = TABLE_COLUMNS.map((_, i) => i).filter((i) => !(narrow && TABLE_COLUMNS[i].title === 'VERSION'));
  let lastGroup: NodeGroup | null = null;
  const rows: React.JSX.Element[] = [];
  if (start > 0) rows.push(<Text key="above" dimColor>{`  ↑ ${start} more`}</Text>);
  for (const node of ordered.slice(start, end)) {
    const group = groupOf(node.roles);
    if (group !== lastGroup) {
      rows.push(
        <Text key={`group-${group}`} dimColor>
          {`  ${GROUP_TITLES[group]}`}
        </Text>,
      );
      lastGroup = group;
    }
    const isSelected = node.name === selected;
    const cells: CellFacts[] = scanning
      ? scanningCells(node)
      : [
          { text: formatRoles(node.roles), tone: 'none' },
          { text: node.version || '—', tone: 'none' },
          serviceCell(node),
          readyCell(node.ready),
          expiryCell(node),
          markCell(ca.get(node.name)),
          encryptionCell(node, enc.get(node.name)),
          etcdCell(node),
        ];
    rows.push(
      // A row never wraps: whatever does not fit is cut at the right edge.
      <Box key={node.name} overflowX="hidden">
        <Box flexShrink={0}>
          <Text color="cyan" bold>
            {isSelected ? '› ' : '  '}
          </Text>
        </Box>
        <TableCell width={nameWidth - 2} text={node.name} bold={isSelected} inverse={isSelected} shrink />
        {shown.map((i, k) => (
          <TableCell
            key={i}
            width={TABLE_COLUMNS[i].width}
            text={cells[i].text}
            color={TONE_COLOR[cells[i].tone]}
            shrink={TABLE_COLUMNS[i].title === 'ENCRYPTION'}
            last={k === shown.length - 1}
          />
        ))}
      </Box>,
    );
  }
  if (end < ordered.length) rows.push(<Text key="below" dimColor>{`  ↓ ${ordered.length - end} more`}</Text>);
  return (
    <Box flexDirection="column">
      <Header nameWidth={nameWidth} shown={shown} />
      {rows.length > 0 ? rows : <Text dimColor>no nodes found</Text>}
    </Box>
  );
}

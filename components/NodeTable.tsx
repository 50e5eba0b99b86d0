// The dashboard's node table: one row per node, grouped in rotation order (etcd servers, control-plane servers,
// agents) because split-role clusters are where rotations go wrong and the order on screen is the order of work.
import React from 'react';
import { Box, Text } from 'ink';
import type { NodeStatus } from '../src/model/status.js';
import { TableCell } from './TableCell.js';
import {
  GROUP_TITLES,
  TONE_COLOR,
  caAgreement,
  certTone,
  earliestLeaf,
  encryptionAgreement,
  formatDays,
  formatRoles,
  groupOf,
  orderNodes,
  shortHash,
  type NodeGroup,
  type Tone,
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
}

// Sized so a cluster with names up to ~10 characters fits an 100-column terminal.
const W = { roles: 7, version: 14, service: 14, ready: 5, expiry: 6, ca: 2, encryption: 23, etcd: 9 };

// Long stage names would push the table past 100 columns; the detail view shows them in full.
const STAGE_SHORT: Record<string, string> = {
  reencrypt_request: 'reenc-request',
  reencrypt_active: 'reenc-active',
  reencrypt_finished: 'reenc-done',
};

interface Cell {
  text: string;
  tone: Tone;
}

function serviceCell(node: NodeStatus): Cell {
  if (!node.reachable) return { text: 'unreachable', tone: 'bad' };
  const { state, restarts } = node.service;
  const text = restarts > 0 ? `${state} ↻${restarts}` : state;
  if (state === 'activating' || state === 'failed') return { text, tone: 'bad' };
  if (state === 'active') return { text, tone: restarts > 0 ? 'warn' : 'ok' };
  return { text, tone: 'warn' };
}

function readyCell(ready: boolean | null): Cell {
  if (ready === null) return { text: '?', tone: 'none' };
  return ready ? { text: 'yes', tone: 'ok' } : { text: 'no', tone: 'bad' };
}

function expiryCell(node: NodeStatus): Cell {
  const leaf = earliestLeaf(node.certificates);
  if (!leaf) return { text: '—', tone: 'none' };
  return { text: formatDays(leaf.daysLeft), tone: certTone(leaf.status) };
}

function markCell(agrees: boolean | null | undefined): Cell {
  if (agrees === null || agrees === undefined) return { text: '—', tone: 'none' };
  return agrees ? { text: '✓', tone: 'ok' } : { text: '✗', tone: 'bad' };
}

function encryptionCell(node: NodeStatus, agrees: boolean | undefined): Cell {
  if (!node.encryption) return { text: '—', tone: 'none' };
  const stage = STAGE_SHORT[node.encryption.stage] ?? node.encryption.stage;
  const mark = agrees ? '✓' : '✗';
  return { text: `${stage} ${shortHash(node.encryption.hash)} ${mark}`, tone: agrees ? 'ok' : 'bad' };
}

function etcdCell(node: NodeStatus): Cell {
  if (!node.etcd) return { text: '—', tone: 'none' };
  if (!node.etcd.healthy) return { text: 'unhealthy', tone: 'bad' };
  return node.etcd.isLeader ? { text: 'leader ★', tone: 'ok' } : { text: 'healthy', tone: 'ok' };
}

function Header({ nameWidth }: { nameWidth: number }): React.JSX.Element {
  const h = (width: number, text: string, last = false) => <TableCell width={width} text={text} bold last={last} />;
  return (
    <Box>
      <TableCell width={nameWidth} text="  NODE" bold shrink />
      {h(W.roles, 'ROLES')}
      {h(W.version, 'VERSION')}
      {h(W.service, 'SERVICE')}
      {h(W.ready, 'READY')}
      {h(W.expiry, 'CERTS')}
      {h(W.ca, 'CA')}
      {h(W.encryption, 'ENCRYPTION')}
      {h(W.etcd, 'ETCD', true)}
    </Box>
  );
}

export function NodeTable({ nodes, selected = null, maxRows = Infinity, scanning = false }: NodeTableProps): React.JSX.Element {
  const ordered = orderNodes(nodes);
  const { start, end } = visibleWindow(ordered.length, ordered.findIndex((n) => n.name === selected), maxRows);
  const ca = caAgreement(ordered);
  const enc = encryptionAgreement(ordered);
  // Two extra columns for the selection pointer that leads the name.
  const nameWidth = 2 + Math.min(24, Math.max(4, ...ordered.map((n) => n.name.length)));
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
    const waiting: Cell = { text: '·', tone: 'none' };
    const cells: Array<[number, Cell]> = scanning
      ? [
          [W.roles, { text: node.roles.length > 0 ? formatRoles(node.roles) : '?', tone: 'none' }],
          [W.version, { text: node.version || '—', tone: 'none' }],
          [W.service, { text: 'scanning…', tone: 'none' }],
          [W.ready, waiting],
          [W.expiry, waiting],
          [W.ca, waiting],
          [W.encryption, waiting],
          [W.etcd, waiting],
        ]
      : [
          [W.roles, { text: formatRoles(node.roles), tone: 'none' }],
          [W.version, { text: node.version || '—', tone: 'none' }],
          [W.service, serviceCell(node)],
          [W.ready, readyCell(node.ready)],
          [W.expiry, expiryCell(node)],
          [W.ca, markCell(ca.get(node.name))],
          [W.encryption, encryptionCell(node, enc.get(node.name))],
          [W.etcd, etcdCell(node)],
        ];
    rows.push(
      <Box key={node.name}>
        <Text color="cyan" bold>
          {isSelected ? '› ' : '  '}
        </Text>
        <TableCell width={nameWidth - 2} text={node.name} bold={isSelected} inverse={isSelected} shrink />
        {cells.map(([width, cell], i) => (
          <TableCell key={i} width={width} text={cell.text} color={TONE_COLOR[cell.tone]} last={i === cells.length - 1} />
        ))}
      </Box>,
    );
  }
  if (end < ordered.length) rows.push(<Text key="below" dimColor>{`  ↓ ${ordered.length - end} more`}</Text>);
  return (
    <Box flexDirection="column">
      <Header nameWidth={nameWidth} />
      {rows.length > 0 ? rows : <Text dimColor>no nodes found</Text>}
    </Box>
  );
}

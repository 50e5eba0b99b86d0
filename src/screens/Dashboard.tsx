// The dashboard: where the node list came from, the node table in rotation order, the checks that fail with the
// diagnoses, then the expiry timeline and the passing checks. Laid out by priority inside the rows it is given: the
// header and banners, the node table and the failing checks never scroll away; the rest is clipped to what is left
// and scrolls (pgdn/pgup). Presentational: the App decides what is selected, the scroll and the height.
import React from 'react';
import { Box, Text } from 'ink';
import type { Check, StatusReport } from '../model/status.js';
import { renewWindowDays } from '../model/versions.js';
import { SourceBanner } from '../../components/SourceBanner.js';
import { NodeTable } from '../../components/NodeTable.js';
import { ExpiryTimeline } from '../../components/ExpiryTimeline.js';
import { ChecksPanel, type NodeDiagnosis } from '../../components/ChecksPanel.js';
import { orderNodes } from '../../components/node-facts.js';

export interface DashboardProps {
  report: StatusReport;
  selected: string | null;
  /** Terminal rows: sizes the node table of a large cluster (the layout itself clips to the space left). */
  height: number;
  /** Lines of the lower-priority part (timeline, passing checks) scrolled past. */
  scroll?: number;
  /** Terminal columns: the node table fits them. */
  width?: number;
}

/** Diagnoses in rotation order; the dashboard shows the first few, the node detail shows each node's all. */
export function collectDiagnoses(report: StatusReport): NodeDiagnosis[] {
  return orderNodes(report.nodes).flatMap((n) => n.diagnoses.map((d) => ({ ...d, node: n.name })));
}

const MAX_DIAGNOSES = 4;

const failing = (c: Check) => c.status !== 'pass';

/** Node rows the table may draw: what is left after the header, banners, footer and a few failing-check rows. */
export function tableRows(height: number): number {
  return Math.max(3, height - 10);
}

/** How many lines the scrollable part (timeline, passing checks) has at most: the scroll stops there. */
export function scrollableLines(report: StatusReport): number {
  return report.nodes.length + 2 + 1 + report.checks.filter((c) => !failing(c)).length + 1;
}

export function Dashboard({ report, selected, height, scroll = 0, width }: DashboardProps): React.JSX.Element {
  const { cluster } = report;
  const diagnoses = collectDiagnoses(report);
  const bad = report.checks.filter(failing);
  const good = report.checks.filter((c) => !failing(c));
  const maxRows = tableRows(height);
  const offset = Math.max(0, Math.min(scroll, scrollableLines(report) - 1));
  return (
    // Fills what the App's column leaves (flexGrow) and gives up rows from the bottom when that is less.
    <Box flexDirection="column" flexGrow={1} flexShrink={1} overflow="hidden">
      <Box flexDirection="column" flexShrink={0}>
        <Text wrap="truncate-end">
          <Text bold>{cluster.distro === 'unknown' ? 'cluster' : cluster.distro}</Text> {cluster.version || ''} ·{' '}
          {report.nodes.length} nodes · source: {cluster.source}
        </Text>
        <SourceBanner source={cluster.source} apiReachable={cluster.apiReachable} />
      </Box>
      <Box marginTop={1} flexShrink={0}>
        <NodeTable nodes={report.nodes} selected={selected} maxRows={maxRows} width={width} />
      </Box>
      {bad.length > 0 || diagnoses.length > 0 ? (
        // Shrinks only once the part below is gone (its shrink factor is far larger).
        <Box marginTop={1} flexDirection="column" flexShrink={1} overflow="hidden">
          <Box flexDirection="column" flexShrink={0}>
            <ChecksPanel checks={bad} diagnoses={diagnoses.slice(0, MAX_DIAGNOSES)} title="Checks that need attention" />
            {diagnoses.length > MAX_DIAGNOSES ? (
              <Text dimColor>+{diagnoses.length - MAX_DIAGNOSES} more diagnoses: open a node (enter) to see them</Text>
            ) : null}
          </Box>
        </Box>
      ) : null}
      <Box marginTop={1} flexDirection="column" flexShrink={1000} overflow="hidden">
        <Box flexDirection="column" flexShrink={0} marginTop={-offset}>
          <ExpiryTimeline nodes={report.nodes} selected={selected} maxRows={maxRows} renewWindowDays={renewWindowDays(cluster.version)} />
          {good.length > 0 || report.checks.length === 0 ? (
            <Box marginTop={1}>
              <ChecksPanel checks={good} diagnoses={[]} title={bad.length > 0 ? 'Checks that pass' : 'Checks'} />
            </Box>
          ) : null}
        </Box>
      </Box>
    </Box>
  );
}

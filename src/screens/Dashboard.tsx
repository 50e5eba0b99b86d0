// The dashboard: where the node list came from, the node table in rotation order, the checks that fail with the
// diagnoses, then the expiry timeline and the passing checks. Laid out by priority inside the rows it is given: the
// header and banners, the node table and the failing checks never scroll away; the rest is clipped to what is left
// and scrolls (pgdn/pgup). Presentational: the App decides what is selected, the scroll and the height.
import React from 'react';
import { Box, Text } from 'ink';
import type { Check, StatusReport } from '../model/status.js';
import { renewWindowDays } from '../model/versions.js';
import { SourceBanner } from '../../components/SourceBanner.js';
import { NodeTable, nodeTableHeight } from '../../components/NodeTable.js';
import { ExpiryTimeline } from '../../components/ExpiryTimeline.js';
import { ChecksPanel, type NodeDiagnosis } from '../../components/ChecksPanel.js';
import { orderNodes } from '../../components/node-facts.js';

export interface DashboardProps {
  report: StatusReport;
  selected: string | null;
  /** Rows the dashboard may fill (the App's banner and help bar already taken off). */
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

/**
 * Node rows the table may draw in `height` rows: the most whose table (header, group titles, "more" lines) still
 * leaves the header and banners, the margin and, when something fails, three rows for the failing checks.
 */
export function tableRows(
  report: StatusReport,
  selected: string | null,
  height: number,
  headerLines: number,
  reserve: number,
): number {
  const room = height - headerLines - 1 - reserve;
  let rows = report.nodes.length;
  while (rows > 3 && nodeTableHeight(report.nodes, selected, rows) > room) rows -= 1;
  return rows;
}

/** The lines ChecksPanel draws for these (a diagnosis: its message, its evidence when there is some, its fix). */
function failingLines(checks: readonly Check[], diagnoses: readonly NodeDiagnosis[], more: boolean): number {
  const checkLines = checks.length > 0 ? 1 + checks.length : 0;
  const diagnosisLines =
    diagnoses.length > 0
      ? (checks.length > 0 ? 1 : 0) + 1 + diagnoses.reduce((n, d) => n + 2 + (d.evidence ? 1 : 0), 0)
      : 0;
  return checkLines + diagnosisLines + (more ? 1 : 0);
}

/** How many lines the scrollable part (timeline, passing checks) has at most: the scroll stops there. */
export function scrollableLines(report: StatusReport): number {
  return report.nodes.length + 2 + 1 + report.checks.filter((c) => !failing(c)).length + 1;
}

export function Dashboard({ report, selected, height, scroll = 0, width }: DashboardProps): React.JSX.Element {
  const { cluster } = report;
  const diagnoses = collectDiagnoses(report);
  const bad = report.checks.filter(failing);
  const shownDiagnoses = diagnoses.slice(0, MAX_DIAGNOSES);
  const good = report.checks.filter((c) => !failing(c));
  const headerLines = 1 + (cluster.apiReachable ? 0 : 1) + (cluster.source === 'api' ? 0 : 1);
  const maxRows = tableRows(report, selected, height, headerLines, bad.length > 0 || diagnoses.length > 0 ? 3 : 0);
  const offset = Math.max(0, Math.min(scroll, scrollableLines(report) - 1));
  // The failing checks get what the header and the table leave (their own box, so a clip never has to nest).
  const failingRows = height - headerLines - 1 - nodeTableHeight(report.nodes, selected, maxRows) - 1;
  return (
    // Fills what the App's column leaves (flexGrow) and gives up rows from the bottom when that is less.
    <Box flexDirection="column" flexGrow={1} flexShrink={1} overflow="hidden">
      <Box flexDirection="column" flexShrink={0}>
        <Text wrap="truncate-end">
          <Text bold>{cluster.distro === 'unknown' ? 'cluster' : cluster.distro}</Text> {cluster.version || ''} ·{' '}
          {report.nodes.length} nodes · source: {cluster.source}
        </Text>
        <SourceBanner source={cluster.source} apiReachable={cluster.apiReachable} apiProblem={cluster.apiProblem} />
      </Box>
      <Box marginTop={1} flexShrink={0}>
        <NodeTable nodes={report.nodes} selected={selected} maxRows={maxRows} width={width} />
      </Box>
      {(bad.length > 0 || diagnoses.length > 0) && failingRows > 0 ? (
        // Its lines, or the rows the header and the table leave when that is fewer (cut at the bottom).
        <Box
          marginTop={1}
          flexDirection="column"
          flexShrink={0}
          height={Math.min(failingRows, failingLines(bad, shownDiagnoses, diagnoses.length > MAX_DIAGNOSES))}
          overflow="hidden"
        >
          <Box flexDirection="column" flexShrink={0}>
            <ChecksPanel checks={bad} diagnoses={shownDiagnoses} title="Checks that need attention" />
            {diagnoses.length > MAX_DIAGNOSES ? (
              <Text dimColor>+{diagnoses.length - MAX_DIAGNOSES} more diagnoses: open a node (enter) to see them</Text>
            ) : null}
          </Box>
        </Box>
      ) : null}
      <Box marginTop={1} flexDirection="column" flexShrink={1000} overflow="hidden">
        <Box flexDirection="column" flexShrink={0} marginTop={-offset}>
          <ExpiryTimeline
            nodes={report.nodes}
            selected={selected}
            maxRows={maxRows}
            renewWindowDays={renewWindowDays(cluster.version)}
          />
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

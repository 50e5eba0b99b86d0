// The dashboard: where the node list came from, the node table in rotation order, the expiry timeline and the
// checks with their diagnoses. Presentational: the App decides what is selected and when to refresh.
import React from 'react';
import { Box, Text } from 'ink';
import type { StatusReport } from '../model/status.js';
import { renewWindowDays } from '../model/versions.js';
import { SourceBanner } from '../../components/SourceBanner.js';
import { NodeTable } from '../../components/NodeTable.js';
import { ExpiryTimeline } from '../../components/ExpiryTimeline.js';
import { ChecksPanel, type NodeDiagnosis } from '../../components/ChecksPanel.js';
import { orderNodes } from '../../components/node-facts.js';

export interface DashboardProps {
  report: StatusReport;
  selected: string | null;
  /** Terminal rows, so large clusters scroll instead of pushing the help bar off screen. */
  height: number;
}

/** Diagnoses in rotation order; the dashboard shows the first few, the node detail shows each node's all. */
export function collectDiagnoses(report: StatusReport): NodeDiagnosis[] {
  return orderNodes(report.nodes).flatMap((n) => n.diagnoses.map((d) => ({ ...d, node: n.name })));
}

const MAX_DIAGNOSES = 4;

export function Dashboard({ report, selected, height }: DashboardProps): React.JSX.Element {
  const { cluster } = report;
  const diagnoses = collectDiagnoses(report);
  // Roughly a third of the screen each for the table and the timeline once the cluster is too big for both.
  const maxRows = Math.max(5, Math.floor((height - 22) / 2));
  return (
    <Box flexDirection="column">
      <Text>
        <Text bold>{cluster.distro === 'unknown' ? 'cluster' : cluster.distro}</Text> {cluster.version || ''} ·{' '}
        {report.nodes.length} nodes · source: {cluster.source}
      </Text>
      <SourceBanner source={cluster.source} apiReachable={cluster.apiReachable} apiProblem={cluster.apiProblem} />
      <Box marginTop={1}>
        <NodeTable nodes={report.nodes} selected={selected} maxRows={maxRows} />
      </Box>
      <Box marginTop={1}>
        <ExpiryTimeline
          nodes={report.nodes}
          selected={selected}
          maxRows={maxRows}
          renewWindowDays={renewWindowDays(cluster.version)}
        />
      </Box>
      <Box marginTop={1} flexDirection="column">
        <ChecksPanel checks={report.checks} diagnoses={diagnoses.slice(0, MAX_DIAGNOSES)} />
        {diagnoses.length > MAX_DIAGNOSES ? (
          <Text dimColor>+{diagnoses.length - MAX_DIAGNOSES} more diagnoses: open a node (enter) to see them</Text>
        ) : null}
      </Box>
    </Box>
  );
}

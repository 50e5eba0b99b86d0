// The first screen: the node list as soon as it is known (the inventory at once, the API's list once it answers),
// in the table the dashboard will fill in when the scan ends. An operator at 3 a.m. sees which nodes keyturn is
// about to read before the slowest node has answered.
import React from 'react';
import { Box, Text } from 'ink';
import type { NodePreview, NodeStatus } from '../src/model/status.js';
import { previewSourceLine } from './node-facts.js';
import { NodeTable } from './NodeTable.js';
import { Spinner } from './Spinner.js';

export interface NodePreviewTableProps {
  preview: NodePreview;
  tick: number;
  maxRows?: number;
}

function pendingStatus(n: NodePreview['nodes'][number]): NodeStatus {
  return {
    name: n.name,
    address: n.address,
    roles: n.roles ?? [],
    version: n.version,
    ready: null,
    reachable: false,
    service: { unit: '', state: 'unknown', restarts: 0 },
    certificates: [],
    caFingerprints: {},
    encryption: null,
    etcd: null,
    diagnoses: [],
  };
}

export function NodePreviewTable({ preview, tick, maxRows }: NodePreviewTableProps): React.JSX.Element {
  const count = preview.nodes.length;
  return (
    <Box flexDirection="column">
      <Text>
        <Text bold>{count} nodes</Text> {previewSourceLine(preview)}
      </Text>
      <Box marginTop={1}>
        <NodeTable nodes={preview.nodes.map(pendingStatus)} maxRows={maxRows} scanning />
      </Box>
      <Box marginTop={1}>
        <Spinner tick={tick} label={`scanning ${count} nodes: certificates, CAs, encryption, etcd, services…`} />
      </Box>
    </Box>
  );
}

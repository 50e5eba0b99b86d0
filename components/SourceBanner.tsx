// When the node list did not come from a live API, say so loudly: roles and readiness then come from a file
// someone wrote, and an operator about to restart servers must know that.
import React from 'react';
import { Box, Text } from 'ink';
import type { ClusterSource } from '../src/model/status.js';
import { assertNever } from '../src/model/cluster.js';

export interface SourceBannerProps {
  source: ClusterSource;
  apiReachable: boolean;
}

function sourceText(source: ClusterSource): string | null {
  switch (source) {
    case 'api':
      return null;
    case 'inventory':
      return 'node list comes from the inventory file (--inventory), not the Kubernetes API';
    case 'remembered':
      return 'node list comes from the inventory remembered from an earlier run; pass --inventory if nodes changed';
    default:
      return assertNever(source);
  }
}

export function SourceBanner({ source, apiReachable }: SourceBannerProps): React.JSX.Element | null {
  const fromFile = sourceText(source);
  if (apiReachable && !fromFile) return null;
  return (
    <Box flexDirection="column">
      {!apiReachable ? (
        <Text backgroundColor="red" color="white" bold>
          {' ⚠ KUBERNETES API UNREACHABLE: readiness and node labels could not be read '}
        </Text>
      ) : null}
      {fromFile ? (
        <Text color="yellow" bold>
          ⚠ {fromFile}
        </Text>
      ) : null}
    </Box>
  );
}

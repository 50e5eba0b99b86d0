// When the node list did not come from a live API, say so loudly: roles and readiness then come from a file
// someone wrote, and an operator about to restart servers must know that.
import React from 'react';
import { Box, Text } from 'ink';
import type { ApiProblem, ClusterSource } from '../src/model/status.js';
import { assertNever } from '../src/model/cluster.js';

export interface SourceBannerProps {
  source: ClusterSource;
  apiReachable: boolean;
  /** Why the API could not be read: a refused kubeconfig (401, 403, TLS) is named with its fix, not "unreachable". */
  apiProblem?: ApiProblem;
}

function apiHeadline(problem: ApiProblem | undefined): string {
  switch (problem?.kind) {
    case 'unauthorized':
      return ' ⚠ KUBERNETES API REFUSED THE KUBECONFIG USER (401 Unauthorized): nodes, readiness and labels not read ';
    case 'forbidden':
      return ' ⚠ KUBERNETES API FORBIDS THE KUBECONFIG USER (403 Forbidden): nodes, readiness and labels not read ';
    case 'tls':
      return " ⚠ KUBERNETES API NOT VERIFIED BY THE KUBECONFIG'S CA (TLS): nodes, readiness and labels not read ";
    default:
      return ' ⚠ KUBERNETES API UNREACHABLE: readiness and node labels could not be read ';
  }
}

const refused = (p: ApiProblem | undefined) =>
  p?.kind === 'unauthorized' || p?.kind === 'forbidden' || p?.kind === 'tls';

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

export function SourceBanner({ source, apiReachable, apiProblem }: SourceBannerProps): React.JSX.Element | null {
  const fromFile = sourceText(source);
  if (apiReachable && !fromFile) return null;
  return (
    <Box flexDirection="column">
      {!apiReachable ? (
        <Text backgroundColor="red" color="white" bold>
          {apiHeadline(apiProblem)}
        </Text>
      ) : null}
      {!apiReachable && apiProblem && refused(apiProblem) ? <Text color="red">{apiProblem.message}</Text> : null}
      {fromFile ? (
        <Text color="yellow" bold>
          ⚠ {fromFile}
        </Text>
      ) : null}
    </Box>
  );
}

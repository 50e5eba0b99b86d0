// The line above the help bar: a spinner while a refresh runs, the refresh error (with the last good report
// still on screen), or when the report on screen was taken.
import React from 'react';
import { Text } from 'ink';
import { Spinner } from '../../components/Spinner.js';
import type { DiscoveryState } from '../hooks/useDiscovery.js';

export function StatusLine({ discovery, tick }: { discovery: DiscoveryState; tick: number }): React.JSX.Element {
  switch (discovery.status) {
    case 'loading':
      return <Spinner tick={tick} label="refreshing…" />;
    case 'error':
      return (
        <Text color="red">✗ refresh failed: {discovery.message} — showing the previous scan; press r to retry</Text>
      );
    case 'ready':
      return <Text dimColor>scanned at {discovery.at.toTimeString().slice(0, 8)}</Text>;
  }
}

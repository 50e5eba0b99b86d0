// Cluster-wide checks (api, certificates, CA consistency, encryption hashes, etcd quorum, services, nodes) and
// every node's diagnoses with the recipe that fixes each.
import React from 'react';
import { Box, Text } from 'ink';
import type { Check, Diagnosis } from '../src/model/status.js';
import { StatusGlyph } from './StatusGlyph.js';
import { DiagnosisItem } from './DiagnosisItem.js';
import { screenText } from './screen-text.js';

export interface NodeDiagnosis extends Diagnosis {
  node: string;
}

export interface ChecksPanelProps {
  checks: readonly Check[];
  diagnoses: readonly NodeDiagnosis[];
  /** The panel's heading (the dashboard shows failing and passing checks apart). */
  title?: string;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' · ');
}

export function ChecksPanel({ checks, diagnoses, title = 'Checks' }: ChecksPanelProps): React.JSX.Element {
  const idWidth = Math.max(0, ...checks.map((c) => c.id.length));
  return (
    <Box flexDirection="column">
      {checks.length > 0 || diagnoses.length === 0 ? <Text bold>{title}</Text> : null}
      {checks.length === 0 && diagnoses.length === 0 ? <Text dimColor>no checks ran</Text> : null}
      {checks.map((check) => (
        <Box key={check.id}>
          {/* A long detail must truncate, never squeeze the glyph or the id out of the row. */}
          <Box flexShrink={0}>
            <StatusGlyph status={check.status} />
            <Text> {check.id.padEnd(idWidth)} </Text>
          </Box>
          <Text wrap="truncate-end">{screenText(oneLine(check.detail))}</Text>
        </Box>
      ))}
      {diagnoses.length > 0 ? (
        <Box flexDirection="column" marginTop={checks.length > 0 ? 1 : 0}>
          <Text bold>Diagnoses</Text>
          {diagnoses.map((d, i) => (
            <DiagnosisItem key={`${d.node}-${d.code}-${i}`} diagnosis={d} node={d.node} />
          ))}
        </Box>
      ) : null}
    </Box>
  );
}

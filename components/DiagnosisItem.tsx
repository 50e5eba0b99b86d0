// One diagnosis: what is wrong, the log line that proves it, and the recipe that fixes it.
import React from 'react';
import { Box, Text } from 'ink';
import type { Diagnosis } from '../src/model/status.js';
import { screenText } from './screen-text.js';

export interface DiagnosisItemProps {
  diagnosis: Diagnosis;
  /** Shown before the message when diagnoses of several nodes are listed together. */
  node?: string;
}

export function DiagnosisItem({ diagnosis, node }: DiagnosisItemProps): React.JSX.Element {
  return (
    <Box flexDirection="column">
      <Text>
        <Text color="red" bold>
          ✗{' '}
        </Text>
        {node ? <Text bold>{node}: </Text> : null}
        {screenText(diagnosis.message)} <Text dimColor>[{diagnosis.code}]</Text>
      </Text>
      {diagnosis.evidence ? (
        <Text dimColor wrap="truncate-end">
          {'    evidence: '}
          {screenText(diagnosis.evidence)}
        </Text>
      ) : null}
      <Text>
        {'    fix: '}
        {diagnosis.recipe ? (
          <Text color="cyan" bold>
            {diagnosis.recipe}
          </Text>
        ) : (
          <Text dimColor>no recipe fixes this; see the node's journal</Text>
        )}
      </Text>
    </Box>
  );
}

// The steps of the node being changed, each with its status. Props only: the spinner frame is a prop.
import React from 'react';
import { Box, Text } from 'ink';

export type BlockStepStatus = 'pending' | 'running' | 'done' | 'failed' | 'skipped';

export interface BlockStepView {
  title: string;
  status: BlockStepStatus;
  /** A command step's command, or what an engine-side step does. */
  detail: string;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

const GLYPH: Record<Exclude<BlockStepStatus, 'running'>, { glyph: string; color?: string }> = {
  pending: { glyph: '·' },
  done: { glyph: '✓', color: 'green' },
  failed: { glyph: '✗', color: 'red' },
  skipped: { glyph: '↷', color: 'gray' },
};

export interface BlockStepsProps {
  node: string;
  title: string;
  steps: readonly BlockStepView[];
  tick: number;
}

export function BlockSteps({ node, title, steps, tick }: BlockStepsProps): React.JSX.Element {
  return (
    <Box flexDirection="column">
      <Text bold>
        {title}: <Text color="cyan">{node}</Text>
      </Text>
      {steps.map((s, i) => {
        const g = s.status === 'running' ? { glyph: FRAMES[tick % FRAMES.length], color: 'cyan' } : GLYPH[s.status];
        return (
          <Text key={i} wrap="truncate-end">
            {'  '}
            <Text color={g.color}>{g.glyph}</Text> {s.title}
            <Text dimColor> {s.detail}</Text>
          </Text>
        );
      })}
    </Box>
  );
}

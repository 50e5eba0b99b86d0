// The steps of the node being changed, each with its status. Props only: the spinner frame is a prop.
import React from 'react';
import { Box, Text } from 'ink';
import { visibleWindow } from './node-facts.js';

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
  /**
   * Rows the step list may take (the title not counted): a longer list shows a window around the step in flight,
   * with "N earlier" and "+N more" lines, as the question's command list is cut. None: every step.
   */
  maxRows?: number;
}

/** The steps to draw in `maxRows` rows: all when they fit, else a window (two rows left for the "more" lines). */
export function stepWindow(steps: readonly BlockStepView[], maxRows = Infinity): { start: number; end: number } {
  if (steps.length <= maxRows) return { start: 0, end: steps.length };
  // The step in flight (or the one that failed), else the next to run, else the last.
  const active = steps.findIndex((s) => s.status === 'running' || s.status === 'failed');
  const next = steps.findIndex((s) => s.status === 'pending');
  const focus = active >= 0 ? active : next >= 0 ? next : steps.length - 1;
  return visibleWindow(steps.length, focus, Math.max(1, maxRows - 2));
}

export function BlockSteps({ node, title, steps, tick, maxRows }: BlockStepsProps): React.JSX.Element {
  const { start, end } = stepWindow(steps, maxRows);
  return (
    <Box flexDirection="column">
      <Text bold>
        {title}: <Text color="cyan">{node}</Text>
      </Text>
      {start > 0 ? <Text dimColor>{`  … ${start} earlier steps`}</Text> : null}
      {steps.slice(start, end).map((s, j) => {
        const i = start + j;
        const g = s.status === 'running' ? { glyph: FRAMES[tick % FRAMES.length], color: 'cyan' } : GLYPH[s.status];
        return (
          <Text key={i} wrap="truncate-end">
            {'  '}
            <Text color={g.color}>{g.glyph}</Text> {s.title}
            <Text dimColor> {s.detail}</Text>
          </Text>
        );
      })}
      {end < steps.length ? (
        <Text dimColor wrap="truncate-end">
          {`  … +${steps.length - end} more steps: the plan preview and \`keyturn plan\` show every step`}
        </Text>
      ) : null}
    </Box>
  );
}

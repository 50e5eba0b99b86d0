// The plan as text (the exact commands per node), in a window of `height` lines starting at `offset`. Props only:
// the screen owns the scroll position.
import React from 'react';
import { Box, Text } from 'ink';

export interface PlanPreviewProps {
  text: string;
  offset: number;
  height: number;
}

/** The largest useful offset for a text of `lines` lines in a window of `height`. */
export function maxPlanOffset(text: string, height: number): number {
  return Math.max(0, text.trimEnd().split('\n').length - height);
}

export function PlanPreview({ text, offset, height }: PlanPreviewProps): React.JSX.Element {
  const lines = text.trimEnd().split('\n');
  const start = Math.max(0, Math.min(offset, maxPlanOffset(text, height)));
  const visible = lines.slice(start, start + height);
  const below = lines.length - start - visible.length;
  return (
    <Box flexDirection="column" borderStyle="single" borderDimColor paddingX={1}>
      {start > 0 ? <Text dimColor>↑ {start} more lines</Text> : null}
      {visible.map((line, i) => (
        <Text
          key={start + i}
          wrap="truncate-end"
          bold={line.startsWith('==') || line.startsWith('Plan:')}
          color={line.startsWith('!') ? 'yellow' : undefined}
        >
          {line === '' ? ' ' : line}
        </Text>
      ))}
      {below > 0 ? <Text dimColor>↓ {below} more lines (j/k to scroll)</Text> : null}
    </Box>
  );
}

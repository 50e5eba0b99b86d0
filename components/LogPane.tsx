// A node's live log tail. It draws only the last `height` lines it is given (the hook keeps the buffer bounded),
// and paints the lines that explain a restart loop red (model/journal-signatures.ts: the same signatures diagnose
// reads) so they stand out in a scrolling journal.
import React from 'react';
import { Box, Text } from 'ink';
import { isFailureLine } from '../src/model/journal-signatures.js';
import { screenText } from './screen-text.js';

export interface LogPaneProps {
  lines: readonly string[];
  height: number;
  title?: string;
  /** Lines dropped before these (the ring buffer's overflow), shown so nobody thinks the log starts here. */
  dropped?: number;
}

export function LogPane({ lines, height, title, dropped = 0 }: LogPaneProps): React.JSX.Element {
  const visible = lines.slice(-height);
  const hidden = dropped + lines.length - visible.length;
  return (
    <Box flexDirection="column" borderStyle="single" borderDimColor paddingX={1}>
      {title ? <Text bold>{title}</Text> : null}
      {hidden > 0 ? <Text dimColor>… {hidden} earlier lines</Text> : null}
      {visible.length === 0 ? <Text dimColor>waiting for log lines…</Text> : null}
      {visible.map((line, i) => {
        const failure = isFailureLine(line);
        return (
          <Text key={i} wrap="truncate-end" color={failure ? 'red' : undefined} bold={failure}>
            {screenText(line)}
          </Text>
        );
      })}
    </Box>
  );
}

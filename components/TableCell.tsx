// One fixed-width cell of a terminal table. Truncates rather than wraps so a long node name never breaks a row.
import React from 'react';
import { Box, Text } from 'ink';

export interface TableCellProps {
  width: number;
  text: string;
  color?: string;
  bold?: boolean;
  dim?: boolean;
  inverse?: boolean;
  /** Lets this cell give up width when the terminal is narrow (the name column), instead of the row wrapping. */
  shrink?: boolean;
  last?: boolean;
}

export function TableCell({ width, text, color, bold, dim, inverse, shrink, last }: TableCellProps): React.JSX.Element {
  return (
    <Box
      width={width}
      marginRight={last ? 0 : 1}
      flexShrink={shrink ? 1 : 0}
      minWidth={shrink ? Math.min(width, 8) : width}
    >
      <Text wrap="truncate-end" color={color} bold={bold} dimColor={dim} inverse={inverse}>
        {text}
      </Text>
    </Box>
  );
}

// The help bar. It draws whatever hints it is given; the screens derive them from the one keymap table, so the
// bar can never advertise a key the screen does not handle.
import React from 'react';
import { Box, Text } from 'ink';

export interface KeyHint {
  /** How the key is shown, e.g. "↑↓/jk" or "enter". */
  key: string;
  label: string;
  /** Changes the cluster: drawn in red with a warning mark. */
  dangerous?: boolean;
}

export interface KeyHintsProps {
  hints: readonly KeyHint[];
}

/** The rows the bar takes at `width` columns (each hint is "key label" and two spaces; the bar wraps between hints). */
export function keyHintRows(hints: readonly KeyHint[], width: number): number {
  let rows = 1;
  let used = 0;
  for (const h of hints) {
    const w = [...`${h.dangerous ? '⚠ ' : ''}${h.key} ${h.label}`].length + 2;
    if (used > 0 && used + w > width) {
      rows += 1;
      used = 0;
    }
    used += w;
  }
  return rows;
}

export function KeyHints({ hints }: KeyHintsProps): React.JSX.Element {
  return (
    <Box flexWrap="wrap">
      {hints.map((hint) => (
        <Box key={hint.key} marginRight={2}>
          <Text color={hint.dangerous ? 'red' : 'cyan'} bold>
            {hint.dangerous ? '⚠ ' : ''}
            {hint.key}
          </Text>
          <Text color={hint.dangerous ? 'red' : undefined}> {hint.label}</Text>
        </Box>
      ))}
    </Box>
  );
}

// The glyph and colour of a check status, shared by every panel that shows pass/warn/fail.
import React from 'react';
import { Text } from 'ink';
import type { CheckStatus } from '../src/model/status.js';

export const CHECK_GLYPH: Record<CheckStatus, { glyph: string; color: string }> = {
  pass: { glyph: '✓', color: 'green' },
  warn: { glyph: '!', color: 'yellow' },
  fail: { glyph: '✗', color: 'red' },
  unknown: { glyph: '?', color: 'gray' },
};

export function StatusGlyph({ status }: { status: CheckStatus }): React.JSX.Element {
  const { glyph, color } = CHECK_GLYPH[status];
  return (
    <Text color={color} bold>
      {glyph}
    </Text>
  );
}

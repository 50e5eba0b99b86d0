// The full key list for the current screen (toggled with ?), drawn from the same keymap as the help bar.
import React from 'react';
import { Box, Text } from 'ink';
import { KEYMAP, bindingsFor, type Binding, type ScreenName } from './keymap.js';

export function HelpOverlay({
  screen,
  table = KEYMAP,
}: {
  screen: ScreenName;
  /** The keymap in force (a read-only wizard's has no dangerous keys). */
  table?: readonly Binding[];
}): React.JSX.Element {
  const bindings = bindingsFor(screen, table);
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="cyan" paddingX={1}>
      <Text bold>Keys on this screen</Text>
      {bindings.map((b) => (
        <Text key={b.action}>
          <Text color={b.dangerous ? 'red' : 'cyan'} bold>
            {b.key.padEnd(10)}
          </Text>
          {b.label}
          {b.dangerous ? <Text color="red"> (changes the cluster or its runs)</Text> : null}
        </Text>
      ))}
      <Text dimColor>ctrl-c quits from anywhere · ? closes this help</Text>
    </Box>
  );
}

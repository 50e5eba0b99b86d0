// A spinner whose frame is a prop: the ticking lives in a hook (useTicker), so this stays a pure frame.
import React from 'react';
import { Text } from 'ink';
import { spinnerFrame } from './spinner-frames.js';

export interface SpinnerProps {
  tick: number;
  label: string;
}

export function Spinner({ tick, label }: SpinnerProps): React.JSX.Element {
  return (
    <Text>
      <Text color="cyan">{spinnerFrame(tick)}</Text> {label}
    </Text>
  );
}

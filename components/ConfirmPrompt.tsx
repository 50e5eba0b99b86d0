// Confirmation that matches the blast radius: the exact commands for one node first, then y/n for a safe step,
// or typing the node's name for a destructive one (a reflexive "y" at 3 a.m. must not restart the wrong server).
import React, { useState } from 'react';
import { Box, Text, useInput } from 'ink';
import { TextField } from './TextField.js';

export interface ConfirmPromptProps {
  node: string;
  /** What the step does, e.g. "stop rke2-server, rotate certificates, start it". */
  title: string;
  /** The exact shell commands that will run on the node, in order. */
  commands: readonly string[];
  destructive: boolean;
  onConfirm: () => void;
  onCancel: () => void;
  isFocused?: boolean;
}

function YesNo({ onConfirm, onCancel, isFocused }: Pick<ConfirmPromptProps, 'onConfirm' | 'onCancel' | 'isFocused'>) {
  useInput(
    (input, key) => {
      if (input === 'y' || input === 'Y') onConfirm();
      else if (input === 'n' || input === 'N' || key.escape) onCancel();
    },
    { isActive: isFocused ?? true },
  );
  return (
    <Text>
      Run them? <Text bold>y</Text>es / <Text bold>n</Text>o
    </Text>
  );
}

function TypeNodeName({ node, onConfirm, onCancel, isFocused }: Omit<ConfirmPromptProps, 'title' | 'commands' | 'destructive'>) {
  const [typed, setTyped] = useState('');
  const [refused, setRefused] = useState<string | null>(null);
  const submit = (value: string) => {
    if (value.trim() === node) onConfirm();
    else {
      setRefused(value);
      setTyped('');
    }
  };
  return (
    <Box flexDirection="column">
      <Text>
        This step is destructive. Type the node name <Text bold color="red">{node}</Text> and press enter (esc
        cancels):
      </Text>
      <Box>
        <Text color="red" bold>
          {'> '}
        </Text>
        <TextField
          value={typed}
          onChange={(v) => {
            setTyped(v);
            setRefused(null);
          }}
          onSubmit={submit}
          onCancel={onCancel}
          placeholder={node}
          isFocused={isFocused ?? true}
        />
      </Box>
      {refused !== null ? (
        <Text color="red">
          ✗ "{refused}" is not {node}; nothing was run
        </Text>
      ) : null}
    </Box>
  );
}

export function ConfirmPrompt(props: ConfirmPromptProps): React.JSX.Element {
  const { node, title, commands, destructive } = props;
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={destructive ? 'red' : 'yellow'} paddingX={1}>
      <Text bold>
        {destructive ? '⚠ ' : ''}
        {title} on <Text color={destructive ? 'red' : 'yellow'}>{node}</Text>
      </Text>
      <Text dimColor>These commands will run on {node}:</Text>
      {commands.map((command, i) => (
        <Text key={i}>
          <Text dimColor>{`  ${i + 1}. `}</Text>
          {command}
        </Text>
      ))}
      <Box marginTop={1}>
        {destructive ? <TypeNodeName {...props} /> : <YesNo {...props} />}
      </Box>
    </Box>
  );
}

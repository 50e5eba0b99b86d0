// The question before a node is touched: which node, its roles and unit, and every step with the exact command
// that will run. Safe blocks take y/s/q (the screen's keymap); a destructive block makes the operator type the
// node's name (a reflexive "y" at 3 a.m. must not restart the wrong server). Props only.
import React from 'react';
import { Box, Text } from 'ink';
import { TextField } from './TextField.js';

export interface NodeConfirmStep {
  title: string;
  command: string | null;
  detail: string;
  destructive: boolean;
  /** Finished in an earlier session: shown, not run again. */
  done: boolean;
}

export interface NodeConfirmProps {
  node: string;
  roles: readonly string[];
  unit: string;
  phaseTitle: string;
  steps: readonly NodeConfirmStep[];
  requireTypedName: boolean;
  resumed: boolean;
  /** Why the previous answer was not accepted (a wrong name). */
  retry?: string;
  /** The name typed so far (destructive blocks). */
  typed: string;
  onTypedChange: (value: string) => void;
  onTypedSubmit: (value: string) => void;
  onCancel: () => void;
}

// A generated script (rotate-ca's openssl steps run to ~55 lines) would push the question itself off a normal
// terminal: the first lines are shown, the whole script is in the plan preview.
const MAX_COMMAND_LINES = 8;

export function NodeConfirm(props: NodeConfirmProps): React.JSX.Element {
  const { node, roles, unit, phaseTitle, steps, requireTypedName, resumed, retry } = props;
  const colour = requireTypedName ? 'red' : 'yellow';
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={colour} paddingX={1}>
      <Text bold>
        {requireTypedName ? '⚠ ' : ''}
        {phaseTitle}: <Text color={colour}>{node}</Text> <Text dimColor>({roles.join(', ') || 'no roles'} · {unit})</Text>
      </Text>
      {resumed ? <Text color="cyan">Part of this node ran in an earlier session: finished steps are checked, not run again.</Text> : null}
      <Text dimColor>These steps will run on {node}, in order:</Text>
      {steps.map((s, i) => (
        <Box key={i} flexDirection="column">
          <Text>
            <Text dimColor>{`  ${i + 1}. `}</Text>
            {s.done ? <Text color="green">✓ </Text> : null}
            {s.title}
            {s.destructive ? <Text color="red"> [destructive]</Text> : null}
            {s.done ? <Text dimColor> (done earlier)</Text> : null}
          </Text>
          {s.command !== null ? (
            <>
              {s.command.split('\n').slice(0, MAX_COMMAND_LINES).map((line, j) => (
                <Text key={j} wrap="truncate-end">
                  <Text dimColor>{'       $ '}</Text>
                  {line}
                </Text>
              ))}
              {s.command.split('\n').length > MAX_COMMAND_LINES ? (
                <Text dimColor>{`         … ${s.command.split('\n').length - MAX_COMMAND_LINES} more lines: the plan preview and \`keyturn plan\` show the whole script`}</Text>
              ) : null}
            </>
          ) : (
            <Text dimColor>{`       ${s.detail}`}</Text>
          )}
        </Box>
      ))}
      <Box marginTop={1} flexDirection="column">
        {requireTypedName ? (
          <>
            <Text>
              A step here is destructive. Type the node name <Text bold color="red">{node}</Text> and press enter (esc
              quits, resume later):
            </Text>
            <Box>
              <Text color="red" bold>
                {'> '}
              </Text>
              <TextField value={props.typed} onChange={props.onTypedChange} onSubmit={props.onTypedSubmit} onCancel={props.onCancel} placeholder={node} />
            </Box>
          </>
        ) : (
          <Text>
            Run them? <Text bold>y</Text> run · <Text bold>s</Text> skip this node · <Text bold>q</Text> quit (resume later)
          </Text>
        )}
        {retry ? <Text color="red">✗ {retry}; nothing was run</Text> : null}
      </Box>
    </Box>
  );
}

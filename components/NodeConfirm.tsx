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
  /** Rows the step list (titles, commands) may take: cut to fit the terminal, with "+N more" lines. None: all. */
  maxStepRows?: number;
  /** An agent wave: one answer for every node listed; the steps shown are the first node's (the others' alike). */
  wave?: { index: number; of: number; nodes: readonly string[] };
}

/** The wave's node list as one line (it wraps): every node the answer covers is on screen. */
const waveLine = (w: NonNullable<NodeConfirmProps['wave']>) =>
  `Wave ${w.index} of ${w.of}: ${w.nodes.length} node${w.nodes.length === 1 ? '' : 's'} stopped, changed and started together: ${w.nodes.join(', ')}`;

// A generated script (rotate-ca's openssl steps run to ~55 lines) would push the question itself off a normal
// terminal: the first lines are shown, the whole script is in the plan preview.
const MAX_COMMAND_LINES = 8;

const commandLines = (s: NodeConfirmStep) => (s.command === null ? 1 : s.command.split('\n').length);

/** Rows one step takes with `k` of its command lines (a "+N more lines" row when cut; a detail is one line). */
function stepRows(s: NodeConfirmStep, k: number): number {
  if (k === 0) return 1;
  return 1 + (s.command === null ? 1 : Math.min(commandLines(s), k) + (commandLines(s) > k ? 1 : 0));
}

/**
 * How the step list fits in `maxRows`: for each shown step, how many of its command lines are drawn (0: its title
 * only). Every line up to MAX_COMMAND_LINES when it can; else the same fewer lines for every step; else every title
 * with the first line of as many steps as fit (and one line saying where the rest are); else the first titles and
 * a "+N more steps" line. The question below the list always stays on screen: a node's block with many commands
 * must not push it, the node strip or the run's header off the terminal.
 */
export function fitSteps(steps: readonly NodeConfirmStep[], maxRows = Infinity): { lines: number[]; shown: number } {
  const rowsWith = (k: number) => steps.reduce((n, s) => n + stepRows(s, k), 0);
  for (let k = MAX_COMMAND_LINES; k >= 1; k--)
    if (rowsWith(k) <= maxRows) return { lines: steps.map(() => k), shown: steps.length };
  if (steps.length + 1 <= maxRows) {
    let left = maxRows - steps.length - 1;
    const lines = steps.map((s) => {
      const cost = stepRows(s, 1) - 1;
      if (cost > left) return 0;
      left -= cost;
      return 1;
    });
    return { lines, shown: steps.length };
  }
  return { lines: steps.map(() => 0), shown: Math.max(1, maxRows - 1) };
}

/** Rows NodeConfirm takes besides its step list, at `width` columns (border, title, question, retry). */
export function confirmChromeRows(
  props: Pick<NodeConfirmProps, 'requireTypedName' | 'resumed' | 'retry' | 'wave'>,
  width: number,
): number {
  const question = props.requireTypedName ? Math.ceil(100 / Math.max(20, width - 4)) + 1 : 1;
  const wave = props.wave ? Math.ceil(waveLine(props.wave).length / Math.max(20, width - 4)) : 0;
  return 2 + 1 + (props.resumed ? 1 : 0) + wave + 1 + 1 + question + (props.retry ? 1 : 0);
}

export function NodeConfirm(props: NodeConfirmProps): React.JSX.Element {
  const { node, roles, unit, phaseTitle, steps, requireTypedName, resumed, retry, wave } = props;
  const colour = requireTypedName ? 'red' : 'yellow';
  const fit = fitSteps(steps, props.maxStepRows);
  const shown = steps.slice(0, fit.shown);
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={colour} paddingX={1}>
      <Text bold wrap="truncate-end">
        {requireTypedName ? '⚠ ' : ''}
        {phaseTitle}: <Text color={colour}>{wave ? `wave ${wave.index} of ${wave.of}` : node}</Text>{' '}
        <Text dimColor>
          ({roles.join(', ') || 'no roles'} · {unit})
        </Text>
      </Text>
      {resumed ? (
        <Text color="cyan">
          Part of this node ran in an earlier session: finished steps are checked, not run again.
        </Text>
      ) : null}
      {wave ? <Text color="yellow">{waveLine(wave)}</Text> : null}
      {wave ? (
        <Text dimColor>
          These steps will run on each node of wave {wave.index} of {wave.of} at once, in order (shown for {node}):
        </Text>
      ) : (
        <Text dimColor>These steps will run on {node}, in order:</Text>
      )}
      {shown.map((s, i) => (
        <Box key={i} flexDirection="column">
          <Text wrap="truncate-end">
            <Text dimColor>{`  ${i + 1}. `}</Text>
            {s.done ? <Text color="green">✓ </Text> : null}
            {s.title}
            {s.destructive ? <Text color="red"> [destructive]</Text> : null}
            {s.done ? <Text dimColor> (done earlier)</Text> : null}
          </Text>
          {fit.lines[i] === 0 ? null : s.command !== null ? (
            <>
              {s.command
                .split('\n')
                .slice(0, fit.lines[i])
                .map((line, j) => (
                  <Text key={j} wrap="truncate-end">
                    <Text dimColor>{'       $ '}</Text>
                    {line}
                  </Text>
                ))}
              {commandLines(s) > fit.lines[i] ? (
                <Text
                  dimColor
                  wrap="truncate-end"
                >{`         … +${commandLines(s) - fit.lines[i]} more lines: the plan preview and \`keyturn plan\` show the whole script`}</Text>
              ) : null}
            </>
          ) : (
            <Text dimColor wrap="truncate-end">{`       ${s.detail}`}</Text>
          )}
        </Box>
      ))}
      {fit.shown < steps.length ? (
        <Text
          dimColor
          wrap="truncate-end"
        >{`  … +${steps.length - fit.shown} more steps: the plan preview and \`keyturn plan\` show every step`}</Text>
      ) : null}
      {fit.shown === steps.length && fit.lines.some((k) => k === 0) ? (
        <Text dimColor wrap="truncate-end">
          {'  commands left out to fit the terminal: the plan preview and `keyturn plan` show them'}
        </Text>
      ) : null}
      <Box marginTop={1} flexDirection="column">
        {requireTypedName ? (
          <>
            <Text>
              A step here is destructive. Type the node name{' '}
              <Text bold color="red">
                {node}
              </Text>{' '}
              and press enter (esc quits, resume later):
            </Text>
            <Box>
              <Text color="red" bold>
                {'> '}
              </Text>
              <TextField
                value={props.typed}
                onChange={props.onTypedChange}
                onSubmit={props.onTypedSubmit}
                onCancel={props.onCancel}
                placeholder={node}
              />
            </Box>
          </>
        ) : (
          <Text>
            Run them? <Text bold>y</Text> run · <Text bold>s</Text> skip {wave ? 'these nodes' : 'this node'} ·{' '}
            <Text bold>q</Text> quit (resume later)
          </Text>
        )}
        {retry ? <Text color="red">✗ {retry}; nothing was run</Text> : null}
      </Box>
    </Box>
  );
}

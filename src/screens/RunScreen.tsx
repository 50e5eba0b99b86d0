// The run screen: the plan preview, then one node at a time — the question with the exact commands, the steps
// with their status, re-encryption progress while a run waits for it, the node's live log, finished work in
// <Static>, and on failure the panel that says why and what to do next. Everything comes from the bridge
// (useRunView); keys go through the one keymap table.
import React, { useEffect, useMemo, useState } from 'react';
import { Box, Static, Text } from 'ink';
import { renderPlanText } from '../engine/index.js';
import { DEFAULT_STALL_SECONDS } from '../engine/index.js';
import { describeWaitProgress } from '../engine/index.js';
import type { PlannedBlock } from '../engine/index.js';
import type { RunState } from '../engine/index.js';
import type { AgentWaveChoice, RunBridgeView, RunView, SettleChoice } from '../hooks/run-bridge.js';
import type { AgentWaveSize } from '../engine/index.js';
import { scaledSeconds } from '../engine/index.js';
import { useRunView } from '../hooks/useRunView.js';
import { useTicker } from '../hooks/useTicker.js';
import { useKeys } from '../hooks/useKeys.js';
import { useTerminalSize } from '../hooks/useTerminalSize.js';
import { BlockSteps, type BlockStepView } from '../../components/BlockSteps.js';
import { FailurePanel } from '../../components/FailurePanel.js';
import { KeyHints, keyHintRows } from '../../components/KeyHints.js';
import { LogPane } from '../../components/LogPane.js';
import { confirmChromeRows, NodeConfirm } from '../../components/NodeConfirm.js';
import { PlanPreview, maxPlanOffset } from '../../components/PlanPreview.js';
import { ReencryptProgress } from '../../components/ReencryptProgress.js';
import { Spinner } from '../../components/Spinner.js';
import { NodeStrip } from '../../components/NodeStrip.js';
import { nodeProgress } from '../engine/index.js';
import { actionFor, hintsFor, type RunScreenName } from './keymap.js';
import { assertNever } from '../model/cluster.js';

export interface RunScreenProps {
  bridge: RunBridgeView;
  /** The run is over and the operator is done reading (or it needs no reading): unmount / go back. */
  onExit: () => void;
  /** ctrl-c on the plan preview: the run is cancelled (nothing changed) and the wizard quits, as from its other
   * screens. Without it (`keyturn run`), cancelling ends the process anyway. */
  onQuit?: (how: 'quit' | 'interrupt') => void;
}

/** The spinner's pace while steps run, and while a re-encryption wait (with its own progress widget) runs. */
export const FAST_TICK_MS = 100;
export const SLOW_TICK_MS = 1000;

export function runScreenOf(view: RunView): RunScreenName {
  switch (view.stage.kind) {
    case 'preview':
      return 'run-preview';
    case 'starting':
      return 'run-starting';
    case 'takeover':
      return 'run-takeover';
    case 'done':
      return 'run-done';
    case 'running':
      if (view.pendingStart) return 'run-start-stopped';
      if (view.pendingConfirm) return view.pendingConfirm.requireTypedName ? 'run-type-name' : 'run-confirm';
      if (view.pendingPause) return 'run-pause';
      return 'run-working';
  }
}

/** The block on screen: the one asked about, else the one with a running (or failed) step, else the last touched. */
export function currentBlock(view: RunView): PlannedBlock | null {
  const state = view.state;
  if (!state) return null;
  if (view.pendingConfirm) return view.pendingConfirm.block;
  const blocks = state.plan.blocks;
  const active = blocks.find((b) => b.steps.some((s) => ['running', 'failed'].includes(state.steps[s.key].status)));
  if (active) return active;
  for (let i = blocks.length - 1; i >= 0; i--)
    if (blocks[i].steps.some((s) => state.steps[s.key].attempts > 0)) return blocks[i];
  return null;
}

/** The re-encryption wait running in this block now: its node, unit and stall threshold; else null. */
export function runningReencryptWait(
  block: PlannedBlock | null,
  view: RunView,
): { node: string; unit: string; stallAfterSeconds: number } | null {
  const state = view.state;
  if (!block || !state) return null;
  for (const s of block.steps) {
    if (
      s.step.kind !== 'wait' ||
      s.step.until.condition !== 'reencrypt-finished' ||
      state.steps[s.key]?.status !== 'running'
    )
      continue;
    const unit = state.plan.nodes.find((n) => n.name === s.node)?.unit ?? '';
    return { node: s.node, unit, stallAfterSeconds: s.step.until.stallSeconds ?? DEFAULT_STALL_SECONDS };
  }
  return null;
}

function stepViews(block: PlannedBlock, state: RunState, waiting: RunView['waiting']): BlockStepView[] {
  return block.steps.map((s) => {
    const status = state.steps[s.key].status;
    // A settle, gate or wait in flight says where it stands instead of what it is.
    if (status === 'running' && waiting?.key === s.key)
      return { title: s.title, status, detail: describeWaitProgress(waiting.wait) };
    return {
      title: s.title,
      status,
      detail: (s.command ?? s.detail).split('\n').filter((l) => l.trim() !== '' && !l.startsWith('umask'))[0] ?? '',
    };
  });
}

function progress(state: RunState): string {
  const keys = Object.keys(state.steps);
  const done = keys.filter((k) => ['done', 'skipped'].includes(state.steps[k].status)).length;
  return `${done}/${keys.length} steps`;
}

export function RunScreen({ bridge, onExit, onQuit }: RunScreenProps): React.JSX.Element {
  const view = useRunView(bridge);
  const { rows: height, columns: width } = useTerminalSize();
  const [offset, setOffset] = useState(0);
  const [typed, setTyped] = useState('');
  const screen = runScreenOf(view);
  const busy = screen === 'run-working' || screen === 'run-starting';
  const block = currentBlock(view);
  const reencryptWait =
    view.stage.kind === 'running' && !view.pendingConfirm ? runningReencryptWait(block, view) : null;
  // A re-encryption runs for minutes to hours and its widget moves with every reading: the spinner beside it need
  // not redraw the whole screen ten times a second.
  const tick = useTicker(busy, reencryptWait ? SLOW_TICK_MS : FAST_TICK_MS);
  // The plan's text is only needed on the preview, and the plan never changes during a run: render it once.
  const planText = useMemo(() => (view.plan ? renderPlanText(view.plan) : ''), [view.plan]);
  const previewHeight = Math.max(8, height - 8 - (view.agentWave ? 1 : 0));

  // A new question starts with an empty name field.
  const confirmKey = view.pendingConfirm ? `${view.pendingConfirm.block.key}:${view.pendingConfirm.retry ?? ''}` : '';
  useEffect(() => setTyped(''), [confirmKey]);

  const stage = view.stage;
  useEffect(() => {
    if (stage.kind === 'done' && !stage.waitForKey) onExit();
  }, [stage, onExit]);

  useKeys((input, key) => {
    // The store's current view, not the one this handler was rendered with: a key typed right after a new
    // question arrived (before React re-subscribed the handler) still means what the screen now shows.
    const screen = runScreenOf(bridge.getSnapshot());
    const action = actionFor(screen, input, key);
    switch (action) {
      case 'scroll-down':
        setOffset((o) => Math.min(maxPlanOffset(planText, previewHeight), o + (key.pageDown ? previewHeight : 1)));
        return;
      case 'scroll-up':
        setOffset((o) => Math.max(0, o - (key.pageUp ? previewHeight : 1)));
        return;
      case 'start-run':
        bridge.answerStart(true);
        return;
      case 'cancel-run':
        bridge.answerStart(false);
        return;
      case 'quit':
        bridge.answerStart(false);
        onQuit?.(key.ctrl && input === 'c' ? 'interrupt' : 'quit');
        return;
      case 'cycle-agent-wave':
        bridge.cycleAgentWave();
        return;
      case 'cycle-settle':
        bridge.cycleSettle();
        return;
      case 'take-over':
        bridge.answerTakeover(true);
        return;
      case 'decline-takeover':
        bridge.answerTakeover(false);
        return;
      case 'run-node':
        bridge.answerConfirm({ answer: 'run' });
        return;
      case 'skip-node':
        bridge.answerConfirm({ answer: 'skip' });
        return;
      case 'continue-run':
        bridge.answerPause('continue');
        return;
      case 'quit-run':
        if (screen === 'run-pause') bridge.answerPause('quit');
        else if (screen === 'run-confirm' || screen === 'run-type-name') bridge.answerConfirm({ answer: 'quit' });
        else bridge.requestQuit();
        return;
      case 'abort-run':
        bridge.interrupt();
        return;
      case 'exit-run':
        onExit();
        return;
      case 'start-stopped-node':
        bridge.answerStartStopped(true);
        return;
      case 'leave-stopped-node':
        bridge.answerStartStopped(false);
        return;
      case 'type-node-name': // delegated: NodeConfirm reads the typed name and answers
      case undefined:
        return;
      default:
        // Exhaustive: a run-screen binding whose action has no case here does not compile.
        assertNever(action);
    }
  });

  const { header } = view;
  const failed = view.state?.outcome.status === 'failed' ? view.state.outcome.failure : null;
  const failure = failed && header.withOptions ? { ...failed, fix: header.withOptions(failed.fix) } : failed;
  // The rewrite reads commands in backticks, as the engine writes them; the panel adds its own backticks.
  const resumeCommand = header.withOptions?.('`keyturn resume`').slice(1, -1);
  const confirm = view.pendingConfirm;
  // Fitted to the terminal by priority, as the dashboard is: the header, the node strip and the key bar always
  // (plus a spare row, so Ink redraws in place), then the question or the steps in flight; the command list and
  // the log tail get what is left, cut with "+N more" lines. A block with many commands must not scroll the strip
  // or the y/s/q question off an 80×24 terminal.
  const hintRows = 1 + keyHintRows(hintsFor(screen), width);
  const body = height - 1 - 1 - 1 - hintRows;
  const maxStepRows = confirm ? Math.max(1, body - confirmChromeRows(confirm, width)) : undefined;
  // The steps in flight get what the re-encryption widget, the failure panel, the stop notice and the last line
  // leave (the log tail only what they leave in turn): a node with many steps is cut with "+N more" lines too.
  const maxBlockSteps = Math.max(
    3,
    body - 1 - (reencryptWait ? 6 : 0) - (view.quitRequested ? 1 : 0) - (failure ? 14 : 0) - 1,
  );
  const blockRows = block && !confirm ? 1 + Math.min(block.steps.length, maxBlockSteps) : 0;
  const logRoom = body - blockRows - (reencryptWait ? 6 : 0) - (view.quitRequested ? 1 : 0) - (failure ? 14 : 0) - 4;
  const logHeight = Math.min(12, logRoom);
  const roles = confirm && view.plan ? (view.plan.nodes.find((n) => n.name === confirm.node)?.roles ?? []) : [];
  const reading = reencryptWait && view.reencrypt?.node === reencryptWait.node ? view.reencrypt : null;

  return (
    <Box flexDirection="column">
      <Static items={view.finished as FinishedItem[]}>
        {(line) => (
          <Text key={line.id} wrap="truncate-end">
            <Text color={line.glyph === '✓' ? 'green' : line.glyph === '✗' ? 'red' : 'gray'}>{line.glyph}</Text>{' '}
            {line.node} · {line.title}
            <Text dimColor> · {line.detail}</Text>
          </Text>
        )}
      </Static>
      <Text wrap="truncate-end">
        <Text bold>keyturn {header.resumed ? 'resume' : 'run'}</Text> · <Text bold>{header.recipe}</Text> · run{' '}
        {header.runId} · cluster {header.cluster}
        {view.state ? <Text dimColor> · {progress(view.state)}</Text> : null}
      </Text>
      {view.state && (stage.kind === 'running' || stage.kind === 'done') ? (
        <NodeStrip nodes={nodeProgress(view.state)} width={width} />
      ) : null}
      {stage.kind === 'preview' ? (
        <>
          <PlanPreview text={planText} offset={offset} height={previewHeight} />
          {view.settle ? <SettleLine choice={view.settle} /> : null}
          {view.agentWave ? <AgentWaveLine choice={view.agentWave} /> : null}
          <Text>
            Press <Text bold>enter</Text> to start: keyturn asks before each node. <Text bold>q</Text> cancels; nothing
            has been changed.
          </Text>
        </>
      ) : null}
      {stage.kind === 'starting' ? <Spinner tick={tick} label={stage.message} /> : null}
      {stage.kind === 'takeover' ? (
        <Box flexDirection="column" borderStyle="round" borderColor="red" paddingX={1}>
          <Text bold color="red">
            ⚠ The run lock at {stage.where} is held by {stage.holder} (run {stage.runId}); it expired at{' '}
            {stage.expiredAt}.
          </Text>
          <Text>
            Take it over only if that run is really gone (its operator left, or keyturn was killed). y takes over · n
            leaves it.
          </Text>
        </Box>
      ) : null}
      {block && view.state && (stage.kind === 'running' || stage.kind === 'done') && !confirm ? (
        <BlockSteps
          node={block.node}
          title={block.phaseTitle}
          steps={stepViews(block, view.state, view.waiting)}
          tick={tick}
          maxRows={maxBlockSteps}
        />
      ) : null}
      {reencryptWait ? (
        <ReencryptProgress
          node={reencryptWait.node}
          unit={reencryptWait.unit}
          progress={reading?.progress ?? null}
          stallAfterSeconds={reading?.stallAfterSeconds ?? reencryptWait.stallAfterSeconds}
        />
      ) : null}
      {confirm ? (
        <NodeConfirm
          node={confirm.node}
          roles={roles}
          unit={confirm.unit}
          phaseTitle={confirm.block.phaseTitle}
          steps={confirm.steps}
          requireTypedName={confirm.requireTypedName}
          resumed={confirm.resumed}
          retry={confirm.retry}
          typed={typed}
          onTypedChange={setTyped}
          onTypedSubmit={(name) => bridge.answerConfirm({ answer: 'run', typedName: name.trim() })}
          onCancel={() => bridge.answerConfirm({ answer: 'quit' })}
          maxStepRows={maxStepRows}
          wave={confirm.wave}
        />
      ) : null}
      {view.pendingPause ? (
        <Box flexDirection="column" borderStyle="round" borderColor="yellow" paddingX={1}>
          <Text bold>Paused on {view.pendingPause.node}</Text>
          <Text>{view.pendingPause.message}</Text>
          <Text>
            <Text bold>enter</Text> continue · <Text bold>q</Text> quit (resume later)
          </Text>
        </Box>
      ) : null}
      {view.logs.node && stage.kind === 'running' && !confirm && logHeight >= 1 ? (
        <LogPane
          lines={view.logs.lines}
          dropped={view.logs.dropped}
          height={logHeight}
          title={`${view.logs.node} · journalctl -u ${view.logs.unit ?? ''}${view.logs.wave ? ' (lines prefixed by node)' : ''}`}
        />
      ) : null}
      {failure ? (
        <FailurePanel
          failure={failure}
          stopped={view.stopped}
          offer={view.pendingStart}
          resumeCommand={resumeCommand}
          maxEvidence={Math.max(2, Math.min(12, body - 14 - view.stopped.length))}
        />
      ) : null}
      {view.quitRequested && stage.kind === 'running' ? (
        <Text color="yellow">Stopping before the next node… (ctrl-c stops now; resume checks the step in flight)</Text>
      ) : null}
      {stage.kind === 'done' ? (
        <Text bold color={failure ? 'red' : view.state?.outcome.status === 'succeeded' ? 'green' : 'yellow'}>
          {stage.message}
          {stage.waitForKey ? <Text dimColor> — press q to exit</Text> : null}
        </Text>
      ) : null}
      <Box marginTop={1}>
        <KeyHints hints={hintsFor(screen)} />
      </Box>
    </Box>
  );
}

type FinishedItem = RunView['finished'][number];

const waveSize = (s: AgentWaveSize) => ('count' in s ? String(s.count) : `${s.percent}%`);

/** The agent wave size offered on the preview (a plan with agents), as `run --agent-wave` sets it. */
function AgentWaveLine({ choice }: { choice: AgentWaveChoice }): React.JSX.Element {
  const now =
    choice.resolved <= 1
      ? 'one at a time'
      : `waves of at most ${choice.resolved} of the ${choice.agents} (--agent-wave ${waveSize(choice.size)})`;
  return (
    <Text wrap="truncate-end">
      Agents: <Text bold>{now}</Text> · <Text bold>w</Text> changes it ({choice.choices.map(waveSize).join(' · ')}), as{' '}
      <Text bold>run --agent-wave</Text> does
    </Text>
  );
}

/** The settle window offered on the preview, as `run --settle` sets it; in a rehearsal, what it runs at too. */
function SettleLine({ choice }: { choice: SettleChoice }): React.JSX.Element {
  const scaled = choice.timeScale
    ? ` (${scaledSeconds(choice.seconds, choice.timeScale)} s in this rehearsal, at the lab's speed ${choice.timeScale})`
    : '';
  return (
    <Text>
      Settle window: <Text bold>{choice.seconds} s</Text> per server{scaled} · <Text bold>s</Text> changes it (
      {choice.choices.map((c) => `${c} s`).join(' · ')}), as <Text bold>run --settle</Text> does
    </Text>
  );
}

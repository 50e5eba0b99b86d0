// The engine's public surface: code outside src/engine imports only this file (test/architecture.test.ts holds it),
// so the engine's files can move and split without touching their users.
export { planRun, DEFAULT_SETTLE_SECONDS } from './plan.js';
export type {
  Plan,
  PlannedBlock,
  PlannedNode,
  PlannedStep,
  PlannedWave,
  AgentWaveSize,
  PlanOptions,
  PlanRefusal,
  PlanResult,
  Tier,
} from './plan-types.js';
export { renderPlanText, renderRefusal } from './render-plan.js';
export { describeWave } from './waves.js';
export { createRun, driveRun, newRunId } from './driver.js';
export type { CreateResult } from './driver.js';
export type {
  Clock,
  ConfirmAnswer,
  ConfirmPort,
  ConfirmRequest,
  ConfirmStepView,
  JournalPort,
  LogEvent,
  LogSink,
  PauseRequest,
  RunPorts,
  WaitProgress,
} from './ports.js';
export type {
  CertSnapshot,
  ExecRecord,
  Failure,
  GateCheckResult,
  LockHolder,
  Operator,
  ReencryptProgress,
  RunEvent,
  RunEventType,
  StepData,
  StepResult,
} from './events.js';
export { applyEvent, foldEvents, initialState, nextAction, nodesWithSkips } from './reducer.js';
export type { BlockState, NextAction, Outcome, RunState, StepState, StepStatus, WaveState } from './reducer.js';
export { renderReport } from './report.js';
export {
  acquireRunLock,
  expired,
  lockExpiresAt,
  showLockHolder,
  DEFAULT_LOCK_TTL_SECONDS,
  LEASE_NAME,
  LEASE_NAMESPACE,
} from './lock.js';
export type { HeldLock, LockPorts, LockRelease, LockResult } from './lock.js';
export { TAIL_KEEP_LINES } from './tails.js';
export { RingBuffer } from '../util/ring-buffer.js';
export { redactEvent } from './redact-event.js';
export { startCommandFor, startStoppedNode, stoppedLine, stoppedNodes } from './stopped-nodes.js';
export { scaledSeconds } from './time-scale.js';
export { nodeProgress } from './node-progress.js';
export type { NodeProgress, NodeProgressItem } from './node-progress.js';
export { describeWaitProgress } from './handlers/wait-progress.js';
export { DEFAULT_STALL_SECONDS } from './encryption/reencrypt.js';

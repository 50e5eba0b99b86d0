// The engine's public surface, for the run/resume commands and the wizard's hooks.
export { planRun, DEFAULT_SETTLE_SECONDS } from './plan.js';
export type { Plan, PlannedBlock, PlannedNode, PlannedStep, PlanOptions, PlanRefusal, PlanResult, Tier } from './plan-types.js';
export { renderPlanText, renderRefusal } from './render-plan.js';
export { createRun, driveRun, newRunId } from './driver.js';
export type { CreateResult } from './driver.js';
export type { Clock, ConfirmAnswer, ConfirmPort, ConfirmRequest, ConfirmStepView, JournalPort, LogEvent, LogSink, PauseRequest, RunPorts } from './ports.js';
export type { CertSnapshot, ExecRecord, Failure, GateCheckResult, LockHolder, Operator, RunEvent, RunEventType, StepData, StepResult } from './events.js';
export { applyEvent, foldEvents, initialState, nextAction, nodesWithSkips } from './reducer.js';
export type { BlockState, NextAction, Outcome, RunState, StepState, StepStatus } from './reducer.js';
export { renderReport } from './report.js';
export { acquireRunLock, showLockHolder, DEFAULT_LOCK_TTL_SECONDS, LEASE_NAME, LEASE_NAMESPACE } from './lock.js';
export type { HeldLock, LockPorts, LockResult } from './lock.js';
export { TAIL_KEEP_LINES } from './tails.js';
export { RingBuffer } from '../util/ring-buffer.js';

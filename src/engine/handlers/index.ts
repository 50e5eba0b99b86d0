// Step handlers keyed by step kind: recipes say what, these say how (design.md habit 1).
import type { StepKind } from '../../recipe-schema/types.js';
import type { StepHandler } from '../context.js';
import { runBackupStep } from './backup.js';
import { runCommandStep } from './command.js';
import { runGateStep } from './gate.js';
import { runPauseStep } from './pause.js';
import { runSettleStep } from './settle.js';
import { runWaitStep } from './wait.js';

export const HANDLERS: { readonly [K in StepKind]: StepHandler } = {
  command: runCommandStep,
  backup: runBackupStep,
  wait: runWaitStep,
  gate: runGateStep,
  settle: runSettleStep,
  pause: runPauseStep,
};

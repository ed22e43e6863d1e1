/**
 * Multi-step workflows (runs): the compile step, the bounded JSONata expressions and the pure run
 * machine that the engine's interpreter drives.
 * @module
 */
export { compileRun, runMachineInput } from './compileRun.js';
export type { CompiledRun, CompiledStep, RunProblem } from './compileRun.js';
export {
  CompiledExpression,
  DEFAULT_EXPRESSION_LIMITS,
  compileExpression,
  evaluateExpression,
  evaluateForEach,
  evaluateWhen,
  sitePath,
} from './expressions.js';
export type { CompileResult, ExpressionData, ExpressionField, ExpressionLimits, ExpressionSite, StepView } from './expressions.js';
export { FINAL_RUN_STATES, RUN_STATES, RUN_STATUS_OF, persistedRunSnapshot, runMachine } from './runMachine.js';
export type { RunContext, RunEvent, RunMachineInput, RunStateName } from './runMachine.js';
export { ENDED_STEP_STATUSES, stepOutcome } from './stepProgress.js';
export type { ChildRef, ChildStatus, RunStepSpec, StepProgress, StepStatus } from './stepProgress.js';

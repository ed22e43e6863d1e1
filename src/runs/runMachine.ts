import { and, assign, setup, type Actor } from 'xstate';
import type { ErrorInfo } from '../errors/index.js';
import type { TaskStatus } from '../lifecycle/types.js';
import {
  type ChildRef,
  type ChildStatus,
  type RunStepSpec,
  type StepProgress,
  allStepsClean,
  allStepsEnded,
  clearCommands,
  endChild,
  failingStep,
  initialProgress,
  isRunningChild,
  refuseStep,
  resolveStep,
  startSteps,
  stopSteps,
} from './stepProgress.js';

/**
 * A run (a multi-step workflow) as a pure XState v5 machine.
 *
 * It decides and the interpreter acts, as with the task machine: it never does I/O, never
 * evaluates an expression, never reads a clock and never uses `after`. Each transition leaves two
 * commands in the context, `launch` (children to create and start, in the same store commit as
 * the transition) and `abort` (running children to cancel); every event clears them first, so
 * they always belong to the latest event. The interpreter answers with events: the result of a
 * ready step's `when` and `forEach`, each child's end, the run's output, the degraded response.
 *
 * ```
 * queued ─START→ running ─(every step ended)→ finishing ─OUTPUT_RESOLVED→ completed | degraded
 *                   │                              └─OUTPUT_FAILED→ degrading | failed
 *                   ├─ a step failed under onFailure "fail" → degrading | failed   (running children aborted)
 *                   └─ DEADLINE → degrading | failed                              (running children aborted)
 * degrading ─DEGRADED→ degraded, ─DEGRADE_FAILED→ failed      (failed directly without a degraded response)
 * any live state ─CANCEL→ cancelled                            (running children aborted)
 * ```
 *
 * The interpreter's part, after every transition (and again after RECOVERED, which re-enters the
 * state and clears the commands, since those were committed before the restart):
 * - always: create and start the children in `launch` and cancel those in `abort`, in the same
 *   store commit as the transition; a final state's `abort` is acted on like any other.
 * - `queued`: send START.
 * - `running`: for each step that is `ready`, evaluate its `when` and `forEach` and send
 *   STEP_RESOLVED (or STEP_REFUSED); send CHILD_ENDED as each child task ends.
 * - `finishing`: evaluate the run's output and send OUTPUT_RESOLVED (or OUTPUT_FAILED).
 * - `degrading`: build the degraded response and send DEGRADED (or DEGRADE_FAILED).
 * - any live state: send DEADLINE when `deadlineAt` passes, CANCEL when asked.
 * @module
 */

export type { ChildRef, ChildStatus, RunStepSpec, StepProgress, StepStatus } from './stepProgress.js';

/** What the machine is created with. */
export interface RunMachineInput {
  readonly runId: string;
  readonly workflow: string;
  /** The steps by id, in topological order (launches follow it when several steps start at once). */
  readonly steps: Readonly<Record<string, RunStepSpec>>;
  /** Absolute ms; the interpreter sends DEADLINE when it passes. */
  readonly deadlineAt: number;
  /** Whether the workflow has a degraded response: a failing run degrades to it rather than failing. */
  readonly hasDegraded: boolean;
}

/** The run's context: the input, each step's progress, the commands of the last event and why the run ended badly. */
export interface RunContext extends RunMachineInput {
  /** Each step's progress, by id. */
  progress: Readonly<Record<string, StepProgress>>;
  /** Children to create and start, committed with this transition. Cleared by every event. */
  launch: readonly ChildRef[];
  /** Running children to cancel. Cleared by every event. */
  abort: readonly ChildRef[];
  /** Why the run failed, degraded to its degraded response or was cancelled; absent otherwise. */
  error?: ErrorInfo;
  /** The step whose failure ended the run, under `onFailure: "fail"`. */
  failedStep?: string;
}

/** Events the interpreter feeds the machine. */
export type RunEvent =
  | { type: 'START' }
  /**
   * The interpreter's answer for a `ready` step, after evaluating its `when` and `forEach`:
   * `skip` when `when` was false; `items` is the forEach's item count (0 completes the step with
   * an empty output), and is ignored for a step without forEach, which always has one child.
   */
  | { type: 'STEP_RESOLVED'; step: string; skip: boolean; items?: number }
  /** An expression of a ready or running step failed (`EXPRESSION_FAILED`): the step fails, then its onFailure applies. */
  | { type: 'STEP_REFUSED'; step: string; error: ErrorInfo }
  /** A child task ended. A repeated end, or one for a child that is not running, changes nothing. */
  | { type: 'CHILD_ENDED'; step: string; index: number; status: ChildStatus; error?: ErrorInfo }
  /** The run's output expression was evaluated (the interpreter writes the output to the run's row). */
  | { type: 'OUTPUT_RESOLVED'; output?: unknown }
  | { type: 'OUTPUT_FAILED'; error: ErrorInfo }
  /** The degraded response was built (the interpreter writes `output` to the run's row). */
  | { type: 'DEGRADED'; output: unknown }
  | { type: 'DEGRADE_FAILED'; error: ErrorInfo }
  | { type: 'CANCEL'; error: ErrorInfo }
  | { type: 'DEADLINE'; error: ErrorInfo }
  /** After a restart: re-enter the current state so the interpreter issues its effects again. */
  | { type: 'RECOVERED' };

/** The run's states. */
export type RunStateName = 'queued' | 'running' | 'finishing' | 'degrading' | 'completed' | 'degraded' | 'failed' | 'cancelled';

type EventOf<T extends RunEvent['type']> = Extract<RunEvent, { type: T }>;

/**
 * What every live state takes besides its own events. Not on the root, where a final state would
 * take them too: an actor ignores events once done, but the pure `transition` function does not.
 */
const whileLive = {
  CANCEL: { target: 'cancelled', actions: ['clearCommands', 'stopSteps', 'recordError'] },
  // Any other event clears the commands, so the interpreter never acts on stale ones twice.
  '*': { actions: 'clearCommands' },
} as const;

/** The deadline ends a live run: degrading when it can, failed otherwise, every running child aborted. */
const atDeadline = [
  { guard: 'hasDegraded', target: 'degrading', actions: ['clearCommands', 'stopSteps', 'recordError'] },
  { target: 'failed', actions: ['clearCommands', 'stopSteps', 'recordError'] },
] as const;

/** The run machine. See the module comment for the chart. */
export const runMachine = setup({
  types: {
    context: {} as RunContext,
    events: {} as RunEvent,
    input: {} as RunMachineInput,
  },
  guards: {
    hasDegraded: ({ context }) => context.hasDegraded,
    isReady: ({ context, event }) => 'step' in event && context.progress[event.step]?.status === 'ready',
    isReadyOrRunning: ({ context, event }) => {
      const status = 'step' in event ? context.progress[event.step]?.status : undefined;
      return status === 'ready' || status === 'running';
    },
    isRunningChild: ({ context, event }) => event.type === 'CHILD_ENDED' && isRunningChild(context, event),
    stepFailedRun: ({ context }) => failingStep(context) !== undefined,
    allStepsEnded: ({ context }) => allStepsEnded(context),
    allStepsClean: ({ context }) => allStepsClean(context),
  },
  actions: {
    clearCommands: assign(clearCommands),
    startSteps: assign(({ context }) => startSteps(context)),
    resolveStep: assign(({ context, event }) => {
      const { step, skip, items } = event as EventOf<'STEP_RESOLVED'>;
      return resolveStep(context, step, skip, items);
    }),
    refuseStep: assign(({ context, event }) => {
      const { step, error } = event as EventOf<'STEP_REFUSED'>;
      return refuseStep(context, step, error);
    }),
    endChild: assign(({ context, event }) => {
      const { step, index, status, error } = event as EventOf<'CHILD_ENDED'>;
      return endChild(context, { step, index }, status, error);
    }),
    stopSteps: assign(({ context }) => stopSteps(context)),
    recordError: assign(({ event }) => ('error' in event && event.error !== undefined ? { error: event.error } : {})),
    recordStepFailure: assign(({ context }) => {
      const step = failingStep(context);
      if (step === undefined) return {};
      const error = context.progress[step]?.error;
      return { failedStep: step, ...(error !== undefined ? { error } : {}) };
    }),
  },
}).createMachine({
  id: 'run',
  context: ({ input }) => ({ ...input, progress: initialProgress(input.steps), launch: [], abort: [] }),
  initial: 'queued',
  states: {
    queued: {
      on: {
        ...whileLive,
        START: { target: 'running', actions: ['clearCommands', 'startSteps'] },
        RECOVERED: { target: 'queued', reenter: true, actions: 'clearCommands' },
        DEADLINE: atDeadline,
      },
    },
    running: {
      // Checked after every event: a failure under "fail" ends the run before the rest is counted.
      always: [
        { guard: and(['stepFailedRun', 'hasDegraded']), target: 'degrading', actions: ['recordStepFailure', 'stopSteps'] },
        { guard: 'stepFailedRun', target: 'failed', actions: ['recordStepFailure', 'stopSteps'] },
        { guard: 'allStepsEnded', target: 'finishing' },
      ],
      on: {
        ...whileLive,
        STEP_RESOLVED: { guard: 'isReady', actions: ['clearCommands', 'resolveStep'] },
        STEP_REFUSED: { guard: 'isReadyOrRunning', actions: ['clearCommands', 'refuseStep'] },
        CHILD_ENDED: { guard: 'isRunningChild', actions: ['clearCommands', 'endChild'] },
        RECOVERED: { target: 'running', reenter: true, actions: 'clearCommands' },
        DEADLINE: atDeadline,
      },
    },
    finishing: {
      on: {
        ...whileLive,
        OUTPUT_RESOLVED: [
          { guard: 'allStepsClean', target: 'completed', actions: 'clearCommands' },
          { target: 'degraded', actions: 'clearCommands' },
        ],
        OUTPUT_FAILED: [
          { guard: 'hasDegraded', target: 'degrading', actions: ['clearCommands', 'recordError'] },
          { target: 'failed', actions: ['clearCommands', 'recordError'] },
        ],
        RECOVERED: { target: 'finishing', reenter: true, actions: 'clearCommands' },
        DEADLINE: atDeadline,
      },
    },
    degrading: {
      on: {
        ...whileLive,
        DEGRADED: { target: 'degraded', actions: 'clearCommands' },
        DEGRADE_FAILED: { target: 'failed', actions: ['clearCommands', 'recordError'] },
        RECOVERED: { target: 'degrading', reenter: true, actions: 'clearCommands' },
      },
    },
    completed: { type: 'final' },
    degraded: { type: 'final' },
    failed: { type: 'final' },
    cancelled: { type: 'final' },
  },
});

/** The run's states, for diagrams and docs. */
export const RUN_STATES: readonly RunStateName[] = [
  'queued',
  'running',
  'finishing',
  'degrading',
  'completed',
  'degraded',
  'failed',
  'cancelled',
];

/** The run's terminal states. */
export const FINAL_RUN_STATES: ReadonlySet<string> = new Set(['completed', 'degraded', 'failed', 'cancelled']);

/** The task status of a run in each state: what the run's row stores as `status`. */
export const RUN_STATUS_OF: Readonly<Record<RunStateName, TaskStatus>> = Object.freeze({
  queued: 'queued',
  running: 'running',
  finishing: 'running',
  degrading: 'running',
  completed: 'completed',
  degraded: 'degraded',
  failed: 'failed',
  cancelled: 'cancelled',
});

/**
 * The actor's persisted snapshot, equal to what `actor.getPersistedSnapshot()` builds without its
 * walk of the whole context in search of actor refs, as for the task machine: this machine keeps
 * no actor ref in its context, invokes nothing and has no history states. `runMachine.test.ts`
 * checks that both agree in every state.
 */
export function persistedRunSnapshot(actor: Actor<typeof runMachine>): unknown {
  const { status, output, error, value, context } = actor.getSnapshot();
  return { status, output, error, value, historyValue: {}, context, children: {} };
}

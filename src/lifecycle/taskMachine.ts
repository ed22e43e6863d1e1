import { assign, setup, type Actor } from 'xstate';
import type { ErrorInfo, Severity } from '../errors/index.js';

/**
 * The task lifecycle as a pure XState v5 machine.
 *
 * The machine decides and the engine acts: it never does I/O, never reads a clock and never
 * uses `after` (a restored `after` is lost: XState issue #5331). Every fact it decides on
 * arrives in an event (the time, the proposed backoff, the routing result), so a persisted
 * snapshot replays to the same decisions after a restart.
 *
 * ```
 * queued → routing → attempting → validating → completed
 *             ▲          │ ATTEMPT_FAILED
 *             │          ├─ retryable, attempts left, deadline allows → waiting → (WAKE) attempting
 *             └──────────┴─ otherwise → routing (the next agent of the plan)
 * routing with no agent left → degrading → degraded | failed   (failed directly without a degraded response)
 * any live state → cancelled (CANCEL); any live state but degrading → degrading | failed (DEADLINE)
 * ```
 * @module
 */

/** A failure as the machine remembers it: the classified error plus where it happened. */
export interface FailureInfo extends ErrorInfo {
  readonly agent?: string;
  readonly attempt?: number;
}

/** Why routing passed over an agent. */
export interface SkipInfo {
  readonly agent: string;
  readonly reason: 'circuit-open' | 'rate-limited' | 'bulkhead-full' | 'unhealthy' | 'unknown-agent';
}

/** What the machine is created with. */
export interface TaskMachineInput {
  readonly taskId: string;
  readonly workflow: string;
  /** Agents to try, in order: the primary and its fallback chain, or the capability's agents. */
  readonly plan: readonly string[];
  /** maxAttempts for each agent of the plan, same order. */
  readonly maxAttempts: readonly number[];
  /** Absolute ms; no retry is started whose wake time is at or past it. */
  readonly deadlineAt: number;
  readonly hasDegraded: boolean;
}

export interface TaskContext extends TaskMachineInput {
  /** Index into `plan` of the agent being tried; -1 before the first routing. */
  index: number;
  agent: string | undefined;
  /** 1-based attempt number on the current agent. */
  attempt: number;
  /** The delay proposed for the pending retry, and when it wakes. */
  backoffMs: number;
  wakeAt: number | undefined;
  /** The pending wait is a deferral (the agent asked every client to wait), not a retry: waking spends no attempt. */
  deferred: boolean;
  failures: FailureInfo[];
  output: unknown;
  answeredBy: string | undefined;
  finalError: FailureInfo | undefined;
}

/** Events the engine feeds the machine. Every time-dependent fact travels in the event. */
export type TaskEvent =
  | { type: 'START' }
  | { type: 'ROUTED'; agent: string; index: number; skipped: readonly SkipInfo[] }
  | { type: 'NO_AGENT'; skipped: readonly SkipInfo[]; error: ErrorInfo }
  | { type: 'ATTEMPT_OK'; output: unknown }
  | { type: 'ATTEMPT_FAILED'; error: ErrorInfo; at: number; delayMs: number }
  /** The agent is held by a Retry-After another task received: wait for it without calling. */
  | { type: 'ATTEMPT_DEFERRED'; error: ErrorInfo; at: number; delayMs: number }
  | { type: 'OUTPUT_VALID' }
  | { type: 'OUTPUT_INVALID'; error: ErrorInfo }
  | { type: 'WAKE' }
  | { type: 'DEADLINE'; error: ErrorInfo }
  | { type: 'DEGRADED'; output: unknown }
  | { type: 'DEGRADE_FAILED'; error: ErrorInfo }
  | { type: 'CANCEL'; error: ErrorInfo }
  | { type: 'RECOVERED' };

/** States whose entry asks the engine for an effect. */
export type TaskStateName =
  | 'queued'
  | 'routing'
  | 'attempting'
  | 'validating'
  | 'waiting'
  | 'degrading'
  | 'completed'
  | 'degraded'
  | 'failed'
  | 'cancelled';

const failure = (ctx: TaskContext, error: ErrorInfo): FailureInfo => ({
  ...error,
  ...(ctx.agent !== undefined ? { agent: ctx.agent } : {}),
  ...(ctx.attempt > 0 ? { attempt: ctx.attempt } : {}),
});

/**
 * Where a task goes once no agent can answer it (none left to route to, or the deadline passed):
 * to its workflow's degraded response if it has one, else straight to failed. Both record the error.
 * Each state names it rather than the root, as CANCEL is: degrading must not take DEADLINE.
 */
const degradeOrFail = [
  { guard: 'hasDegraded', target: 'degrading', actions: 'recordFailure' },
  { target: 'failed', actions: 'recordFailure' },
] as const;

/** The task lifecycle machine. See the module comment for the chart. */
export const taskMachine = setup({
  types: {
    context: {} as TaskContext,
    events: {} as TaskEvent,
    input: {} as TaskMachineInput,
  },
  guards: {
    canDefer: ({ context, event }) => event.type === 'ATTEMPT_DEFERRED' && event.at + event.delayMs < context.deadlineAt,
    canRetry: ({ context, event }) => {
      if (event.type !== 'ATTEMPT_FAILED') return false;
      const max = context.maxAttempts[context.index] ?? 1;
      return event.error.retryable && context.attempt < max && event.at + event.delayMs < context.deadlineAt;
    },
    hasDegraded: ({ context }) => context.hasDegraded,
  },
  actions: {
    recordFailure: assign(({ context, event }) => {
      if (!('error' in event)) return {};
      const f = failure(context, event.error);
      return { failures: [...context.failures, f], finalError: f };
    }),
  },
}).createMachine({
  id: 'task',
  context: ({ input }) => ({
    ...input,
    index: -1,
    agent: undefined,
    attempt: 0,
    backoffMs: 0,
    wakeAt: undefined,
    deferred: false,
    failures: [],
    output: undefined,
    answeredBy: undefined,
    finalError: undefined,
  }),
  initial: 'queued',
  on: {
    CANCEL: { target: '.cancelled', actions: 'recordFailure' },
  },
  states: {
    queued: {
      on: {
        START: 'routing',
        RECOVERED: 'queued',
        DEADLINE: degradeOrFail,
      },
    },
    routing: {
      on: {
        ROUTED: {
          target: 'attempting',
          actions: assign(({ event }) => ({ agent: event.agent, index: event.index, attempt: 1, backoffMs: 0, wakeAt: undefined })),
        },
        NO_AGENT: degradeOrFail,
        RECOVERED: { target: 'routing', reenter: true },
        DEADLINE: degradeOrFail,
      },
    },
    attempting: {
      on: {
        ATTEMPT_OK: { target: 'validating', actions: assign(({ event }) => ({ output: event.output })) },
        ATTEMPT_FAILED: [
          {
            guard: 'canRetry',
            target: 'waiting',
            actions: ['recordFailure', assign(({ event }) => ({ backoffMs: event.delayMs, wakeAt: event.at + event.delayMs }))],
          },
          { target: 'routing', actions: 'recordFailure' },
        ],
        ATTEMPT_DEFERRED: [
          {
            guard: 'canDefer',
            target: 'waiting',
            actions: assign(({ event }) => ({ backoffMs: event.delayMs, wakeAt: event.at + event.delayMs, deferred: true })),
          },
          { target: 'routing', actions: 'recordFailure' },
        ],
        RECOVERED: { target: 'attempting', reenter: true },
        DEADLINE: degradeOrFail,
      },
    },
    validating: {
      on: {
        OUTPUT_VALID: { target: 'completed', actions: assign(({ context }) => ({ answeredBy: context.agent })) },
        OUTPUT_INVALID: { target: 'routing', actions: ['recordFailure', assign({ output: undefined })] },
        RECOVERED: { target: 'validating', reenter: true },
        DEADLINE: degradeOrFail,
      },
    },
    waiting: {
      on: {
        WAKE: {
          target: 'attempting',
          actions: assign(({ context }) => ({
            attempt: context.deferred ? context.attempt : context.attempt + 1,
            wakeAt: undefined,
            deferred: false,
          })),
        },
        RECOVERED: 'waiting',
        DEADLINE: degradeOrFail,
      },
    },
    degrading: {
      on: {
        DEGRADED: { target: 'degraded', actions: assign(({ event }) => ({ output: event.output })) },
        DEGRADE_FAILED: { target: 'failed', actions: 'recordFailure' },
        RECOVERED: { target: 'degrading', reenter: true },
      },
    },
    completed: { type: 'final' },
    degraded: { type: 'final' },
    failed: { type: 'final' },
    cancelled: { type: 'final' },
  },
});

/** The lifecycle's states, for diagrams and docs. */
export const TASK_STATES: readonly TaskStateName[] = [
  'queued',
  'routing',
  'attempting',
  'validating',
  'waiting',
  'degrading',
  'completed',
  'degraded',
  'failed',
  'cancelled',
];

/** Terminal states. */
export const FINAL_STATES: ReadonlySet<string> = new Set(['completed', 'degraded', 'failed', 'cancelled']);

/** The task's severity once it ended: the highest of its failures' and the workflow's. */
export type { Severity };

/**
 * The actor's persisted snapshot, equal to what `actor.getPersistedSnapshot()` builds, without
 * its walk of the whole context in search of actor refs: this machine never keeps one in its
 * context, invokes nothing and has no history states. The walk was the largest single cost of a
 * lifecycle step (a fifth of the engine's CPU; see docs/benchmarks.md). `taskMachine.test.ts`
 * checks that both agree in every state, so an XState upgrade that changes the shape is caught.
 */
export function persistedSnapshot(actor: Actor<typeof taskMachine>): unknown {
  const { status, output, error, value, context } = actor.getSnapshot();
  return { status, output, error, value, historyValue: {}, context, children: {} };
}

import { assign, setup } from 'xstate';

/**
 * The life of one supervised component as a pure XState v5 machine, like the task machine: it
 * never does I/O, never reads a clock and never uses `after`. Every time-dependent fact arrives
 * in an event (`at`), and the supervisor acts on the states it enters.
 *
 * ```
 * starting ──(successThreshold passes)──► healthy ◄──────────────────────────────┐
 *    │                                     │ CHECK_FAILED                         │
 *    │                                     ▼                                      │
 *    │                                  suspect ──(failureThreshold in a row)──┐  │
 *    └──(failureThreshold in a row)────────────────────────────────────────► unhealthy
 *                                                                              │ RECOVER
 *       ┌──── RECOVERY_FAILED / verification failed, a strategy left ───┐      ▼
 *       └──────────────────────────────────────────────────────► recovering(strategy i)
 *                                                                     │ RECOVERY_OK
 *                                                                     ▼
 *                                                                 verifying ──(passes)──► healthy
 *                          every strategy spent ──► escalated ──(passes)──► healthy
 * EXITED (a managed process died) ──► recovering(automatic restart) ──STARTED──► verifying
 * GIVE_UP (restart intensity exceeded) ──► failed   (stays until a person steps in)
 * ```
 *
 * Checks that fail before `graceUntil` (the startup grace after a start) are not counted.
 * @module
 */

/** What the machine is created with. */
export interface SupervisorMachineInput {
  /** Failed checks in a row that make the component unhealthy (or fail a verification). */
  readonly failureThreshold: number;
  /** Passed checks in a row that make it healthy. */
  readonly successThreshold: number;
  /** How many strategies its recovery ladder has. */
  readonly strategies: number;
  /** Failed checks before this time (ms) are not counted: the startup grace. */
  readonly graceUntil: number;
}

export interface SupervisorContext extends SupervisorMachineInput {
  graceUntil: number;
  /** Failed checks in a row. */
  failures: number;
  /** Passed checks in a row. */
  successes: number;
  /** The ladder index in use; -1 when none is. */
  index: number;
  /** The recovery under way is the automatic restart of a managed process, not a ladder strategy. */
  auto: boolean;
}

/** Events the supervisor feeds the machine. */
export type SupervisorEvent =
  | { type: 'CHECK_OK'; at: number; detail?: string }
  | { type: 'CHECK_FAILED'; at: number; detail?: string }
  | { type: 'RECOVER'; at: number }
  | { type: 'RECOVERY_OK'; at: number; index: number; detail?: string }
  | { type: 'RECOVERY_FAILED'; at: number; index: number; detail?: string }
  | { type: 'EXITED'; at: number; detail?: string }
  | { type: 'STARTED'; at: number; graceMs: number; detail?: string }
  | { type: 'GIVE_UP'; at: number; detail?: string };

/** The supervisor machine's states. */
export type SupervisorState = 'starting' | 'healthy' | 'suspect' | 'unhealthy' | 'recovering' | 'verifying' | 'escalated' | 'failed';

/** Every state, for docs and dashboards. */
export const SUPERVISOR_STATES: readonly SupervisorState[] = [
  'starting',
  'healthy',
  'suspect',
  'unhealthy',
  'recovering',
  'verifying',
  'escalated',
  'failed',
];

/**
 * What routing reads from a state: traffic goes to `healthy` (and `suspect`, which has not yet
 * failed enough to be pulled) components, never to the others; `starting` is `unknown` and
 * routed to, as before any check has run.
 */
export function readinessOf(state: SupervisorState): 'healthy' | 'unhealthy' | 'unknown' {
  if (state === 'starting') return 'unknown';
  return state === 'healthy' || state === 'suspect' ? 'healthy' : 'unhealthy';
}

const toStrategy = (index: number) => ({ index, auto: false, failures: 0, successes: 0 });
const settled = { index: -1, auto: false, failures: 0, successes: 0 };

/** The supervisor machine. See the module comment for the chart. */
export const supervisorMachine = setup({
  types: {
    context: {} as SupervisorContext,
    events: {} as SupervisorEvent,
    input: {} as SupervisorMachineInput,
  },
  guards: {
    /** The failed check counts: it is past the startup grace. */
    counts: ({ context, event }) => event.type === 'CHECK_FAILED' && event.at >= context.graceUntil,
    /** This failed check is the one that reaches the failure threshold. */
    tipsOver: ({ context, event }) =>
      event.type === 'CHECK_FAILED' && event.at >= context.graceUntil && context.failures + 1 >= context.failureThreshold,
    /** This passed check is the one that reaches the success threshold. */
    enough: ({ context }) => context.successes + 1 >= context.successThreshold,
    hasNext: ({ context }) => context.index + 1 < context.strategies,
    /** The strategy result is for the strategy in use (not a late answer of an abandoned one). */
    current: ({ context, event }) => !context.auto && 'index' in event && event.index === context.index,
    auto: ({ context }) => context.auto,
  },
  actions: {
    pass: assign(({ context }) => ({ successes: context.successes + 1, failures: 0 })),
    fail: assign(({ context }) => ({ failures: context.failures + 1, successes: 0 })),
  },
}).createMachine({
  id: 'supervisor',
  context: ({ input }) => ({ ...input, failures: 0, successes: 0, index: -1, auto: false }),
  initial: 'starting',
  on: {
    EXITED: { target: '.recovering', actions: assign({ index: -1, auto: true, failures: 0, successes: 0 }) },
    STARTED: { actions: assign(({ event }) => ({ graceUntil: event.at + event.graceMs })) },
    GIVE_UP: '.failed',
  },
  states: {
    starting: {
      on: {
        CHECK_OK: [{ guard: 'enough', target: 'healthy', actions: assign(settled) }, { actions: 'pass' }],
        CHECK_FAILED: [
          { guard: 'tipsOver', target: 'unhealthy', actions: 'fail' },
          { guard: 'counts', actions: 'fail' },
        ],
      },
    },
    healthy: {
      on: {
        CHECK_OK: { actions: 'pass' },
        CHECK_FAILED: [
          { guard: 'tipsOver', target: 'unhealthy', actions: 'fail' },
          { guard: 'counts', target: 'suspect', actions: 'fail' },
        ],
      },
    },
    suspect: {
      on: {
        CHECK_OK: { target: 'healthy', actions: assign(settled) },
        CHECK_FAILED: [
          { guard: 'tipsOver', target: 'unhealthy', actions: 'fail' },
          { guard: 'counts', actions: 'fail' },
        ],
      },
    },
    unhealthy: {
      on: {
        RECOVER: [
          { guard: 'hasNext', target: 'recovering', actions: assign(({ context }) => toStrategy(context.index + 1)) },
          { target: 'escalated', actions: assign({ failures: 0, successes: 0 }) },
        ],
      },
    },
    recovering: {
      on: {
        RECOVERY_OK: { guard: 'current', target: 'verifying', actions: assign({ failures: 0, successes: 0 }) },
        RECOVERY_FAILED: [
          {
            guard: ({ context, event }) => !context.auto && event.index === context.index && context.index + 1 < context.strategies,
            target: 'recovering',
            reenter: true,
            actions: assign(({ context }) => toStrategy(context.index + 1)),
          },
          { guard: 'current', target: 'escalated', actions: assign({ failures: 0, successes: 0 }) },
        ],
        STARTED: {
          guard: 'auto',
          target: 'verifying',
          actions: assign(({ event }) => ({ graceUntil: event.at + event.graceMs, failures: 0, successes: 0 })),
        },
      },
    },
    verifying: {
      on: {
        CHECK_OK: [{ guard: 'enough', target: 'healthy', actions: assign(settled) }, { actions: 'pass' }],
        CHECK_FAILED: [
          // A managed process that came back but does not pass: on to the recovery ladder.
          {
            guard: ({ context, event }) =>
              context.auto && event.at >= context.graceUntil && context.failures + 1 >= context.failureThreshold,
            target: 'unhealthy',
            actions: assign(settled),
          },
          {
            guard: ({ context, event }) =>
              event.at >= context.graceUntil && context.failures + 1 >= context.failureThreshold && context.index + 1 < context.strategies,
            target: 'recovering',
            actions: assign(({ context }) => toStrategy(context.index + 1)),
          },
          { guard: 'tipsOver', target: 'escalated', actions: assign({ failures: 0, successes: 0 }) },
          { guard: 'counts', actions: 'fail' },
        ],
      },
    },
    escalated: {
      on: {
        CHECK_OK: [{ guard: 'enough', target: 'healthy', actions: assign(settled) }, { actions: 'pass' }],
        CHECK_FAILED: { actions: 'fail' },
      },
    },
    failed: {
      // A person steps in: Warden gave up on purpose and stays out of the way.
      on: { EXITED: {}, GIVE_UP: {}, STARTED: {} },
    },
  },
});

/**
 * The task lifecycle machine against random event sequences (fast-check). Well-typed events with
 * random fields arrive in any order and in any state, as late, duplicated and racing deliveries
 * would bring them, and the machine keeps its invariants at every step. Beside the task that never
 * stops runs its twin, restarted from the JSON of its persisted snapshot before every event, as a
 * task is after a crash: both must decide alike.
 *
 * Each run is seeded and prints its seed; `WARDEN_TEST_SEED=<seed>` replays one.
 */
import fc from 'fast-check';
import { type Actor, createActor, type SnapshotFrom } from 'xstate';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SimulatedClock } from '../clock/index.js';
import { type ErrorInfo, errorCategorySchema, errorCodes, severitySchema, wardenError } from '../errors/index.js';
import { FINAL_STATES, persistedSnapshot, type SkipInfo, type TaskEvent, type TaskMachineInput, taskMachine } from './taskMachine.js';

const seed = process.env.WARDEN_TEST_SEED !== undefined ? Number(process.env.WARDEN_TEST_SEED) : Math.floor(Math.random() * 2 ** 31);
const NUM_RUNS = 600;

type TaskActor = Actor<typeof taskMachine>;
type TaskSnapshot = SnapshotFrom<typeof taskMachine>;

const errorInfo: fc.Arbitrary<ErrorInfo> = fc.record(
  {
    code: fc.constantFrom(...Object.keys(errorCodes)),
    category: fc.constantFrom(...errorCategorySchema.options),
    severity: fc.constantFrom(...severitySchema.options),
    retryable: fc.boolean(),
    message: fc.string({ maxLength: 12 }),
    status: fc.integer({ min: 100, max: 599 }),
    retryAfterMs: fc.nat(60_000),
  },
  { requiredKeys: ['code', 'category', 'severity', 'retryable', 'message'] },
);

const skipped = fc.array(
  fc.record({
    agent: fc.constantFrom('agent-0', 'agent-1', 'agent-2', 'ghost'),
    reason: fc.constantFrom('circuit-open', 'rate-limited', 'bulkhead-full', 'unhealthy', 'unknown-agent'),
  }),
  { maxLength: 2 },
);

const input: fc.Arbitrary<TaskMachineInput> = fc.integer({ min: 0, max: 4 }).chain((agents) =>
  fc.record({
    taskId: fc.constant('t1'),
    workflow: fc.constant('review'),
    plan: fc.constant(Array.from({ length: agents }, (_, i) => `agent-${i}`)),
    maxAttempts: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: agents, maxLength: agents }),
    deadlineAt: fc.integer({ min: 0, max: 60_000 }),
    hasDegraded: fc.boolean(),
  }),
);

/**
 * One step of a run: time passing on the clock, the step the engine itself would take next
 * (`NEXT`), or any event at all, as a late, duplicated or racing delivery would bring it. Fields
 * the engine derives from the task are filled in when the step runs: a routing result names an
 * agent after the current one (`pick` chooses which, as the agent pool's routing does), and an
 * attempt's answer is dated by the clock.
 */
type Step =
  | { type: 'TICK'; ms: number }
  | { type: 'NEXT'; choice: number; error: ErrorInfo; delayMs: number; output: fc.JsonValue; skipped: readonly SkipInfo[] }
  | { type: 'ROUTED'; pick: number; skipped: readonly SkipInfo[] }
  | { type: 'ATTEMPT_FAILED' | 'ATTEMPT_DEFERRED'; error: ErrorInfo; delayMs: number }
  | Exclude<TaskEvent, { type: 'ROUTED' | 'ATTEMPT_FAILED' | 'ATTEMPT_DEFERRED' }>;

// An output as the store keeps it: fast-check's JSON values include -0, which JSON turns into 0,
// so a snapshot restored from its JSON would differ from the live one by a sign no agent can send.
const output = fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.parse(JSON.stringify(v)) as fc.JsonValue);
const delayMs = fc.nat(8_000);
// The events that end a task from any state are the rarer ones.
const often = <T>(arbitrary: fc.Arbitrary<T>) => ({ weight: 3, arbitrary });
const anyEvent: fc.Arbitrary<Step> = fc.oneof(
  often(fc.constant({ type: 'START' as const })),
  often(fc.record({ type: fc.constant('ROUTED' as const), pick: fc.nat(), skipped })),
  often(fc.record({ type: fc.constant('NO_AGENT' as const), skipped, error: errorInfo })),
  often(fc.record({ type: fc.constant('ATTEMPT_OK' as const), output })),
  often(fc.record({ type: fc.constantFrom('ATTEMPT_FAILED' as const, 'ATTEMPT_DEFERRED' as const), error: errorInfo, delayMs })),
  often(fc.constant({ type: 'OUTPUT_VALID' as const })),
  often(fc.record({ type: fc.constant('OUTPUT_INVALID' as const), error: errorInfo })),
  often(fc.constant({ type: 'WAKE' as const })),
  often(fc.record({ type: fc.constant('DEGRADED' as const), output })),
  often(fc.record({ type: fc.constant('DEGRADE_FAILED' as const), error: errorInfo })),
  often(fc.constant({ type: 'RECOVERED' as const })),
  fc.record({ type: fc.constant('DEADLINE' as const), error: errorInfo }),
  fc.record({ type: fc.constant('CANCEL' as const), error: errorInfo }),
);
// Mostly the engine's own next step, so that runs get deep into retries and fallbacks.
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ type: fc.constant('NEXT' as const), choice: fc.nat(), error: errorInfo, delayMs, output, skipped }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('TICK' as const), ms: fc.nat(5_000) }) },
  { weight: 3, arbitrary: anyEvent },
);

/** The event a step stands for, given the task as it is now; a `NEXT` into a wake moves the clock to it. */
function eventOf(s: Exclude<Step, { type: 'TICK' }>, snapshot: TaskSnapshot, clock: SimulatedClock): TaskEvent {
  const ctx = snapshot.context;
  switch (s.type) {
    case 'NEXT':
      return nextEvent(s, snapshot, clock);
    case 'ROUTED': {
      const left = ctx.plan.length - (ctx.index + 1);
      if (left <= 0) return { type: 'NO_AGENT', skipped: s.skipped, error: exhausted };
      const index = ctx.index + 1 + (s.pick % left);
      return { type: 'ROUTED', agent: ctx.plan[index]!, index, skipped: s.skipped };
    }
    case 'ATTEMPT_FAILED':
    case 'ATTEMPT_DEFERRED':
      return { type: s.type, error: s.error, at: clock.now(), delayMs: s.delayMs };
    default:
      return s;
  }
}

const exhausted = wardenError('FALLBACK_EXHAUSTED', 'every agent of the plan failed').toJSON();

/** What the engine would send next in the task's state: its effect's answer, or the deadline once it passed. */
function nextEvent(s: Extract<Step, { type: 'NEXT' }>, snapshot: TaskSnapshot, clock: SimulatedClock): TaskEvent {
  const ctx = snapshot.context;
  const state = String(snapshot.value);
  if (state === 'waiting' && ctx.wakeAt !== undefined) clock.advanceTo(ctx.wakeAt);
  if (clock.now() >= ctx.deadlineAt && state !== 'degrading') return { type: 'DEADLINE', error: s.error };
  switch (state) {
    case 'queued':
      return { type: 'START' };
    case 'routing':
      // One time in eight, every agent left is passed over.
      return s.choice % 8 === 0
        ? { type: 'NO_AGENT', skipped: s.skipped, error: exhausted }
        : eventOf({ ...s, type: 'ROUTED', pick: s.choice >> 3 }, snapshot, clock);
    case 'attempting': {
      const type = (['ATTEMPT_OK', 'ATTEMPT_FAILED', 'ATTEMPT_FAILED', 'ATTEMPT_DEFERRED'] as const)[s.choice % 4]!;
      return type === 'ATTEMPT_OK' ? { type, output: s.output } : { type, error: s.error, at: clock.now(), delayMs: s.delayMs };
    }
    case 'validating':
      return s.choice % 3 === 0 ? { type: 'OUTPUT_VALID' } : { type: 'OUTPUT_INVALID', error: s.error };
    case 'waiting':
      return { type: 'WAKE' };
    case 'degrading':
      return s.choice % 2 === 0 ? { type: 'DEGRADED', output: s.output } : { type: 'DEGRADE_FAILED', error: s.error };
    default:
      return { type: 'RECOVERED' };
  }
}

/**
 * A new actor from the JSON of `actor`'s persisted snapshot, as the engine revives a stored task,
 * after checking that the snapshot is XState's own and that the revived task is the same task.
 */
function restart(actor: TaskActor, clock: SimulatedClock): TaskActor {
  expect(persistedSnapshot(actor)).toStrictEqual(actor.getPersistedSnapshot());
  const stored = JSON.parse(JSON.stringify(persistedSnapshot(actor))) as never;
  const revived = createActor(taskMachine, { snapshot: stored, clock, input: undefined as never });
  revived.start();
  expectSameTask(revived, actor);
  return revived;
}

function expectSameTask(a: TaskActor, b: TaskActor): void {
  expect(a.getSnapshot().value).toEqual(b.getSnapshot().value);
  expect(a.getSnapshot().status).toBe(b.getSnapshot().status);
  expect(a.getSnapshot().context).toEqual(b.getSnapshot().context);
}

/** The invariants of one step, from `before` to `after` on `event`. */
function checkStep(before: TaskSnapshot, after: TaskSnapshot, event: TaskEvent): void {
  const ctx = after.context;
  const value = String(after.value);

  // A final state is never left, and only a final state ends the actor.
  if (FINAL_STATES.has(String(before.value))) {
    expect(value).toBe(before.value);
    expect(ctx).toEqual(before.context);
  }
  expect(FINAL_STATES.has(value)).toBe(after.status === 'done');

  // The index into the plan never goes past the plan, and names the agent being tried.
  expect(ctx.index).toBeGreaterThanOrEqual(-1);
  expect(ctx.index).toBeLessThan(ctx.plan.length);
  if (ctx.index >= 0) {
    expect(ctx.agent).toBe(ctx.plan[ctx.index]);
    // The attempt number never exceeds that agent's maxAttempts.
    expect(ctx.attempt).toBeGreaterThanOrEqual(1);
    expect(ctx.attempt).toBeLessThanOrEqual(ctx.maxAttempts[ctx.index]!);
  } else expect(ctx.attempt).toBe(0);

  // Failures are only ever appended: one for each error that moved the task, a granted deferral
  // aside, and above all one for every failed attempt.
  expect(ctx.failures.slice(0, before.context.failures.length)).toEqual(before.context.failures);
  const moved = after.value !== before.value;
  const deferral = event.type === 'ATTEMPT_DEFERRED' && after.value === 'waiting';
  if (event.type === 'ATTEMPT_FAILED' && before.value === 'attempting') expect(moved).toBe(true);
  if ('error' in event && moved && !deferral) {
    const b = before.context;
    const recorded = {
      ...event.error,
      ...(b.agent !== undefined ? { agent: b.agent } : {}),
      ...(b.attempt > 0 ? { attempt: b.attempt } : {}),
    };
    expect(ctx.failures).toEqual([...b.failures, recorded]);
    expect(ctx.finalError).toEqual(recorded);
  } else expect(ctx.failures).toHaveLength(before.context.failures.length);
}

describe('the task machine under random events', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('keeps its invariants, and decides alike when restarted from its snapshot before every event', () => {
    console.info(`taskMachine property seed: ${seed} (replay with WARDEN_TEST_SEED=${seed})`);
    // Runs go on sending events to finished tasks, and XState warns of each: those warnings are expected.
    const warn = console.warn.bind(console);
    vi.spyOn(console, 'warn').mockImplementation((message: unknown, ...rest: unknown[]) => {
      if (!String(message).includes('was sent to stopped actor')) warn(message, ...rest);
    });
    fc.assert(
      fc.property(input, fc.array(step, { maxLength: 30, size: 'medium' }), (taskInput, steps) => {
        const clock = new SimulatedClock(0);
        const live = createActor(taskMachine, { input: taskInput, clock });
        live.start();
        let restarted = live;
        let afterEnd = 0;
        for (const s of steps) {
          // A few events after the end show that it stays the end; more would only cost time.
          if (live.getSnapshot().status === 'done' && ++afterEnd > 3) break;
          if (s.type === 'TICK') {
            clock.advance(s.ms);
            continue;
          }
          const before = live.getSnapshot();
          const event = eventOf(s, before, clock);
          const next = restart(restarted, clock);
          if (restarted !== live) restarted.stop();
          restarted = next;

          live.send(event);
          restarted.send(event);
          checkStep(before, live.getSnapshot(), event);
          expectSameTask(restarted, live);
        }
        restart(live, clock).stop();
      }),
      { seed, numRuns: NUM_RUNS },
    );
  });
});

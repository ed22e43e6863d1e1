/**
 * The task lifecycle machine driven alone, from plain events, with no engine around it: each
 * guard and transition, and what each one records in the context. Time comes from a simulated
 * clock and reaches the machine the way the engine delivers it: inside the events.
 */
import { createActor } from 'xstate';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SimulatedClock } from '../clock/index.js';
import { wardenError } from '../errors/index.js';
import { taskMachine, type TaskEvent, type TaskMachineInput, type TaskStateName } from './taskMachine.js';

const DEADLINE_AT = 10_000;
const INPUT: TaskMachineInput = {
  taskId: 't1',
  workflow: 'review',
  plan: ['primary', 'fallback'],
  maxAttempts: [2, 1],
  deadlineAt: DEADLINE_AT,
  hasDegraded: true,
};

const transient = wardenError('AGENT_UNAVAILABLE', 'primary is down').toJSON();
const permanent = wardenError('INVALID_REQUEST', 'primary rejected the request').toJSON();
const rateLimited = wardenError('RATE_LIMITED', 'primary is held by a Retry-After').toJSON();
const noAgent = wardenError('FALLBACK_EXHAUSTED', 'all 2 agent(s) of the plan failed or were unavailable').toJSON();
const deadline = wardenError('DEADLINE_EXCEEDED', 'task deadline passed').toJSON();
const invalid = wardenError('OUTPUT_INVALID', 'output of primary does not match the outputSchema').toJSON();
const degradeFailed = wardenError('DEGRADE_FAILED', 'degraded response failed: boom').toJSON();
const cancelled = wardenError('CANCELLED', 'cancelled by the operator').toJSON();

type LiveState = Exclude<TaskStateName, 'completed' | 'degraded' | 'failed' | 'cancelled'>;
const LIVE_STATES: readonly LiveState[] = ['queued', 'routing', 'attempting', 'validating', 'waiting', 'degrading'];
/** The live states that take DEADLINE (degrading already is the answer to it). */
const DEADLINE_STATES: readonly LiveState[] = ['queued', 'routing', 'attempting', 'validating', 'waiting'];

/** A started machine on a simulated clock, with the events the engine would send it. */
function lifecycle(overrides: Partial<TaskMachineInput> = {}) {
  const input = { ...INPUT, ...overrides };
  const clock = new SimulatedClock(1_000);
  const actor = createActor(taskMachine, { input, clock });
  actor.start();
  const send = (event: TaskEvent) => {
    actor.send(event);
    return actor.getSnapshot();
  };
  const self = {
    clock,
    send,
    get state() {
      return actor.getSnapshot().value;
    },
    get context() {
      return actor.getSnapshot().context;
    },
    get status() {
      return actor.getSnapshot().status;
    },
    routeTo: (index: number) => send({ type: 'ROUTED', agent: input.plan[index]!, index, skipped: [] }),
    fail: (error = transient, delayMs = 100) => send({ type: 'ATTEMPT_FAILED', error, at: clock.now(), delayMs }),
    defer: (delayMs: number) => send({ type: 'ATTEMPT_DEFERRED', error: rateLimited, at: clock.now(), delayMs }),
    /** Fires the durable wake timer: the clock reaches wakeAt, then the engine sends WAKE. */
    wake: () => {
      clock.advanceTo(actor.getSnapshot().context.wakeAt ?? clock.now());
      return send({ type: 'WAKE' });
    },
    /** Drives the task into `state` along its usual path, on the primary agent. */
    reach(state: LiveState) {
      if (state === 'queued') return self;
      send({ type: 'START' });
      if (state === 'degrading') send({ type: 'NO_AGENT', skipped: [], error: noAgent });
      if (state === 'routing' || state === 'degrading') return self;
      self.routeTo(0);
      if (state === 'validating') send({ type: 'ATTEMPT_OK', output: { verdict: 'ok' } });
      if (state === 'waiting') self.fail();
      return self;
    },
  };
  return self;
}

describe('the path to an answer', () => {
  it('routes a started task and attempts the routed agent from attempt 1', () => {
    const t = lifecycle();
    expect(t.state).toBe('queued');
    expect(t.send({ type: 'START' }).value).toBe('routing');
    t.routeTo(0);
    expect(t.state).toBe('attempting');
    expect(t.context).toMatchObject({ agent: 'primary', index: 0, attempt: 1, backoffMs: 0, wakeAt: undefined });
  });

  it('carries the output into validating and completes with the agent that answered', () => {
    const t = lifecycle().reach('attempting');
    t.send({ type: 'ATTEMPT_OK', output: { verdict: 'ok' } });
    expect(t.state).toBe('validating');
    expect(t.context.output).toEqual({ verdict: 'ok' });
    t.send({ type: 'OUTPUT_VALID' });
    expect(t.state).toBe('completed');
    expect(t.status).toBe('done');
    expect(t.context).toMatchObject({ answeredBy: 'primary', output: { verdict: 'ok' }, failures: [] });
  });

  // What it does, not necessarily what it should: nothing clears finalError on success, and the
  // engine copies finalError to the record of any final state, completed included.
  it('keeps the last failure as the final error of a task that completed after it', () => {
    const t = lifecycle().reach('waiting');
    t.wake();
    t.send({ type: 'ATTEMPT_OK', output: 'second time lucky' });
    t.send({ type: 'OUTPUT_VALID' });
    expect(t.state).toBe('completed');
    expect(t.context.finalError).toEqual({ ...transient, agent: 'primary', attempt: 1 });
  });

  it('ignores events meant for another state', () => {
    const t = lifecycle().reach('waiting');
    const before = t.context;
    for (const event of [
      { type: 'START' },
      { type: 'ROUTED', agent: 'fallback', index: 1, skipped: [] },
      { type: 'ATTEMPT_OK', output: 'late' },
      { type: 'OUTPUT_VALID' },
      { type: 'DEGRADED', output: 'late' },
    ] satisfies TaskEvent[]) {
      t.send(event);
      expect(t.state).toBe('waiting');
    }
    expect(t.context).toBe(before);
  });
});

describe('canRetry', () => {
  it('waits to retry the same agent while it has attempts left and the wake time is before the deadline', () => {
    const t = lifecycle().reach('attempting');
    t.clock.advance(500);
    t.fail(transient, 250);
    expect(t.state).toBe('waiting');
    expect(t.context).toMatchObject({ agent: 'primary', attempt: 1, backoffMs: 250, wakeAt: 1_750, deferred: false });
    expect(t.context.failures).toEqual([{ ...transient, agent: 'primary', attempt: 1 }]);
    expect(t.context.finalError).toEqual(t.context.failures[0]);
  });

  it('starts the next attempt on the same agent when the wait wakes', () => {
    const t = lifecycle().reach('waiting');
    t.wake();
    expect(t.state).toBe('attempting');
    expect(t.context).toMatchObject({ agent: 'primary', index: 0, attempt: 2, wakeAt: undefined });
  });

  it("moves on to the next agent of the plan once the agent's attempts are spent", () => {
    const t = lifecycle().reach('waiting');
    t.wake();
    t.fail();
    expect(t.state).toBe('routing');
    expect(t.context.failures.map((f) => [f.agent, f.attempt])).toEqual([
      ['primary', 1],
      ['primary', 2],
    ]);
  });

  it('moves on to the next agent at once when the error is not retryable, attempts left or not', () => {
    const t = lifecycle().reach('attempting');
    t.fail(permanent);
    expect(t.state).toBe('routing');
    expect(t.context.failures).toEqual([{ ...permanent, agent: 'primary', attempt: 1 }]);
    expect(t.context.wakeAt).toBeUndefined();
  });

  it.each([
    ['one ms before the deadline', 'waiting', DEADLINE_AT - 1],
    ['at the deadline', 'routing', DEADLINE_AT],
    ['past the deadline', 'routing', DEADLINE_AT + 1],
  ])('with a retry that would wake %s, goes to %s', (_, state, wakeAt) => {
    const t = lifecycle().reach('attempting');
    t.clock.advanceTo(wakeAt - 300);
    t.fail(transient, 300);
    expect(t.state).toBe(state);
    expect(t.context.failures).toHaveLength(1);
  });

  it('allows a single attempt to an agent the maxAttempts list does not cover', () => {
    const t = lifecycle({ maxAttempts: [3] }).reach('attempting');
    t.fail(permanent);
    t.routeTo(1);
    t.fail(transient);
    expect(t.state).toBe('routing');
  });

  it('starts the fallback agent over at attempt 1 with no backoff', () => {
    const t = lifecycle().reach('waiting');
    t.wake();
    t.fail();
    t.routeTo(1);
    expect(t.state).toBe('attempting');
    expect(t.context).toMatchObject({ agent: 'fallback', index: 1, attempt: 1, backoffMs: 0, wakeAt: undefined });
  });
});

describe('canDefer', () => {
  it('waits out a hold without spending an attempt or recording a failure', () => {
    const t = lifecycle().reach('attempting');
    t.defer(2_000);
    expect(t.state).toBe('waiting');
    expect(t.context).toMatchObject({ attempt: 1, backoffMs: 2_000, wakeAt: 3_000, deferred: true, failures: [] });
    t.wake();
    expect(t.state).toBe('attempting');
    expect(t.context).toMatchObject({ attempt: 1, deferred: false, wakeAt: undefined });
  });

  it('waits out a hold even on the last attempt the agent allows', () => {
    const t = lifecycle({ maxAttempts: [1, 1] }).reach('attempting');
    t.defer(500);
    expect(t.state).toBe('waiting');
    t.wake();
    expect(t.context.attempt).toBe(1);
  });

  it('spends an attempt again on a retry that follows a deferral', () => {
    const t = lifecycle().reach('attempting');
    t.defer(500);
    t.wake();
    t.fail();
    t.wake();
    expect(t.context).toMatchObject({ attempt: 2, deferred: false });
  });

  it('moves on to the next agent, recording the hold as a failure, when the hold ends at or past the deadline', () => {
    const t = lifecycle().reach('attempting');
    t.defer(DEADLINE_AT - t.clock.now());
    expect(t.state).toBe('routing');
    expect(t.context.failures).toEqual([{ ...rateLimited, agent: 'primary', attempt: 1 }]);
    expect(t.context.deferred).toBe(false);
  });
});

describe('NO_AGENT', () => {
  it('degrades when the workflow has a degraded response, recording the error', () => {
    const t = lifecycle().reach('routing');
    t.send({ type: 'NO_AGENT', skipped: [{ agent: 'primary', reason: 'circuit-open' }], error: noAgent });
    expect(t.state).toBe('degrading');
    expect(t.context.failures).toEqual([noAgent]);
    expect(t.context.finalError).toEqual(noAgent);
  });

  it('fails the task when the workflow has no degraded response', () => {
    const t = lifecycle({ hasDegraded: false }).reach('routing');
    t.send({ type: 'NO_AGENT', skipped: [], error: noAgent });
    expect(t.state).toBe('failed');
    expect(t.status).toBe('done');
    expect(t.context.finalError).toEqual(noAgent);
  });

  // What it does, not necessarily what it should: routing keeps the last agent in the context,
  // so the exhausted plan is recorded against that agent and its last attempt.
  it('records the error against the last agent tried and its last attempt', () => {
    const t = lifecycle({ hasDegraded: false }).reach('attempting');
    t.fail(permanent);
    t.send({ type: 'NO_AGENT', skipped: [], error: noAgent });
    expect(t.context.finalError).toEqual({ ...noAgent, agent: 'primary', attempt: 1 });
  });
});

describe('DEADLINE', () => {
  it.each(
    DEADLINE_STATES.flatMap((state) => [
      [state, 'degrading', 'has a'],
      [state, 'failed', 'has no'],
    ]),
  )('in %s, goes to %s when the workflow %s degraded response, recording the error', (state, to, has) => {
    const t = lifecycle({ hasDegraded: has === 'has a' }).reach(state as LiveState);
    const failuresBefore = t.context.failures.length;
    t.send({ type: 'DEADLINE', error: deadline });
    expect(t.state).toBe(to);
    expect(t.status).toBe(to === 'failed' ? 'done' : 'active');
    expect(t.context.failures).toHaveLength(failuresBefore + 1);
    expect(t.context.finalError).toMatchObject(deadline);
  });

  it('records the agent and attempt it interrupted', () => {
    const t = lifecycle().reach('waiting');
    t.send({ type: 'DEADLINE', error: deadline });
    expect(t.context.finalError).toEqual({ ...deadline, agent: 'primary', attempt: 1 });
  });

  it('is ignored while degrading: the degraded response is still awaited', () => {
    const t = lifecycle().reach('degrading');
    const before = t.context;
    t.send({ type: 'DEADLINE', error: deadline });
    expect(t.state).toBe('degrading');
    expect(t.context).toBe(before);
  });
});

describe('OUTPUT_INVALID', () => {
  it('drops the output, records the failure and routes to the next agent, attempts left or not', () => {
    const t = lifecycle().reach('validating');
    t.send({ type: 'OUTPUT_INVALID', error: invalid });
    expect(t.state).toBe('routing');
    expect(t.context.output).toBeUndefined();
    expect(t.context.failures).toEqual([{ ...invalid, agent: 'primary', attempt: 1 }]);
  });

  it('lets the next agent answer after an invalid output', () => {
    const t = lifecycle().reach('validating');
    t.send({ type: 'OUTPUT_INVALID', error: invalid });
    t.routeTo(1);
    t.send({ type: 'ATTEMPT_OK', output: 'fine' });
    t.send({ type: 'OUTPUT_VALID' });
    expect(t.state).toBe('completed');
    expect(t.context).toMatchObject({ answeredBy: 'fallback', output: 'fine' });
  });
});

describe('degrading', () => {
  it('ends degraded with the degraded response as the output', () => {
    const t = lifecycle().reach('degrading');
    t.send({ type: 'DEGRADED', output: { status: 'degraded' } });
    expect(t.state).toBe('degraded');
    expect(t.status).toBe('done');
    expect(t.context.output).toEqual({ status: 'degraded' });
    expect(t.context.answeredBy).toBeUndefined();
  });

  it('fails the task, recording the error, when the degraded response cannot be produced', () => {
    const t = lifecycle().reach('degrading');
    t.send({ type: 'DEGRADE_FAILED', error: degradeFailed });
    expect(t.state).toBe('failed');
    expect(t.context.failures).toEqual([noAgent, degradeFailed]);
    expect(t.context.finalError).toEqual(degradeFailed);
  });
});

describe('CANCEL', () => {
  it.each(LIVE_STATES)('in %s, cancels the task and records the cancellation as its final error', (state) => {
    const t = lifecycle().reach(state);
    const failuresBefore = t.context.failures.length;
    t.send({ type: 'CANCEL', error: cancelled });
    expect(t.state).toBe('cancelled');
    expect(t.status).toBe('done');
    expect(t.context.failures).toHaveLength(failuresBefore + 1);
    expect(t.context.finalError).toMatchObject(cancelled);
  });
});

describe('final states', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  const finish: Record<'completed' | 'degraded' | 'failed' | 'cancelled', (t: ReturnType<typeof lifecycle>) => void> = {
    completed: (t) => {
      t.reach('validating').send({ type: 'OUTPUT_VALID' });
    },
    degraded: (t) => {
      t.reach('degrading').send({ type: 'DEGRADED', output: 'fallback answer' });
    },
    failed: (t) => {
      t.reach('degrading').send({ type: 'DEGRADE_FAILED', error: degradeFailed });
    },
    cancelled: (t) => {
      t.reach('attempting').send({ type: 'CANCEL', error: cancelled });
    },
  };

  it.each(Object.keys(finish) as (keyof typeof finish)[])('%s is never left, whatever arrives after it', (state) => {
    // XState warns of each event sent to a finished actor; the warning is expected here.
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const t = lifecycle();
    finish[state](t);
    expect(t.state).toBe(state);
    const before = t.context;
    for (const event of [
      { type: 'CANCEL', error: cancelled },
      { type: 'DEADLINE', error: deadline },
      { type: 'RECOVERED' },
      { type: 'START' },
    ] satisfies TaskEvent[]) {
      t.send(event);
      expect(t.state).toBe(state);
    }
    expect(t.context).toBe(before);
  });
});

describe('RECOVERED', () => {
  it.each(LIVE_STATES)('in %s, stays there with the context untouched, for the engine to restart its effect', (state) => {
    const t = lifecycle().reach(state);
    const before = structuredClone(t.context);
    t.send({ type: 'RECOVERED' });
    expect(t.state).toBe(state);
    expect(t.context).toEqual(before);
  });

  it('keeps a deferral across a recovery: the wake still spends no attempt', () => {
    const t = lifecycle().reach('attempting');
    t.defer(500);
    t.send({ type: 'RECOVERED' });
    expect(t.context.deferred).toBe(true);
    t.wake();
    expect(t.context.attempt).toBe(1);
  });

  it('keeps a pending retry across a recovery: the wake starts the next attempt', () => {
    const t = lifecycle().reach('waiting');
    t.send({ type: 'RECOVERED' });
    expect(t.context.wakeAt).toBe(1_100);
    t.wake();
    expect(t.context.attempt).toBe(2);
  });
});

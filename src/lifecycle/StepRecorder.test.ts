import { describe, expect, it } from 'vitest';
import type { ErrorInfo } from '../errors/index.js';
import { recordStep, type StepFacts, stepTime } from './StepRecorder.js';
import type { TaskContext } from './taskMachine.js';
import type { LiveRecord } from './taskRecord.js';
import type { AttemptRecord } from './types.js';

const T0 = Date.UTC(2026, 0, 1);
const at = (ms: number) => new Date(T0 + ms).toISOString();

const error: ErrorInfo = { code: 'AGENT_HTTP_5XX', category: 'transient', severity: 'medium', retryable: true, message: 'bad gateway' };

function record(over: Partial<LiveRecord> = {}): LiveRecord {
  return {
    id: 't1',
    workflow: 'wf',
    status: 'running',
    state: 'attempting',
    input: { x: 1 },
    attempts: [],
    escalationIds: [],
    plan: ['a', 'b'],
    deadlineAt: at(60_000),
    createdAt: at(0),
    updatedAt: at(0),
    snapshot: { old: true },
    inputHash: 'h',
    seq: 3,
    ...over,
  };
}

function context(over: Partial<TaskContext> = {}): TaskContext {
  return {
    taskId: 't1',
    workflow: 'wf',
    plan: ['a', 'b'],
    maxAttempts: [3, 1],
    deadlineAt: T0 + 60_000,
    hasDegraded: true,
    index: 0,
    agent: 'a',
    attempt: 1,
    backoffMs: 0,
    wakeAt: undefined,
    deferred: false,
    failures: [],
    output: undefined,
    answeredBy: undefined,
    finalError: undefined,
    ...over,
  };
}

function facts(over: Partial<StepFacts>): StepFacts {
  return {
    record: record(),
    from: 'attempting',
    to: 'attempting',
    context: context(),
    event: { type: 'START' },
    snapshot: { new: true },
    now: T0 + 10,
    ...over,
  };
}

describe('StepRecorder', () => {
  it('numbers the transition after the last one and leaves the input row unchanged', () => {
    const before = record();
    const frozen = structuredClone(before);
    const step = recordStep(facts({ record: before, from: 'queued', to: 'routing', event: { type: 'START' } }));
    expect(step.transition).toEqual({ seq: 4, at: at(10), from: 'queued', to: 'routing', event: 'START' });
    expect(step.record).toMatchObject({ seq: 4, state: 'routing', status: 'running', updatedAt: at(10), snapshot: { new: true } });
    expect(before).toEqual(frozen);
    expect(step.final).toBe(false);
    expect(step.timers).toEqual([]);
  });

  it('names the agent and attempt on agent events, and the skipped agents in the detail', () => {
    const step = recordStep(
      facts({
        from: 'routing',
        to: 'attempting',
        context: context({ agent: 'b', attempt: 1, index: 1 }),
        event: { type: 'ROUTED', agent: 'b', index: 1, skipped: [{ agent: 'a', reason: 'circuit-open' }] },
      }),
    );
    expect(step.transition).toMatchObject({ agent: 'b', attempt: 1, detail: { skipped: [{ agent: 'a', reason: 'circuit-open' }] } });
  });

  it('sets the wake timer with the backoff on entering waiting, and clears it on leaving', () => {
    const wakeAt = T0 + 1_010;
    const waiting = recordStep(
      facts({
        to: 'waiting',
        context: context({ backoffMs: 1_000, wakeAt }),
        event: { type: 'ATTEMPT_FAILED', error, at: T0 + 10, delayMs: 1_000 },
      }),
    );
    expect(waiting.timers).toEqual([{ kind: 'wake', wakeAt }]);
    expect(waiting.transition.detail).toEqual({ delayMs: 1_000, wakeAt: at(1_010) });
    expect(waiting.transition.error).toEqual(error);
    expect(waiting.record.status).toBe('waiting');

    const woken = recordStep(
      facts({ record: waiting.record, from: 'waiting', to: 'attempting', context: context({ attempt: 2 }), event: { type: 'WAKE' } }),
    );
    expect(woken.timers).toEqual([{ kind: 'wake', wakeAt: null }]);
    expect(woken.transition).toMatchObject({ seq: 5, agent: 'a', attempt: 2 });
  });

  it('dates a failed attempt by its answer, every other step by the clock', () => {
    expect(stepTime({ type: 'ATTEMPT_FAILED', error, at: 5, delayMs: 0 }, 99)).toBe(5);
    expect(stepTime({ type: 'ATTEMPT_DEFERRED', error, at: 6, delayMs: 0 }, 99)).toBe(6);
    expect(stepTime({ type: 'WAKE' }, 99)).toBe(99);
  });

  it('upserts the attempt the step finished into a copy of the attempts', () => {
    const running: AttemptRecord = { agent: 'a', attempt: 1, startedAt: at(1), outcome: 'running' };
    const before = record({ attempts: [running] });
    const ok: AttemptRecord = { ...running, endedAt: at(10), outcome: 'ok' };
    const step = recordStep(facts({ record: before, to: 'validating', event: { type: 'ATTEMPT_OK', output: 1 }, attempt: ok }));
    expect(step.record.attempts).toEqual([ok]);
    expect(step.attempt).toEqual(ok);
    expect(before.attempts).toEqual([running]);
  });

  it('on completion keeps the output and the answering agent, and clears both timers', () => {
    const step = recordStep(
      facts({
        from: 'validating',
        to: 'completed',
        context: context({ output: { ok: 1 }, answeredBy: 'a' }),
        event: { type: 'OUTPUT_VALID' },
      }),
    );
    expect(step.final).toBe(true);
    expect(step.record).toMatchObject({ status: 'completed', output: { ok: 1 }, answeredBy: 'a' });
    expect(step.timers).toEqual([
      { kind: 'wake', wakeAt: null },
      { kind: 'deadline', wakeAt: null },
    ]);
  });

  it('on failure keeps the final error without where it happened', () => {
    const step = recordStep(
      facts({
        from: 'degrading',
        to: 'failed',
        context: context({ finalError: { ...error, agent: 'a', attempt: 2 } }),
        event: { type: 'DEGRADE_FAILED', error },
      }),
    );
    expect(step.record.status).toBe('failed');
    expect(step.record.error).toEqual(error);
    expect(step.record.output).toBeUndefined();
  });

  it('records no error on a task that completes after a failed attempt', () => {
    const step = recordStep(
      facts({
        from: 'validating',
        to: 'completed',
        context: context({ finalError: { ...error, agent: 'a', attempt: 1 }, output: { ok: true }, answeredBy: 'b' }),
        event: { type: 'OUTPUT_VALID' },
      }),
    );
    expect(step.record).toMatchObject({ status: 'completed', output: { ok: true }, answeredBy: 'b' });
    expect(step.record).not.toHaveProperty('error');
  });

  it('drops an earlier error from the row when the task ends completed or cancelled', () => {
    for (const [to, event] of [
      ['completed', { type: 'OUTPUT_VALID' }],
      ['cancelled', { type: 'CANCEL', error }],
    ] as const) {
      const step = recordStep(facts({ record: record({ error }), from: 'validating', to, event, context: context({ finalError: error }) }));
      expect(step.record.status).toBe(to);
      expect(step.record).not.toHaveProperty('error');
    }
  });

  it('abandons the call in flight when the task leaves attempting other than by its answer, closing its attempt', () => {
    const running: AttemptRecord = { agent: 'a', attempt: 1, startedAt: at(1), outcome: 'running' };
    const cancel: ErrorInfo = { code: 'CANCELLED', category: 'logic', severity: 'low', retryable: false, message: 'by request' };
    const step = recordStep(facts({ record: record({ attempts: [running] }), to: 'cancelled', event: { type: 'CANCEL', error: cancel } }));
    expect(step.abandonsCall).toBe(true);
    expect(step.attempt).toEqual({ ...running, endedAt: at(10), outcome: 'error', error: cancel });
    expect(step.record.attempts).toEqual([step.attempt]);
  });

  it('does not abandon the call on the attempt’s own answer', () => {
    const step = recordStep(facts({ to: 'routing', event: { type: 'ATTEMPT_FAILED', error, at: T0, delayMs: 0 } }));
    expect(step.abandonsCall).toBe(false);
  });

  it('records a recovery that re-enters attempting with its agent and reason', () => {
    const step = recordStep(facts({ event: { type: 'RECOVERED' }, detail: { reason: 'recovered after restart' } }));
    expect(step.transition).toMatchObject({
      from: 'attempting',
      to: 'attempting',
      event: 'RECOVERED',
      agent: 'a',
      attempt: 1,
      detail: { reason: 'recovered after restart' },
    });
  });
});

import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedClock } from '../clock/index.js';
import { MemoryStore } from '../store/MemoryStore.js';
import { driveUntil, settle } from '../../test/helpers/driveClock.js';
import { TEST_STORE, engineStore } from '../../test/helpers/testStore.js';
import { createEngine } from './createEngine.js';
import type { Engine } from './Engine.js';
import type { EscalationEvent } from './events.js';
import { silentLogger } from './logger.js';
import { TERMINAL_STATUSES, type Task } from './types.js';

const AGENT = { type: 'module', path: './test/fixtures/agents/lifecycle-agent.js' } as const;
const retry = { maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 1000, multiplier: 2, jitter: 'none' };
const breaker = { failureThreshold: 1000 };

const config = {
  agents: {
    a: { adapter: AGENT, retry, circuitBreaker: breaker, capabilities: ['review'] },
    b: { adapter: AGENT, retry, circuitBreaker: breaker, capabilities: ['review'] },
    c: { adapter: AGENT, retry, circuitBreaker: breaker },
    solo: { adapter: AGENT, retry, circuitBreaker: breaker, timeoutMs: 10_000 },
  },
  fallbackChains: { a: ['b', 'c'] },
  store: 'memory:',
};
const workflows = [
  { name: 'review', agent: 'a', severity: 'low', degraded: { response: { status: 'degraded', message: 'review unavailable' } } },
  { name: 'strict', agent: 'a', severity: 'medium' },
  { name: 'lonely', agent: 'solo', degraded: { response: { status: 'degraded' } } },
  { name: 'lonely-strict', agent: 'solo' },
  { name: 'by-capability', capability: 'review' },
  {
    name: 'checked',
    agent: 'a',
    outputSchema: { type: 'object', required: ['answer'] },
    inputSchema: { type: 'object', required: ['script'], properties: { script: { type: 'object' } } },
  },
];

let engine: Engine;
let clock: SimulatedClock;

const cleanups: (() => Promise<void>)[] = [];

async function start() {
  clock = new SimulatedClock(Date.parse('2026-01-01T00:00:00.000Z'));
  const { store, cleanup } = await engineStore();
  cleanups.push(cleanup);
  // mode 'local': the whole lifecycle in this process, on whichever store the suite runs on.
  engine = await createEngine({
    config,
    workflows,
    store,
    clock,
    random: () => 0.5,
    logger: silentLogger,
    mode: 'local',
    supervisor: false,
  });
  return engine;
}

async function runToEnd(workflow: string, script: Record<string, string[]>, opts: { deadlineMs?: number } = {}): Promise<Task> {
  const { id } = await engine.submit(workflow, { script }, opts);
  let task: Task | undefined;
  await driveUntil(clock, async () => {
    task = await engine.get(id);
    return !!task && TERMINAL_STATUSES.has(task.status);
  }, [engine]);
  return task!;
}

const steps = async (id: string) =>
  (await engine.transitions(id)).map((t) => `${t.from ?? '∅'}>${t.to}:${t.event}${t.agent ? `@${t.agent}#${t.attempt}` : ''}`);

beforeAll(async () => {
  // Load the fixture once so the first test doesn't race a cold import against the clock.
  await import('../../test/fixtures/agents/lifecycle-agent.js');
});

afterEach(async () => {
  await engine?.stop({ drainTimeoutMs: 0 });
  for (const c of cleanups.splice(0)) await c();
});

describe('the task lifecycle', () => {
  it('completes on the first attempt and records every transition', async () => {
    await start();
    const task = await runToEnd('review', { a: ['ok'] });
    expect(task.status).toBe('completed');
    expect(task.answeredBy).toBe('a');
    expect(task.output).toEqual({ answer: 'a answered', attempt: 1 });
    expect(await steps(task.id)).toEqual([
      '∅>queued:SUBMIT',
      'queued>routing:START',
      'routing>attempting:ROUTED@a#1',
      'attempting>validating:ATTEMPT_OK@a#1',
      'validating>completed:OUTPUT_VALID@a#1',
    ]);
    const seqs = (await engine.transitions(task.id)).map((t) => t.seq);
    expect(seqs).toEqual([1, 2, 3, 4, 5]);
  });

  it('retries a transient failure after the backoff delay, then succeeds', async () => {
    await start();
    const task = await runToEnd('review', { a: ['transient', 'ok'] });
    expect(task.status).toBe('completed');
    expect(await steps(task.id)).toEqual([
      '∅>queued:SUBMIT',
      'queued>routing:START',
      'routing>attempting:ROUTED@a#1',
      'attempting>waiting:ATTEMPT_FAILED@a#1',
      'waiting>attempting:WAKE@a#2',
      'attempting>validating:ATTEMPT_OK@a#2',
      'validating>completed:OUTPUT_VALID@a#2',
    ]);
    const ts = await engine.transitions(task.id);
    const failed = ts.find((t) => t.event === 'ATTEMPT_FAILED')!;
    const woke = ts.find((t) => t.event === 'WAKE')!;
    expect(failed.error?.code).toBe('CONNECTION_FAILED');
    expect(failed.detail?.delayMs).toBe(100);
    // It woke exactly at its wake time: not early, not late.
    expect(Date.parse(woke.at) - Date.parse(failed.at)).toBe(100);
    expect(task.attempts.map((a) => [a.agent, a.attempt, a.outcome])).toEqual([
      ['a', 1, 'error'],
      ['a', 2, 'ok'],
    ]);
  });

  it('skips the retries of a non-retryable error and goes to the next agent', async () => {
    await start();
    const task = await runToEnd('review', { a: ['permanent'], b: ['ok'] });
    expect(task.status).toBe('completed');
    expect(task.answeredBy).toBe('b');
    expect(await steps(task.id)).toEqual([
      '∅>queued:SUBMIT',
      'queued>routing:START',
      'routing>attempting:ROUTED@a#1',
      'attempting>routing:ATTEMPT_FAILED@a#1',
      'routing>attempting:ROUTED@b#1',
      'attempting>validating:ATTEMPT_OK@b#1',
      'validating>completed:OUTPUT_VALID@b#1',
    ]);
  });

  it('walks the fallback chain until its third agent answers', async () => {
    await start();
    const task = await runToEnd('review', { a: ['permanent'], b: ['transient', 'transient', 'transient'], c: ['ok'] });
    expect(task.status).toBe('completed');
    expect(task.answeredBy).toBe('c');
    expect(task.attempts.map((a) => `${a.agent}#${a.attempt}:${a.outcome}`)).toEqual([
      'a#1:error',
      'b#1:error',
      'b#2:error',
      'b#3:error',
      'c#1:ok',
    ]);
    const s = await steps(task.id);
    expect(s.filter((x) => x.includes('ROUTED'))).toEqual([
      'routing>attempting:ROUTED@a#1',
      'routing>attempting:ROUTED@b#1',
      'routing>attempting:ROUTED@c#1',
    ]);
    expect(s.filter((x) => x.startsWith('attempting>waiting'))).toHaveLength(2); // b retried twice, then moved on
  });

  it('serves the degraded response when every agent fails, and escalates', async () => {
    await start();
    const escalations: EscalationEvent[] = [];
    engine.on('escalation', (e) => escalations.push(e));
    const task = await runToEnd('review', { a: ['permanent'], b: ['permanent'], c: ['permanent'] });
    expect(task.status).toBe('degraded');
    expect(task.output).toEqual({ status: 'degraded', message: 'review unavailable' });
    expect(task.answeredBy).toBeUndefined();
    expect(task.severity).toBe('medium'); // AGENT_ERROR (medium) outranks the workflow's low
    expect((await steps(task.id)).slice(-2)).toEqual(['routing>degrading:NO_AGENT', 'degrading>degraded:DEGRADED']);
    expect(escalations).toHaveLength(1);
    expect(escalations[0]).toMatchObject({
      taskId: task.id,
      workflow: 'review',
      status: 'degraded',
      severity: 'medium',
      agentsTried: ['a', 'b', 'c'],
      finalErrorCode: 'AGENT_ERROR',
    });
  });

  it('fails when every agent fails and the workflow has no degraded response', async () => {
    await start();
    const ended: Task[] = [];
    engine.on('taskEnded', (t) => ended.push(t));
    const task = await runToEnd('strict', { a: ['permanent'], b: ['permanent'], c: ['permanent'] });
    expect(task.status).toBe('failed');
    expect(task.output).toBeUndefined();
    expect(task.error?.code).toBe('FALLBACK_EXHAUSTED');
    expect((await steps(task.id)).at(-1)).toBe('routing>failed:NO_AGENT');
    expect(ended.map((t) => t.id)).toEqual([task.id]);
  });

  it('starts no retry that cannot finish before the deadline', async () => {
    await start();
    // Fails at t=0 (retry at 100 < 150: allowed), fails at t=100 (retry at 300 ≥ 150: refused).
    const task = await runToEnd('lonely-strict', { solo: ['transient', 'transient', 'ok'] }, { deadlineMs: 150 });
    expect(task.status).toBe('failed');
    expect(task.attempts).toHaveLength(2);
    expect((await steps(task.id)).filter((s) => s.startsWith('attempting>waiting'))).toHaveLength(1);
  });

  it('ends a task whose deadline passes mid-attempt, aborting the call', async () => {
    await start();
    const { seen } = (await import('../../test/fixtures/agents/lifecycle-agent.js')) as { seen: { taskId: string }[] };
    const task = await runToEnd('lonely', { solo: ['hang'] }, { deadlineMs: 1000 });
    expect(task.status).toBe('degraded');
    const last = (await engine.transitions(task.id)).at(-2)!;
    expect(last.event).toBe('DEADLINE');
    expect(last.error?.code).toBe('DEADLINE_EXCEEDED');
    expect(seen.filter((s) => s.taskId === task.id)).toHaveLength(1);
  });

  it('cancels a task mid-attempt', async () => {
    await start();
    const { id } = await engine.submit('review', { script: { a: ['hang'] } });
    await driveUntil(clock, async () => (await engine.get(id))?.attempts.length === 1, [engine]);
    const task = await engine.cancel(id);
    expect(task?.status).toBe('cancelled');
    expect((await steps(id)).at(-1)).toBe('attempting>cancelled:CANCEL');
    // The abandoned call is closed with the reason, not left running.
    expect(task?.attempts).toMatchObject([{ agent: 'a', attempt: 1, outcome: 'error', error: { code: 'CANCELLED' } }]);
    expect(task?.attempts[0]?.endedAt).toBeDefined();
    // Cancelling again changes nothing.
    expect((await engine.cancel(id))?.status).toBe('cancelled');
    expect(await engine.transitions(id)).toHaveLength(4);
  });

  it('routes a capability workflow through the agents that have it, in config order', async () => {
    await start();
    const task = await runToEnd('by-capability', { a: ['permanent'], b: ['ok'] });
    expect(task.answeredBy).toBe('b');
    expect(task.plan).toEqual(['a', 'b']);
  });

  it('treats output failing the outputSchema as a failure of that agent', async () => {
    await start();
    const task = await runToEnd('checked', { a: ['bad-output'], b: ['ok'] });
    expect(task.answeredBy).toBe('b');
    expect(await steps(task.id)).toContain('validating>routing:OUTPUT_INVALID@a#1');
  });

  it('skips an agent whose circuit is open without spending an attempt on it', async () => {
    await start();
    const slot = engine.agents.get('a')!;
    for (let i = 0; i < 1000; i++) slot.breaker.recordFailure();
    expect(slot.breaker.state).toBe('open');
    const task = await runToEnd('review', { b: ['ok'] });
    expect(task.answeredBy).toBe('b');
    expect(task.attempts.map((a) => a.agent)).toEqual(['b']);
    const routed = (await engine.transitions(task.id)).find((t) => t.event === 'ROUTED')!;
    expect(routed.detail?.skipped).toEqual([{ agent: 'a', reason: 'circuit-open' }]);
  });
});

describe('Retry-After', () => {
  it('holds an agent that asked to wait: routing skips it until then, and no task calls it', async () => {
    await start();
    const { seen } = (await import('../../test/fixtures/agents/lifecycle-agent.js')) as { seen: { taskId: string; agent: string }[] };
    engine.agents.hold('a', 5_000); // as a 429 with Retry-After: 5 does
    const task = await runToEnd('review', { a: ['ok'], b: ['ok'] });
    expect(task.answeredBy).toBe('b');
    expect(seen.filter((x) => x.taskId === task.id).map((x) => x.agent)).toEqual(['b']);
    const routed = (await engine.transitions(task.id)).find((t) => t.event === 'ROUTED')!;
    expect(routed.detail?.skipped).toEqual([{ agent: 'a', reason: 'rate-limited' }]);
    // After the Retry-After, the agent is used again.
    clock.advance(5_000);
    const later = await runToEnd('review', { a: ['ok'] });
    expect(later.answeredBy).toBe('a');
  });

  it('defers a task whose only agent is held: it waits out the hold without calling, and spends no attempt', async () => {
    await start();
    const { seen } = (await import('../../test/fixtures/agents/lifecycle-agent.js')) as { seen: { taskId: string; attempt: number }[] };
    engine.agents.hold('solo', 3_000);
    const task = await runToEnd('lonely', { solo: ['ok'] });
    expect(task.status).toBe('completed');
    expect(await steps(task.id)).toEqual([
      '∅>queued:SUBMIT',
      'queued>routing:START',
      'routing>attempting:ROUTED@solo#1',
      'attempting>waiting:ATTEMPT_DEFERRED@solo#1',
      'waiting>attempting:WAKE@solo#1',
      'attempting>validating:ATTEMPT_OK@solo#1',
      'validating>completed:OUTPUT_VALID@solo#1',
    ]);
    const ts = await engine.transitions(task.id);
    const deferred = ts.find((t) => t.event === 'ATTEMPT_DEFERRED')!;
    expect(deferred.error?.code).toBe('RATE_LIMITED');
    expect(Date.parse(ts.find((t) => t.event === 'WAKE')!.at) - Date.parse(deferred.at)).toBe(3_000);
    // One call, and it was attempt 1.
    expect(seen.filter((x) => x.taskId === task.id).map((x) => x.attempt)).toEqual([1]);
  });
});

describe('submitting', () => {
  it('refuses an unknown workflow and input failing the inputSchema, with issue paths', async () => {
    await start();
    await expect(engine.submit('nope', {})).rejects.toMatchObject({ code: 'WORKFLOW_NOT_FOUND' });
    await expect(engine.submit('checked', { script: 5 })).rejects.toMatchObject({
      code: 'INPUT_INVALID',
      issues: [{ path: 'input.script', message: expect.stringContaining('object') }],
    });
    await expect(engine.submit('checked', {})).rejects.toMatchObject({ issues: [{ path: 'input.script', message: 'is required' }] });
  });

  it('returns the first task for a repeated idempotency key, and refuses other input under it', async () => {
    await start();
    const first = await engine.submit('review', { script: { a: ['ok'] } }, { idempotencyKey: 'k1' });
    const again = await engine.submit('review', { script: { a: ['ok'] } }, { idempotencyKey: 'k1' });
    expect(again).toEqual({ id: first.id, status: expect.any(String), created: false });
    await expect(engine.submit('review', { script: { a: ['permanent'] } }, { idempotencyKey: 'k1' })).rejects.toMatchObject({
      code: 'IDEMPOTENCY_CONFLICT',
    });
    expect(await engine.list()).toHaveLength(1);
  });

  it('resolves result() when the task ends', async () => {
    await start();
    const { id } = await engine.submit('review', { script: { a: ['transient', 'ok'] } });
    const result = engine.result(id);
    await driveUntil(clock, async () => TERMINAL_STATUSES.has((await engine.get(id))!.status), [engine]);
    expect((await result).status).toBe('completed');
    await expect(engine.result('missing')).rejects.toMatchObject({ code: 'TASK_NOT_FOUND' });
  });

  it('rejects a result() still awaited when the engine stops, rather than leaving the caller hanging', async () => {
    await start();
    // Parked on a one-minute backoff: the task cannot end before the stop.
    const { id } = await engine.submit('review', { script: { a: ['transient', 'ok'] } });
    await settle([engine]);
    expect((await engine.get(id))!.status).toBe('waiting');
    const rejected = expect(engine.result(id)).rejects.toMatchObject({ code: 'ENGINE_STOPPING' });
    await engine.stop({ drainTimeoutMs: 0 });
    await rejected;
    await expect(engine.result(id)).rejects.toMatchObject({ code: 'ENGINE_STOPPING' });
  });
});

describe('parking', () => {
  it('holds no live actor for thousands of tasks waiting on backoff timers', async () => {
    clock = new SimulatedClock(0);
    const made = await engineStore();
    cleanups.push(made.cleanup);
    const store = made.store;
    engine = await createEngine({
      mode: 'local',
      supervisor: false,
      config: {
        ...config,
        agents: {
          ...config.agents,
          a: {
            ...config.agents.a,
            maxQueue: 100_000,
            circuitBreaker: { failureThreshold: 1_000_000 },
            retry: { ...retry, initialDelayMs: 60_000, maxDelayMs: 60_000 },
          },
        },
      },
      workflows,
      store,
      clock,
      random: () => 0.5,
      logger: silentLogger,
    });
    // 10k on the embedded stores; fewer on Postgres, whose one-at-a-time commits are slower.
    const n = TEST_STORE === 'postgres' ? 1_000 : 10_000;
    const ids: string[] = [];
    // A thousand submits in flight at a time, as many clients would send them: SQLite's group
    // commit then writes each thousand in a few transactions rather than one flush per task.
    for (let i = 0; i < n; i += 1_000) {
      const batch = Array.from({ length: Math.min(1_000, n - i) }, () => engine.submit('review', { script: { a: ['transient', 'ok'] } }));
      for (const { id } of await Promise.all(batch)) ids.push(id);
    }
    await settle([engine]);
    const waiting = await engine.list({ status: 'waiting', limit: n });
    expect(waiting).toHaveLength(n);
    expect(engine.liveActorCount).toBe(0);
    if (store instanceof MemoryStore) expect(store.stats().timers).toBe(2 * n); // a wake and a deadline each
    // The timers fire and every task finishes.
    let ended = 0;
    engine.on('taskEnded', () => ended++);
    clock.advanceTo(60_000); // the wake time: no deadline is near
    for (let i = 0; i < 1_000 && ended < n; i++) await settle([engine]);
    expect((await engine.list({ status: 'completed', limit: n })).length).toBe(n);
    expect(engine.liveActorCount).toBe(0);
    // Twenty thousand durable commits on SQLite: longer than the default timeout on a busy machine.
  }, 180_000);
});

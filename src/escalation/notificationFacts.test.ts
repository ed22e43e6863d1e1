import { beforeEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from '../clock/index.js';
import type { ErrorInfo } from '../errors/index.js';
import type { AttemptRecord, RunStepView, TaskStatus, Transition } from '../lifecycle/types.js';
import { MemoryStore } from '../store/MemoryStore.js';
import { isoAt, makeEscalation, makeTaskRecord } from '../store/storeFixtures.js';
import { notificationFacts } from './notificationFacts.js';
import { MAX_STEPS, MAX_TASKS_PER_STEP } from './failedStepFacts.js';

const clock = new SimulatedClock(Date.UTC(2024, 0, 1, 1));
const RUN = 'r1';

const error = (code: string): ErrorInfo => ({ code, category: 'transient', severity: 'medium', retryable: true, message: code });
const failedAttempt = (agent: string, attempt: number, code: string): AttemptRecord => ({
  agent,
  attempt,
  startedAt: isoAt(attempt),
  endedAt: isoAt(attempt + 1),
  outcome: 'error',
  error: error(code),
});
const at = (seq: number, from: string | null, to: string, event: string, detail?: Transition['detail']): Transition => ({
  seq,
  at: isoAt(seq),
  from,
  to,
  event,
  ...(detail ? { detail } : {}),
});

let store: MemoryStore;
beforeEach(async () => {
  store = new MemoryStore();
  await store.init();
});

/** A step task that ended with `status`, with a timeline of its own that ends with `last`. */
async function stepTask(
  step: string,
  status: TaskStatus,
  opts: { index?: number; attempts?: AttemptRecord[]; error?: ErrorInfo; last?: string } = {},
): Promise<string> {
  const id = opts.index === undefined ? `${RUN}.${step}` : `${RUN}.${step}.${opts.index}`;
  const record = (seq: number) =>
    makeTaskRecord({
      id,
      parentId: RUN,
      step,
      status,
      state: status,
      seq,
      attempts: opts.attempts ?? [],
      ...(opts.index !== undefined ? { index: opts.index } : {}),
      ...(opts.error ? { error: opts.error } : {}),
    });
  await store.createTask(record(1), at(1, null, 'queued', 'SUBMIT'));
  await store.commit({ task: record(2), transitions: [at(2, 'routing', status, opts.last ?? 'NO_AGENT')] });
  return id;
}

/** The run with its own view of its steps and its own transitions. */
async function run(steps: Record<string, RunStepView>, timeline: Transition[]): Promise<void> {
  const record = (seq: number) =>
    makeTaskRecord({ id: RUN, workflow: 'ship', kind: 'run', status: 'degraded', state: 'degraded', steps, seq });
  await store.createTask(record(1), timeline[0]!);
  for (const t of timeline.slice(1)) await store.commit({ task: record(t.seq), transitions: [t] });
}

/** A run's escalation names no agents: a run calls none itself. */
const facts = (taskId = RUN) =>
  notificationFacts(
    store,
    clock,
    makeEscalation({ id: 'e1', workflow: 'ship', taskId, taskIds: [taskId], agentsTried: [] }),
    'firing',
    undefined,
  );

describe('notificationFacts of a task', () => {
  it("carries each failed attempt of the task with the agent's own message, in order", async () => {
    const attempts: AttemptRecord[] = [
      {
        ...failedAttempt('reviewer', 1, 'AGENT_HTTP_5XX'),
        error: { ...error('AGENT_HTTP_5XX'), message: 'HTTP 502: upstream overloaded' },
      },
      { ...failedAttempt('reviewer', 2, 'AGENT_HTTP_5XX'), error: { ...error('AGENT_HTTP_5XX'), message: 'HTTP 500: model crashed' } },
      { agent: 'backup', attempt: 1, startedAt: isoAt(5), endedAt: isoAt(6), outcome: 'ok' },
    ];
    const task = makeTaskRecord({ id: 't1', status: 'degraded', state: 'degraded', seq: 1, attempts });
    await store.createTask(task, at(1, null, 'queued', 'SUBMIT'));

    const f = await facts('t1');

    expect(f.failures).toEqual([
      { agent: 'reviewer', attempt: 1, code: 'AGENT_HTTP_5XX', message: 'HTTP 502: upstream overloaded' },
      { agent: 'reviewer', attempt: 2, code: 'AGENT_HTTP_5XX', message: 'HTTP 500: model crashed' },
    ]);
  });

  it('carries no failures for a task whose attempts did not fail', async () => {
    await store.createTask(makeTaskRecord({ id: 't2', status: 'degraded', state: 'degraded', seq: 1 }), at(1, null, 'queued', 'SUBMIT'));
    expect((await facts('t2')).failures).toBeUndefined();
  });
});

describe('notificationFacts of a run', () => {
  it('lists each failed or degraded step with its bad tasks, their codes, agents and own timelines', async () => {
    await stepTask('plan', 'completed', { last: 'SUCCEEDED' });
    const build = [];
    for (let i = 0; i < 4; i++) build.push(await stepTask('build', 'completed', { index: i, last: 'SUCCEEDED' }));
    build.push(
      await stepTask('build', 'degraded', {
        index: 4,
        attempts: [
          failedAttempt('builder', 1, 'AGENT_TIMEOUT'),
          failedAttempt('builder', 2, 'AGENT_TIMEOUT'),
          failedAttempt('builder-lite', 1, 'AGENT_TIMEOUT'),
        ],
        error: error('FALLBACK_EXHAUSTED'),
        last: 'DEGRADED',
      }),
    );
    const docs = await stepTask('docs', 'failed', {
      attempts: [failedAttempt('writer', 1, 'AUTH_FAILED')],
      error: error('FALLBACK_EXHAUSTED'),
    });
    await run(
      {
        plan: { status: 'completed', taskIds: [`${RUN}.plan`] },
        build: { status: 'degraded', taskIds: build },
        docs: { status: 'failed', taskIds: [docs], error: error('FALLBACK_EXHAUSTED') },
        deploy: { status: 'skipped', taskIds: [] },
      },
      [
        at(1, null, 'queued', 'SUBMIT'),
        at(2, 'queued', 'running', 'START'),
        at(3, 'running', 'running', 'CHILD_ENDED', { step: 'docs', status: 'failed' }),
        at(4, 'running', 'running', 'CHILD_ENDED', { step: 'build', index: 4, status: 'degraded' }),
        at(5, 'running', 'degraded', 'OUTPUT_RESOLVED'),
      ],
    );

    const f = await facts();

    expect(f.timeline.map((t) => t.event)).toEqual(['SUBMIT', 'START', 'CHILD_ENDED', 'CHILD_ENDED', 'OUTPUT_RESOLVED']);
    expect(f.moreSteps).toBeUndefined();
    expect(f.agentsTried).toEqual(['builder', 'builder-lite', 'writer']);
    expect(f.steps).toEqual([
      {
        step: 'build',
        status: 'degraded',
        taskCount: 5,
        errorCodes: ['AGENT_TIMEOUT', 'FALLBACK_EXHAUSTED'],
        agentsTried: ['builder', 'builder-lite'],
        tasks: [
          {
            taskId: 'r1.build.4',
            index: 4,
            status: 'degraded',
            errorCodes: ['AGENT_TIMEOUT', 'FALLBACK_EXHAUSTED'],
            agentsTried: ['builder', 'builder-lite'],
            failures: [
              { agent: 'builder', attempt: 1, code: 'AGENT_TIMEOUT', message: 'AGENT_TIMEOUT' },
              { agent: 'builder', attempt: 2, code: 'AGENT_TIMEOUT', message: 'AGENT_TIMEOUT' },
              { agent: 'builder-lite', attempt: 1, code: 'AGENT_TIMEOUT', message: 'AGENT_TIMEOUT' },
            ],
            timeline: [at(1, null, 'queued', 'SUBMIT'), at(2, 'routing', 'degraded', 'DEGRADED')],
          },
        ],
        moreTasks: 0,
      },
      {
        step: 'docs',
        status: 'failed',
        taskCount: 1,
        errorCodes: ['AUTH_FAILED', 'FALLBACK_EXHAUSTED'],
        agentsTried: ['writer'],
        // the step's own error is its task's end again, so it is not repeated
        tasks: [
          {
            taskId: 'r1.docs',
            status: 'failed',
            errorCodes: ['AUTH_FAILED', 'FALLBACK_EXHAUSTED'],
            agentsTried: ['writer'],
            failures: [{ agent: 'writer', attempt: 1, code: 'AUTH_FAILED', message: 'AUTH_FAILED' }],
            timeline: [at(1, null, 'queued', 'SUBMIT'), at(2, 'routing', 'failed', 'NO_AGENT')],
          },
        ],
        moreTasks: 0,
      },
    ]);
  });

  it('caps the tasks of a step with many failed items and counts the rest', async () => {
    const ids = [];
    // created out of order, so the facts must sort them by item
    for (let i = 39; i >= 0; i--)
      ids.push(await stepTask('build', 'failed', { index: i, attempts: [failedAttempt('builder', 1, 'AGENT_TIMEOUT')] }));
    await run({ build: { status: 'failed', taskIds: ids.reverse() } }, [at(1, null, 'queued', 'SUBMIT')]);

    const [build] = (await facts()).steps!;

    expect(build!.tasks.map((t) => t.index)).toEqual(Array.from({ length: MAX_TASKS_PER_STEP }, (_, i) => i));
    expect(build!.moreTasks).toBe(40 - MAX_TASKS_PER_STEP);
    expect(build!.taskCount).toBe(40);
  });

  it("counts a step's bad items from the run's CHILD_ENDED transitions when fewer of its tasks are listed", async () => {
    const kept = await stepTask('build', 'failed', { index: 0 });
    const ended = [0, 1, 2, 3, 4].map((index, i) =>
      at(i + 2, 'running', 'running', 'CHILD_ENDED', { step: 'build', index, status: 'failed' }),
    );
    // a recovered run records item 4's end twice; it still counts once
    ended.push(at(7, 'running', 'failed', 'CHILD_ENDED', { step: 'build', index: 4, status: 'failed' }));
    await run({ build: { status: 'failed', taskIds: [kept] } }, [at(1, null, 'queued', 'SUBMIT'), ...ended]);

    const [build] = (await facts()).steps!;

    expect(build!.tasks.map((t) => t.taskId)).toEqual(['r1.build.0']);
    expect(build!.moreTasks).toBe(4);
  });

  it('lists a step that failed before starting any task, with its own error', async () => {
    await run({ plan: { status: 'failed', taskIds: [], error: { ...error('EXPRESSION_FAILED'), message: 'steps.x is not an array' } } }, [
      at(1, null, 'queued', 'SUBMIT'),
    ]);

    expect((await facts()).steps).toEqual([
      {
        step: 'plan',
        status: 'failed',
        taskCount: 0,
        errorCodes: ['EXPRESSION_FAILED'],
        agentsTried: [],
        error: { code: 'EXPRESSION_FAILED', message: 'steps.x is not an array' },
        tasks: [],
        moreTasks: 0,
      },
    ]);
  });

  it(`lists at most ${MAX_STEPS} bad steps and counts the others`, async () => {
    const steps: Record<string, RunStepView> = {};
    for (let i = 0; i < MAX_STEPS + 3; i++)
      steps[`s${String(i).padStart(2, '0')}`] = { status: 'failed', taskIds: [], error: error('EXPRESSION_FAILED') };
    await run(steps, [at(1, null, 'queued', 'SUBMIT')]);

    const f = await facts();

    expect(f.steps!.map((s) => s.step)).toEqual(Object.keys(steps).slice(0, MAX_STEPS));
    expect(f.moreSteps).toBe(3);
  });

  it('adds no steps for a task that is not a run', async () => {
    await store.createTask(makeTaskRecord({ id: 't1', status: 'failed', state: 'failed' }), at(1, null, 'queued', 'SUBMIT'));

    const f = await facts('t1');

    expect(f.steps).toBeUndefined();
    expect(f.agentsTried).toEqual([]);
    expect(f.timeline).toHaveLength(1);
  });
});

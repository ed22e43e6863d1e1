import { describe, expect, it } from 'vitest';
import { FakeApi } from './fakeApi.js';
import { type FollowListener, followTask } from './followTask.js';

/** Every timer fires at the next macrotask turn: the stream delivers in between, and no real time is spent waiting. */
const timers = { setTimeout: (fn: () => void) => setImmediate(fn), clearTimeout: (h: object) => clearImmediate(h as NodeJS.Immediate) };
const opts = { timers, pollMs: 100, settleMs: 200 };

/** Records "label EVENT" per reported transition ("-" for the followed task's own). */
function recorder(): { seen: string[]; listener: FollowListener } {
  const seen: string[] = [];
  return { seen, listener: { transition: (label, t) => seen.push(`${label || '-'} ${t.event}`) } };
}

/** A single-step task that retries once, then completes: one scripted step per poll. */
function plainTask(): FakeApi {
  const api = new FakeApi().add({ id: 't1' }).commit('t1', { to: 'queued', event: 'SUBMIT' });
  api.watched = 't1';
  api.script.push(
    () => api.commit('t1', { to: 'routing', event: 'START' }).commit('t1', { to: 'attempting', event: 'ROUTED', agent: 'a', attempt: 1 }),
    () => api.commit('t1', { to: 'waiting', event: 'ATTEMPT_FAILED', agent: 'a', attempt: 1 }),
    () => api.commit('t1', { to: 'attempting', event: 'WAKE', agent: 'a', attempt: 2 }),
    () =>
      api
        .commit('t1', { to: 'validating', event: 'ATTEMPT_OK' })
        .commit('t1', { to: 'completed', event: 'OUTPUT_VALID' }, { answeredBy: 'a' }),
  );
  return api;
}

const PLAIN = ['SUBMIT', 'START', 'ROUTED', 'ATTEMPT_FAILED', 'WAKE', 'ATTEMPT_OK', 'OUTPUT_VALID'].map((e) => `- ${e}`);

/** A child task that runs to `end` in two scripted commits. */
function stepTask(api: FakeApi, id: string, step: string, end: 'completed' | 'failed', index?: number): void {
  api.add({ id, parentId: 'r1', step, ...(index !== undefined ? { index } : {}) }).commit(id, { to: 'queued', event: 'SUBMIT' });
  api.commit(id, { to: 'routing', event: 'START' }).commit(id, { to: 'attempting', event: 'ROUTED', agent: step, attempt: 1 });
  if (end === 'completed') api.commit(id, { to: 'completed', event: 'OUTPUT_VALID' }, { answeredBy: step });
  else api.commit(id, { to: 'failed', event: 'ATTEMPT_FAILED' });
}

/** A run: `plan`, then `build` over two items, one of which fails under onFailure "continue"; the run degrades. */
function run(): FakeApi {
  const steps = { plan: { status: 'pending', taskIds: [] }, build: { status: 'pending', taskIds: [] } };
  const api = new FakeApi().add({ id: 'r1', kind: 'run', workflow: 'ship', steps }).commit('r1', { to: 'queued', event: 'SUBMIT' });
  api.watched = 'r1';
  api.script.push(
    () => api.commit('r1', { to: 'running', event: 'START' }),
    () => stepTask(api, 'r1.plan', 'plan', 'completed'),
    () =>
      api
        .commit('r1', { to: 'running', event: 'CHILD_ENDED', detail: { step: 'plan', index: 0, status: 'completed' } })
        .commit('r1', { to: 'running', event: 'STEP_RESOLVED', detail: { step: 'build', items: 2 } }),
    () => {
      stepTask(api, 'r1.build.0', 'build', 'completed', 0);
      stepTask(api, 'r1.build.1', 'build', 'failed', 1);
    },
    () =>
      api
        .commit('r1', { to: 'running', event: 'CHILD_ENDED', detail: { step: 'build', index: 0, status: 'completed' } })
        .commit('r1', { to: 'running', event: 'CHILD_ENDED', detail: { step: 'build', index: 1, status: 'failed' } })
        .commit('r1', { to: 'finishing', event: 'STEP_ENDED' })
        .commit('r1', { to: 'degraded', event: 'OUTPUT_RESOLVED' }),
  );
  return api;
}

const child = (label: string, end: string) => [`${label} SUBMIT`, `${label} START`, `${label} ROUTED`, `${label} ${end}`];
const RUN = [
  '- SUBMIT',
  '- START',
  ...child('plan', 'OUTPUT_VALID'),
  '- CHILD_ENDED',
  '- STEP_RESOLVED',
  ...child('build#0', 'OUTPUT_VALID'),
  ...child('build#1', 'ATTEMPT_FAILED'),
  '- CHILD_ENDED',
  '- CHILD_ENDED',
  '- STEP_ENDED',
  '- OUTPUT_RESOLVED',
];

describe('followTask', () => {
  it("reports a task's transitions once each, in order, and resolves with the ended task and its timeline", async () => {
    const api = plainTask();
    const { seen, listener } = recorder();
    const { task, transitions, stepTasks } = await followTask(api, 't1', listener, opts);
    expect(seen).toEqual(PLAIN);
    expect(task).toMatchObject({ id: 't1', status: 'completed', answeredBy: 'a' });
    expect(transitions.map((t) => t.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(stepTasks).toEqual([]);
    // The timeline was read at the start and once more when the stream's first event came; the stream brought the rest.
    expect(api.requests.filter((r) => r.endsWith('/transitions'))).toEqual([
      'GET /api/tasks/t1/transitions',
      'GET /api/tasks/t1/transitions',
    ]);
  });

  it("labels a run's step tasks by step and item, and leaves the run's own transitions unlabelled", async () => {
    const api = run();
    const { seen, listener } = recorder();
    const { task, transitions, stepTasks } = await followTask(api, 'r1', listener, opts);
    expect(seen).toEqual(RUN);
    expect(task.status).toBe('degraded');
    expect(transitions.map((t) => t.event)).toEqual(RUN.filter((l) => l.startsWith('- ')).map((l) => l.slice(2)));
    expect(stepTasks.map((t) => t.id).sort()).toEqual(['r1.build.0', 'r1.build.1', 'r1.plan']);
  });

  it('names the forEach steps of the run a transition belongs to, once their items are known', async () => {
    const api = run();
    const notes: string[] = [];
    await followTask(api, 'r1', { transition: (label, t, forEach) => label === '' && notes.push(`${t.event}:${[...forEach]}`) }, opts);
    expect(notes.slice(0, 4)).toEqual(['SUBMIT:', 'START:', 'CHILD_ENDED:', 'STEP_RESOLVED:build']);
  });

  it('fills a gap in the stream from the task timeline, so no transition is lost or repeated', async () => {
    const api = run();
    api.dropFromStream = (e) => e.taskId === 'r1.build.1' && e.seq === 2;
    const { seen, listener } = recorder();
    await followTask(api, 'r1', listener, opts);
    expect(seen).toEqual(RUN);
    // Only the gap made the follower read that task's timeline: the stream was up long before the task existed.
    expect(api.requests).toContain('GET /api/tasks/r1.build.1/transitions');
  });

  it('reads what happened before the stream came up from the API, once its first event arrives', async () => {
    const api = run();
    api.dropFromStream = (e) => e.eventId! <= 4;
    const { seen, listener } = recorder();
    await followTask(api, 'r1', listener, opts);
    expect(seen).toEqual(RUN);
  });

  it("fills a gap when the task's next transition shows it, keeping each task's own order", async () => {
    const api = run();
    api.dropFromStream = (e) => e.taskId === 'r1' && e.event === 'STEP_RESOLVED';
    const { seen, listener } = recorder();
    await followTask(api, 'r1', listener, opts);
    expect([...seen].sort()).toEqual([...RUN].sort());
    const ofRun = (lines: string[]) => lines.filter((l) => l.startsWith('- '));
    expect(ofRun(seen)).toEqual(ofRun(RUN));
  });

  it('polls the API for everything when the event stream is refused', async () => {
    const api = run();
    api.refuseStream = true;
    const { seen, listener } = recorder();
    const { task } = await followTask(api, 'r1', listener, opts);
    expect(seen).toEqual(RUN);
    expect(task.status).toBe('degraded');
    expect(api.requests.filter((r) => r === 'GET /api/tasks/r1/transitions').length).toBeGreaterThan(3);
  });

  it('orders what it reads from the API by time, and transitions of the same millisecond as the engine made them', async () => {
    const api = new FakeApi().add({ id: 'r1', kind: 'run', steps: { plan: { status: 'pending', taskIds: [] } } });
    api.msPerCommit = 0;
    api.refuseStream = true;
    api.watched = 'r1';
    api.commit('r1', { to: 'queued', event: 'SUBMIT' });
    api.script.push(() => {
      api.commit('r1', { to: 'running', event: 'START' });
      api.commit('r1', { to: 'running', event: 'STEP_RESOLVED', detail: { step: 'plan' } });
      stepTask(api, 'r1.plan', 'plan', 'completed');
      api.commit('r1', { to: 'finishing', event: 'CHILD_ENDED', detail: { step: 'plan', index: 0, status: 'completed' } });
      api.commit('r1', { to: 'completed', event: 'OUTPUT_RESOLVED' });
    });
    const { seen, listener } = recorder();
    await followTask(api, 'r1', listener, opts);
    expect(seen).toEqual([
      '- SUBMIT',
      '- START',
      '- STEP_RESOLVED',
      ...child('plan', 'OUTPUT_VALID'),
      '- CHILD_ENDED',
      '- OUTPUT_RESOLVED',
    ]);
  });

  it('reads the end from the API when the task has ended and the stream never says so', async () => {
    const api = plainTask();
    api.dropFromStream = (e) => e.event === 'OUTPUT_VALID';
    const { seen, listener } = recorder();
    const { task } = await followTask(api, 't1', listener, opts);
    expect(seen).toEqual(PLAIN);
    expect(task.status).toBe('completed');
  });

  it('waits, after a run is cancelled, for the step tasks the cancel is still stopping', async () => {
    const api = new FakeApi().add({ id: 'r1', kind: 'run', steps: { plan: { status: 'pending', taskIds: [] } } });
    api.commit('r1', { to: 'queued', event: 'SUBMIT' });
    api.watched = 'r1';
    api.script.push(
      () =>
        api
          .commit('r1', { to: 'running', event: 'START' })
          .add({ id: 'r1.plan', parentId: 'r1', step: 'plan' })
          .commit('r1.plan', { to: 'queued', event: 'SUBMIT' }),
      () => api.commit('r1', { to: 'cancelled', event: 'CANCEL' }),
      () => api.commit('r1.plan', { to: 'cancelled', event: 'CANCEL' }),
    );
    const { seen, listener } = recorder();
    await followTask(api, 'r1', listener, opts);
    expect(seen).toEqual(['- SUBMIT', '- START', 'plan SUBMIT', '- CANCEL', 'plan CANCEL']);
  });

  it('ignores the transitions of tasks outside the followed tree', async () => {
    const api = plainTask().add({ id: 't1.x' }).add({ id: 'other' });
    api.script.unshift(() => api.commit('other', { to: 'queued', event: 'SUBMIT' }).commit('t1.x', { to: 'queued', event: 'SUBMIT' }));
    const { seen, listener } = recorder();
    await followTask(api, 't1', listener, opts);
    expect(seen).toEqual(PLAIN);
  });

  it('reports the followed task to the state listener before any transition, then at every poll', async () => {
    const api = plainTask();
    const calls: string[] = [];
    await followTask(api, 't1', { state: (t) => calls.push(`state ${t.state}`), transition: (_, t) => calls.push(t.event) }, opts);
    expect(calls[0]).toBe('state attempting');
    expect(calls).toContain('state waiting');
  });
});

import { describe, expect, it } from 'vitest';
import { FakeApi } from '../fakeApi.js';
import { submitCommand } from './submit.js';

/** Every timer fires at the next macrotask turn: no real time is spent waiting. */
const timers = { setTimeout: (fn: () => void) => setImmediate(fn), clearTimeout: (h: object) => clearImmediate(h as NodeJS.Immediate) };
const follow = { timers, pollMs: 100, settleMs: 200 };

function output() {
  const chunks: string[] = [];
  return { text: () => chunks.join(''), out: { isTTY: false, write: (s: string) => chunks.push(s) } };
}

/** A run `ship` with a `plan` step and a two-item `build` step, ending `end`. */
function shipRun(end: 'completed' | 'failed'): FakeApi {
  const api = new FakeApi();
  api.submitId = 'r1';
  api.watched = 'r1';
  api.add({
    id: 'r1',
    kind: 'run',
    workflow: 'ship',
    steps: { plan: { status: 'pending', taskIds: [] }, build: { status: 'pending', taskIds: [] } },
  });
  api.commit('r1', { to: 'queued', event: 'SUBMIT' });
  const child = (id: string, step: string, index?: number) =>
    api
      .add({ id, parentId: 'r1', step, ...(index !== undefined ? { index } : {}) })
      .commit(id, { to: 'queued', event: 'SUBMIT' })
      .commit(id, { to: 'completed', event: 'OUTPUT_VALID', agent: step, attempt: 1 }, { answeredBy: step });
  api.script.push(
    () => api.commit('r1', { to: 'running', event: 'START' }),
    () => child('r1.plan', 'plan'),
    () => api.commit('r1', { to: 'running', event: 'STEP_RESOLVED', detail: { step: 'build', items: 2 } }),
    () =>
      child('r1.build.0', 'build', 0).commit('r1', {
        to: 'running',
        event: 'CHILD_ENDED',
        detail: { step: 'build', index: 0, status: 'completed' },
      }),
    () =>
      child('r1.build.1', 'build', 1).commit(
        'r1',
        { to: end, event: end === 'completed' ? 'OUTPUT_RESOLVED' : 'OUTPUT_FAILED' },
        {
          steps: {
            plan: { status: 'completed', taskIds: ['r1.plan'] },
            build: { status: 'completed', taskIds: ['r1.build.0', 'r1.build.1'] },
          },
        },
      ),
  );
  return api;
}

describe('submit --wait', () => {
  it("prefixes a run's lines with the step they belong to, then prints the steps and the outcome", async () => {
    const api = shipRun('completed');
    const { out, text } = output();
    const code = await submitCommand(api, 'ship', { input: {}, wait: true, follow }, out);
    expect(code).toBe(0);
    const lines = text().split('\n');
    expect(lines[0]).toBe('run r1 submitted (ship)');
    const live = lines.filter((l) => l.startsWith('['));
    expect(live.map((l) => `${l.slice(0, l.indexOf(']') + 1)} ${l.split(/\s+/)[5]}`)).toEqual([
      '[run] SUBMIT',
      '[run] START',
      '[plan] SUBMIT',
      '[plan] OUTPUT_VALID',
      '[run] STEP_RESOLVED',
      '[build#0] SUBMIT',
      '[build#0] OUTPUT_VALID',
      '[run] CHILD_ENDED',
      '[build#1] SUBMIT',
      '[build#1] OUTPUT_VALID',
      '[run] OUTPUT_RESOLVED',
    ]);
    // The times line up: prefixes are padded to the longest step id with room for an item's #n.
    expect(new Set(live.map((l) => l.indexOf('12:')))).toEqual(new Set([11]));
    expect(live).toContain('[run]      12:00:00.050  running → running  STEP_RESOLVED build (2 items)');
    expect(live).toContain('[run]      12:00:00.080  running → running  CHILD_ENDED build#0 completed');
    expect(lines).toContainEqual(expect.stringMatching(/^step\s+status\s+items\s+agents/));
    expect(lines).toContainEqual(expect.stringMatching(/^build\s+completed\s+2\s+build\s+0\s+100ms$/));
    expect(lines).toContainEqual(expect.stringMatching(/^run r1 completed in /));
  });

  it("exits with the run's status code", async () => {
    expect(await submitCommand(shipRun('failed'), 'ship', { input: {}, wait: true, follow }, output().out)).toBe(4);
  });

  it('prints a JSON run with its step tasks', async () => {
    const { out, text } = output();
    await submitCommand(shipRun('completed'), 'ship', { input: {}, wait: true, json: true, follow }, out);
    const json = JSON.parse(text());
    expect(json.task.kind).toBe('run');
    expect(json.transitions.at(-1).event).toBe('OUTPUT_RESOLVED');
    expect(json.stepTasks.map((t: { id: string }) => t.id).sort()).toEqual(['r1.build.0', 'r1.build.1', 'r1.plan']);
  });

  it("leaves a plain task's lines unprefixed", async () => {
    const api = new FakeApi().add({ id: 't1' }).commit('t1', { to: 'queued', event: 'SUBMIT' });
    api.submitId = 't1';
    api.watched = 't1';
    api.script.push(() => api.commit('t1', { to: 'failed', event: 'ATTEMPT_FAILED' }));
    const { out, text } = output();
    expect(await submitCommand(api, 'wf', { input: {}, wait: true, follow }, out)).toBe(4);
    const lines = text().split('\n');
    expect(lines.slice(0, 3)).toEqual([
      'task t1 submitted (wf)',
      '12:00:00.010  ∅ → queued  SUBMIT',
      '12:00:00.020  queued → failed  ATTEMPT_FAILED',
    ]);
    expect(lines).toContainEqual(expect.stringMatching(/^#\s+time\s+transition\s+event\s+agent/));
  });
});

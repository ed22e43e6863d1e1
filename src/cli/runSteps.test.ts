import { describe, expect, it } from 'vitest';
import type { Transition } from '../lifecycle/types.js';
import { fakeTask } from './fakeApi.js';
import { runStateLine, stepCount, stepRows, stepsTable } from './runSteps.js';

const at = (s: number) => new Date(Date.parse('2025-01-31T12:00:00.000Z') + s * 1000).toISOString();
const attempt = (agent: string, n: number, outcome: 'ok' | 'error') => ({ agent, attempt: n, startedAt: at(0), endedAt: at(1), outcome });
const error = { code: 'AGENT_UNAVAILABLE', category: 'transient', severity: 'medium', retryable: true, message: 'down' } as const;

const run = fakeTask({
  id: 'r1',
  kind: 'run',
  status: 'running',
  steps: {
    plan: { status: 'completed', taskIds: ['r1.plan'] },
    build: { status: 'running', taskIds: ['r1.build.0', 'r1.build.1'] },
    docs: { status: 'failed', taskIds: ['r1.docs'], error },
    review: { status: 'completed', taskIds: ['r1.review'] },
    deploy: { status: 'pending', taskIds: [] },
  },
});

const stepTasks = [
  fakeTask({
    id: 'r1.plan',
    step: 'plan',
    status: 'completed',
    answeredBy: 'planner',
    attempts: [attempt('flaky', 1, 'error'), attempt('planner', 1, 'ok')],
    createdAt: at(0),
    updatedAt: at(2),
  }),
  fakeTask({ id: 'r1.build.1', step: 'build', index: 1, status: 'running', attempts: [attempt('builder', 1, 'error')], createdAt: at(3) }),
  fakeTask({
    id: 'r1.build.0',
    step: 'build',
    index: 0,
    status: 'completed',
    answeredBy: 'builder',
    attempts: [attempt('builder', 1, 'ok')],
    createdAt: at(2),
    updatedAt: at(4),
  }),
  fakeTask({
    id: 'r1.docs',
    step: 'docs',
    status: 'failed',
    attempts: [attempt('writer', 1, 'error'), attempt('writer', 2, 'error'), attempt('scribe', 1, 'error')],
    createdAt: at(2),
    updatedAt: at(9),
  }),
  fakeTask({
    id: 'r1.review',
    kind: 'run',
    workflow: 'code-review',
    step: 'review',
    status: 'completed',
    createdAt: at(4),
    updatedAt: at(5),
  }),
];

const transitions: Transition[] = [
  { seq: 1, at: at(0), from: null, to: 'queued', event: 'SUBMIT' },
  { seq: 2, at: at(2), from: 'running', to: 'running', event: 'STEP_RESOLVED', detail: { step: 'build', items: 2 } },
];

describe('stepRows', () => {
  const rows = stepRows(run, stepTasks, transitions, Date.parse(at(10)));

  it("lists the steps in the run's order, each with its status", () => {
    expect(rows.map((r) => [r.step, r.status])).toEqual([
      ['plan', 'completed'],
      ['build', 'running'],
      ['docs', 'failed'],
      ['review', 'completed'],
      ['deploy', 'pending'],
    ]);
  });

  it('names who answered, then who else was tried', () => {
    expect(rows.map((r) => r.agents)).toEqual(['planner (tried flaky)', 'builder', '(tried writer, scribe)', 'run code-review', '']);
  });

  it("sums the attempts of the step's tasks and spans its first start to its last end, or to now while one runs", () => {
    expect(rows.map((r) => r.attempts)).toEqual([2, 2, 3, 0, 0]);
    expect(rows.map((r) => r.tookMs)).toEqual([2000, 8000, 7000, 1000, undefined]);
  });

  it('counts the items of a forEach step only, and gives the error code of a failed step', () => {
    expect(rows.map((r) => r.items)).toEqual([undefined, 2, undefined, undefined, undefined]);
    expect(rows.find((r) => r.step === 'docs')?.error).toBe('AGENT_UNAVAILABLE');
  });
});

describe('stepsTable', () => {
  it('aligns the steps under a header, with durations written out', () => {
    const text = stepsTable(stepRows(run, stepTasks, transitions, Date.parse(at(10))));
    const lines = text.split('\n');
    expect(lines[0]!.split(/\s{2,}/)).toEqual(['step', 'status', 'items', 'agents', 'attempts', 'took', 'error']);
    expect(lines[2]!.split(/\s{2,}/)).toEqual(['build', 'running', '2', 'builder', '2', '8.00s']);
    expect(lines[3]!.split(/\s{2,}/)).toEqual(['docs', 'failed', '(tried writer, scribe)', '3', '7.00s', 'AGENT_UNAVAILABLE']);
    // A step with no task yet: empty cells, and its 0 attempts still under their header.
    expect(lines[5]!.split(/\s{2,}/)).toEqual(['deploy', 'pending', '0']);
    expect(lines[5]!.indexOf('0')).toBe(lines[0]!.indexOf('attempts'));
  });
});

describe('runStateLine', () => {
  it('says how many steps have ended and which are under way', () => {
    expect(runStateLine(run)).toBe('running · 3/5 steps ended · build');
  });
});

describe('stepCount', () => {
  it("counts a run's steps and nothing for a plain task", () => {
    expect(stepCount(run)).toBe(5);
    expect(stepCount(fakeTask({ id: 't' }))).toBeUndefined();
  });
});

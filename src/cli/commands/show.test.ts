import { describe, expect, it } from 'vitest';
import type { Transition } from '../../lifecycle/types.js';
import { FakeApi, fakeTask } from '../fakeApi.js';
import { readShowView, renderShow } from './show.js';

const at = (s: number) => new Date(Date.parse('2025-01-31T12:00:00.000Z') + s * 1000).toISOString();

const run = fakeTask({
  id: 'r1',
  kind: 'run',
  workflow: 'ship',
  status: 'completed',
  steps: { plan: { status: 'completed', taskIds: ['r1.plan'] }, docs: { status: 'skipped', taskIds: [] } },
  output: { plan: 'ok' },
  createdAt: at(0),
  updatedAt: at(3),
});
const plan = fakeTask({
  id: 'r1.plan',
  parentId: 'r1',
  step: 'plan',
  workflow: 'ship',
  status: 'completed',
  answeredBy: 'planner',
  attempts: [{ agent: 'planner', attempt: 1, startedAt: at(1), endedAt: at(2), outcome: 'ok' }],
  createdAt: at(0),
  updatedAt: at(2),
});
const runTransitions: Transition[] = [
  { seq: 1, at: at(0), from: null, to: 'queued', event: 'SUBMIT' },
  { seq: 2, at: at(0), from: 'queued', to: 'running', event: 'START' },
  { seq: 3, at: at(2), from: 'running', to: 'running', event: 'CHILD_ENDED', detail: { step: 'plan', index: 0, status: 'completed' } },
  { seq: 4, at: at(2), from: 'running', to: 'running', event: 'STEP_RESOLVED', detail: { step: 'docs', status: 'skipped' } },
  { seq: 5, at: at(3), from: 'running', to: 'completed', event: 'OUTPUT_RESOLVED' },
];

describe('renderShow', () => {
  it("prints a run's header, the table of its steps, then the run's own timeline", () => {
    const lines = renderShow({ task: run, transitions: runTransitions, stepTasks: [plan] }, Date.parse(at(9))).split('\n');
    expect(lines.slice(0, 4)).toEqual(['run       r1', 'workflow  ship', 'status    completed', `created   ${at(0)}   total 3.00s`]);
    const steps = lines.indexOf('') + 1;
    expect(lines[steps]!.split(/\s{2,}/)).toEqual(['step', 'status', 'items', 'agents', 'attempts', 'took', 'error']);
    expect(lines[steps + 1]!.split(/\s{2,}/)).toEqual(['plan', 'completed', 'planner', '1', '2.00s']);
    expect(lines[steps + 2]!.split(/\s{2,}/)).toEqual(['docs', 'skipped', '0']);
    const timeline = lines.indexOf('', steps) + 1;
    expect(lines[timeline]!.split(/\s{2,}/)).toEqual(['#', 'time', 'transition', 'event', 'step', 'error', 'in state']);
    expect(lines.slice(timeline + 1, timeline + 6).map((l) => l.split(/\s{2,}/)[3])).toEqual([
      'SUBMIT',
      'START',
      'CHILD_ENDED',
      'STEP_RESOLVED',
      'OUTPUT_RESOLVED',
    ]);
    expect(lines.join('\n')).toContain('plan completed');
    expect(lines.join('\n')).toContain('"plan": "ok"');
  });

  it('prints a step task as a task, with a line naming its step and its run', () => {
    const lines = renderShow({ task: plan, transitions: [] }, 0).split('\n');
    expect(lines.slice(0, 4)).toEqual([
      'task      r1.plan',
      'workflow  ship',
      'step      plan of run r1',
      'status    completed (answered by planner)',
    ]);
    expect(lines).toContainEqual(expect.stringMatching(/^agent\s+attempt\s+outcome/));
  });

  it("names a forEach step task's item", () => {
    const item = fakeTask({ id: 'r1.build.2', parentId: 'r1', step: 'build', index: 2 });
    expect(renderShow({ task: item, transitions: [] }, 0).split('\n')[2]).toBe('step      build#2 of run r1');
  });
});

describe('readShowView', () => {
  it("reads a run's step tasks, and only a run's", async () => {
    const api = new FakeApi().add(run).add(plan).add({ id: 't1' });
    expect((await readShowView(api, 'r1')).stepTasks?.map((t) => t.id)).toEqual(['r1.plan']);
    expect(await readShowView(api, 't1')).not.toHaveProperty('stepTasks');
  });
});

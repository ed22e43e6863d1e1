import { describe, expect, it } from 'vitest';
import { fakeTask } from '../fakeApi.js';
import { renderTasks, tasksQuery } from './tasks.js';

describe('tasksQuery', () => {
  it("hides runs' step tasks by default", () => {
    expect(Object.fromEntries(tasksQuery({ limit: 20, status: 'failed' }))).toEqual({ limit: '20', status: 'failed', topLevel: 'true' });
  });

  it('lists step tasks too with --steps, and only those of one run with --parent', () => {
    expect(tasksQuery({ limit: 20, steps: true }).has('topLevel')).toBe(false);
    expect(Object.fromEntries(tasksQuery({ limit: 5, parent: 'r1' }))).toEqual({ limit: '5', parent: 'r1' });
  });
});

describe('renderTasks', () => {
  const plain = fakeTask({ id: 't1', status: 'completed', answeredBy: 'a' });

  it('prints plain tasks under the usual columns', () => {
    expect(
      renderTasks([plain])
        .split('\n')[0]!
        .split(/\s{2,}/),
    ).toEqual(['id', 'workflow', 'status', 'state', 'answered by', 'attempts', 'created']);
  });

  it('adds the step count of a run and the step of a step task', () => {
    const run = fakeTask({
      id: 'r1',
      kind: 'run',
      steps: { plan: { status: 'running', taskIds: [] }, build: { status: 'pending', taskIds: [] } },
    });
    const item = fakeTask({ id: 'r1.build.1', parentId: 'r1', step: 'build', index: 1 });
    const lines = renderTasks([item, run, plain]).split('\n');
    const header = lines[0]!;
    expect(header.split(/\s{2,}/)).toEqual(['id', 'workflow', 'status', 'state', 'answered by', 'attempts', 'steps', 'step', 'created']);
    const cell = (row: string, column: string) => row.slice(header.indexOf(column)).split(/\s{2,}/)[0];
    expect(cell(lines[1]!, 'step ')).toBe('build#1');
    expect(cell(lines[2]!, 'steps')).toBe('2');
    expect(cell(lines[3]!, 'steps')).toBe('');
  });
});

import { describe, expect, it } from 'vitest';
import { duration, forEachSteps, stepNote, table, timelineTable, transitionLine } from './format.js';

describe('duration', () => {
  it.each([
    [340, '340ms'],
    [1234, '1.23s'],
    [12_345, '12.3s'],
    [65_000, '1m05s'],
    [119_790, '2m00s'],
    [3_599_600, '60m00s'],
  ])('writes %i ms as %s', (ms, text) => {
    expect(duration(ms)).toBe(text);
  });
});

describe('table', () => {
  it('aligns columns to their widest cell and leaves no trailing spaces', () => {
    expect(
      table(
        ['a', 'bb'],
        [
          ['xxx', 'y'],
          [undefined, 'zz'],
        ],
      ),
    ).toBe('a    bb\nxxx  y\n     zz');
  });
});

describe('run transitions', () => {
  const at = '2025-01-31T12:00:00.000Z';
  const resolved = { seq: 3, at, from: 'running', to: 'running', event: 'STEP_RESOLVED', detail: { step: 'build', items: 3 } };
  const childEnded = {
    seq: 4,
    at,
    from: 'running',
    to: 'running',
    event: 'CHILD_ENDED',
    detail: { step: 'build', index: 2, status: 'failed' },
  };
  const planEnded = {
    seq: 2,
    at,
    from: 'running',
    to: 'running',
    event: 'CHILD_ENDED',
    detail: { step: 'plan', index: 0, status: 'completed' },
  };

  it('name the step they are about, with the item count of a forEach step', () => {
    expect(transitionLine(resolved)).toBe('12:00:00.000  running → running  STEP_RESOLVED build (3 items)');
    expect(stepNote({ ...resolved, detail: { step: 'docs', status: 'skipped' } })).toBe('docs skipped');
  });

  it('name the item of a forEach step, and leave out the index of a plain step', () => {
    const forEach = forEachSteps([planEnded, resolved, childEnded]);
    expect([...forEach]).toEqual(['build']);
    expect(transitionLine(childEnded, forEach)).toBe('12:00:00.000  running → running  CHILD_ENDED build#2 failed');
    expect(stepNote(planEnded, forEach)).toBe('plan completed');
  });

  it("put the step where a task's timeline has the agent", () => {
    const refused = {
      seq: 5,
      at,
      from: 'running',
      to: 'degrading',
      event: 'STEP_REFUSED',
      detail: { step: 'deploy' },
      error: { code: 'EXPRESSION_FAILED', category: 'logic', severity: 'high', retryable: false, message: 'x' },
    } as const;
    const rows = timelineTable([planEnded, resolved, childEnded, refused], { run: true }).split('\n');
    expect(rows[0]!.split(/\s{2,}/)).toEqual(['#', 'time', 'transition', 'event', 'step', 'error', 'in state']);
    expect(rows.slice(1).map((r) => r.split(/\s{2,}/)[4])).toEqual(['plan completed', 'build (3 items)', 'build#2 failed', 'deploy']);
    expect(rows[4]).toContain('EXPRESSION_FAILED');
  });
});

import { describe, expect, it } from 'vitest';
import { LiveTasks } from './LiveTasks.js';
import type { LiveRecord } from './taskRecord.js';

const record = (id: string, seq = 1) => ({ id, seq, workflow: 'w', status: 'running', state: 'running' }) as unknown as LiveRecord;

/** A step of the task in progress: resolves when `finish` is called. */
function stepInProgress() {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  return { done, finish };
}

const flush = () => new Promise((r) => setImmediate(r));

describe('LiveTasks.park', () => {
  it('drops a parked task once its queued steps are done', async () => {
    const live = new LiveTasks();
    const task = live.add(record('t'), undefined);
    const step = stepInProgress();
    task.queue = step.done;
    live.park(task);
    step.finish();
    await flush();
    expect(task.done).toBe(true);
    expect(live.get('t')).toBeUndefined();
  });

  it('keeps a parked task whose next step, queued before the park, took a step after it', async () => {
    // A run takes two of its steps' ends at once: the first parks it, the second starts work
    // (resolving a step that became ready) whose answer comes back to this copy.
    const live = new LiveTasks();
    const task = live.add(record('run'), undefined);
    const step = stepInProgress();
    task.queue = step.done;
    live.park(task);
    task.record = record('run', 2);
    step.finish();
    await flush();
    expect(task.done).toBe(false);
    expect(live.get('run')).toBe(task);
  });

  it('keeps a parked task with an event queued since', async () => {
    const live = new LiveTasks();
    const task = live.add(record('t'), undefined);
    const step = stepInProgress();
    task.queue = step.done;
    live.park(task);
    const next = stepInProgress();
    task.queue = task.queue.then(() => next.done);
    step.finish();
    await flush();
    expect(live.get('t')).toBe(task);
    next.finish();
  });
});

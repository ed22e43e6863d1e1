import { describe, expect, it } from 'vitest';
import type { Interpreter, MachineEvent } from '../lifecycle/Interpreter.js';
import { type LiveTask, LiveTasks } from '../lifecycle/LiveTasks.js';
import type { Task } from '../lifecycle/types.js';
import type { TaskRecord } from '../store/Store.js';
import { DistributedRunner } from './DistributedRunner.js';

const row = (id: string, extra: Partial<TaskRecord> = {}) =>
  ({ id, seq: 3, workflow: 'w', status: 'running', state: 'running', deadlineAt: '2026-01-01T00:00:00.000Z', ...extra }) as TaskRecord;

const childEnded = (index: number): MachineEvent => ({ type: 'CHILD_ENDED', step: 'build', index, status: 'completed' }) as MachineEvent;

/**
 * A worker's engine, as the runner sees it: tasks in a fake store, and a step path that records
 * each event and, once a copy's events are taken, parks it (or lets it go as taken over when
 * `conflict` says another worker moved the task meanwhile).
 */
function worker(rows: TaskRecord[], ends: MachineEvent[][] = []) {
  const live = new LiveTasks();
  const store = new Map(rows.map((r) => [r.id, r]));
  const fed: { id: string; type: string; detail?: unknown }[] = [];
  const forgotten: string[] = [];
  let conflicts = 0;
  const interpreter = {
    hydrate: (rec: TaskRecord) => live.add({ ...rec, seq: rec.seq ?? 0 }, undefined),
    enqueue(task: LiveTask, event: MachineEvent, extra: { detail?: unknown } = {}) {
      fed.push({ id: task.record.id, type: event.type, ...(extra.detail ? { detail: extra.detail } : {}) });
      task.queue = task.queue.then(async () => {
        if (task.done) return;
        if (conflicts > 0) {
          conflicts--;
          task.conflicted = true;
          return live.drop(task);
        }
        task.record = { ...task.record, seq: task.record.seq + 1 };
        if (event.type === 'CANCEL') task.record.status = 'cancelled';
        live.park(task);
      });
    },
  } as unknown as Interpreter;
  const runner = new DistributedRunner({
    store: { getTask: async (id) => store.get(id) },
    childEnds: async () => ends.shift() ?? [],
    forgetRun: (id) => forgotten.push(id),
    live,
    interpreter,
    stopping: () => false,
    emitTransition: () => {},
    emitTaskEnded: () => {},
  });
  return {
    runner,
    live,
    fed,
    forgotten,
    conflictNext: (n: number) => {
      conflicts = n;
    },
  };
}

describe('DistributedRunner', () => {
  it("takes the ends of a run's step tasks on a child job", async () => {
    const w = worker([row('run', { kind: 'run' })], [[childEnded(0), childEnded(1)]]);
    await w.runner.runTask('run', 'child');
    expect(w.fed.map((f) => f.type)).toEqual(['CHILD_ENDED', 'CHILD_ENDED']);
  });

  it('recovers a run on a retried child job, taking the ends that came meanwhile in the same hold', async () => {
    // The worker that held the run died mid-work (resolving a step, building the degraded
    // response): no end is left to take, but the run's own work must be done again.
    const w = worker([row('run', { kind: 'run' })], [[childEnded(2)]]);
    await w.runner.runTask('run', 'child', true);
    expect(w.fed).toEqual([
      { id: 'run', type: 'RECOVERED', detail: { reason: 'its worker died; recovered on another' } },
      { id: 'run', type: 'CHILD_ENDED' },
    ]);
  });

  it('reads the run again when another worker moved it on, without a retry of the job', async () => {
    const w = worker([row('run', { kind: 'run' })], [[childEnded(0)], [childEnded(0)]]);
    w.conflictNext(1);
    await w.runner.runTask('run', 'child');
    expect(w.fed.map((f) => f.type)).toEqual(['CHILD_ENDED', 'CHILD_ENDED']);
    expect(w.live.size).toBe(0);
  });

  it('sends a cancel to the copy held here at once, rather than waiting for its call to end', async () => {
    const w = worker([row('run.build.0', { parentId: 'run', state: 'attempting' })]);
    const held = w.live.add({ ...row('run.build.0', { state: 'attempting' }), seq: 3 }, undefined);
    const call = new AbortController();
    held.attempt = { token: {}, abort: call };
    await w.runner.runTask('run.build.0', 'cancel');
    expect(w.fed.map((f) => f.type)).toEqual(['CANCEL']);
    expect(held.record.status).toBe('cancelled');
  });

  it('lets go of a copy held here when the feed shows its task ended on another worker, aborting its call', () => {
    const w = worker([]);
    const held = w.live.add({ ...row('run.build.1', { state: 'attempting' }), seq: 3 }, undefined);
    const call = new AbortController();
    held.attempt = { token: {}, abort: call };
    w.runner.feedTaskEnded({ id: 'run.build.1', status: 'cancelled' } as Task);
    expect(call.signal.aborted).toBe(true);
    expect(held.conflicted).toBe(true);
    expect(w.live.get('run.build.1')).toBeUndefined();
  });

  it('forgets what it remembers of a run seen ending in the feed', () => {
    const w = worker([]);
    w.runner.feedTaskEnded({ id: 'run', kind: 'run', status: 'completed' } as Task);
    expect(w.forgotten).toEqual(['run']);
  });
});

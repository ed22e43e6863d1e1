import { describe, expect, it } from 'vitest';
import type { TaskRecord } from '../store/Store.js';
import { RunData } from './RunData.js';
import type { RunContext } from './runMachine.js';

/** A run with one plain step `plan`, launched and ended. */
const ctx = {
  steps: { plan: { needs: [], onFailure: 'fail', forEach: false, maxParallel: 1 } },
  progress: { plan: { status: 'completed', items: 1, launched: 1, running: [], failed: 0, degraded: 0 } },
} as unknown as RunContext;

const child = (output: unknown) =>
  ({ id: 'run.plan', parentId: 'run', step: 'plan', status: 'completed', output }) as unknown as TaskRecord;

/** The store's step tasks of the run, as another worker leaves them. */
class FakeStore {
  children: TaskRecord[] = [];
  reads = 0;
  async listTasks(): Promise<TaskRecord[]> {
    this.reads++;
    return this.children;
  }
}

describe('RunData', () => {
  it('reads the ended children once, then answers from memory', async () => {
    const store = new FakeStore();
    const data = new RunData(store);
    store.children = [child({ files: 1 })];
    expect((await data.stepViews('run', ctx)).plan!.output).toEqual({ files: 1 });
    store.children = [child({ files: 2 })];
    expect((await data.stepViews('run', ctx)).plan!.output).toEqual({ files: 1 });
    expect(store.reads).toBe(1);
  });

  it('reads the children again when the run counts one ended whose result it does not know (another worker ended it)', async () => {
    const store = new FakeStore();
    const data = new RunData(store);
    const running = {
      ...ctx,
      progress: { plan: { ...ctx.progress.plan!, status: 'running', running: [0] } },
    } as unknown as RunContext;
    store.children = [];
    expect((await data.stepViews('run', running)).plan!.output).toBeUndefined();
    // The step's end was taken on another worker; this one sees the run count it ended.
    store.children = [child({ files: 2 })];
    expect((await data.stepViews('run', ctx)).plan!.output).toEqual({ files: 2 });
    expect(store.reads).toBe(2);
  });
});

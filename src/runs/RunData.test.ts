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

/** The store's step tasks of the run, as another worker leaves them; `gate` holds a read on its way. */
class FakeStore {
  children: TaskRecord[] = [];
  reads = 0;
  gate: Promise<void> | undefined;
  async listTasks(): Promise<TaskRecord[]> {
    this.reads++;
    const rows = this.children;
    if (this.gate) await this.gate;
    return rows;
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

  it('reads the ended children again after a refresh, and keeps the inputs', async () => {
    const store = new FakeStore();
    const data = new RunData(store);
    data.setInputs('run', 'build', [{ file: 'a' }]);
    store.children = [];
    expect((await data.stepViews('run', ctx)).plan!.output).toBeUndefined();
    // Another worker took the step's end meanwhile; this copy of the run is revived from its row.
    store.children = [child({ files: 2 })];
    data.refresh('run');
    expect((await data.stepViews('run', ctx)).plan!.output).toEqual({ files: 2 });
    expect(data.inputs('run', 'build')).toEqual([{ file: 'a' }]);
  });

  it('does not let a read begun before a refresh fill the refreshed entry', async () => {
    const store = new FakeStore();
    const data = new RunData(store);
    data.setInputs('run', 'build', []);
    let open!: () => void;
    store.gate = new Promise<void>((r) => {
      open = r;
    });
    const stale = data.stepViews('run', ctx);
    await new Promise((r) => setImmediate(r));
    store.gate = undefined;
    data.refresh('run');
    store.children = [child({ files: 3 })];
    open();
    expect((await stale).plan!.output).toBeUndefined();
    expect((await data.stepViews('run', ctx)).plan!.output).toEqual({ files: 3 });
  });
});

import { describe, expect, it } from 'vitest';
import type { TaskRecord } from '../store/Store.js';
import { RunData } from './RunData.js';
import type { RunContext, StepProgress } from './runMachine.js';

const RUN = 'r1';

function context(progress: Record<string, Partial<StepProgress>>, forEach = false): RunContext {
  const full = (p: Partial<StepProgress>): StepProgress => ({
    status: 'pending',
    items: 0,
    launched: 0,
    running: [],
    failed: 0,
    degraded: 0,
    ...p,
  });
  return {
    runId: RUN,
    workflow: 'ship',
    steps: Object.fromEntries(Object.keys(progress).map((id) => [id, { needs: [], onFailure: 'fail', forEach, maxParallel: 10 }])),
    deadlineAt: 0,
    hasDegraded: false,
    progress: Object.fromEntries(Object.entries(progress).map(([id, p]) => [id, full(p)])),
    launch: [],
    abort: [],
  };
}

/** A store whose listTasks answers `children` and counts the calls. */
function storeWith(children: Partial<TaskRecord>[]) {
  const store = {
    reads: 0,
    async listTasks() {
      store.reads += 1;
      return children as TaskRecord[];
    },
  };
  return store;
}

/** A run with one plain step `plan`, launched and ended. */
const planCtx = {
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
  it('reads no child rows while the run counts no child ended: a new run, or one whose children all still run', async () => {
    const store = storeWith([{ id: `${RUN}.build.0`, parentId: RUN, status: 'completed', output: { built: 'f0.ts' } }]);
    const data = new RunData(store);
    expect(await data.stepViews(RUN, context({ plan: { status: 'ready' } }))).toEqual({ plan: { status: 'ready' } });
    const building = context({ build: { status: 'running', items: 2, launched: 2, running: [0, 1] } }, true);
    expect(await data.stepViews(RUN, building)).toEqual({ build: { status: 'running', output: [undefined, undefined] } });
    expect(store.reads).toBe(0);
    const oneEnded = context({ build: { status: 'running', items: 2, launched: 2, running: [1] } }, true);
    expect((await data.stepViews(RUN, oneEnded)).build!.output).toEqual([{ built: 'f0.ts' }, undefined]);
    expect(store.reads).toBe(1);
  });

  it('reads the ended children of a run that launched some before it was held here, once', async () => {
    const store = storeWith([
      { id: `${RUN}.plan`, parentId: RUN, status: 'completed', output: { files: 2 } },
      { id: `${RUN}.docs`, parentId: RUN, status: 'running' },
    ]);
    const data = new RunData(store);
    const ctx = context({
      plan: { status: 'completed', items: 1, launched: 1 },
      docs: { status: 'running', items: 1, launched: 1, running: [0] },
    });
    expect(await data.stepViews(RUN, ctx)).toEqual({ plan: { status: 'completed', output: { files: 2 } }, docs: { status: 'running' } });
    await data.stepViews(RUN, ctx);
    expect(store.reads).toBe(1);
  });

  it('reads the ended children once, then answers from memory', async () => {
    const store = new FakeStore();
    const data = new RunData(store);
    store.children = [child({ files: 1 })];
    expect((await data.stepViews('run', planCtx)).plan!.output).toEqual({ files: 1 });
    store.children = [child({ files: 2 })];
    expect((await data.stepViews('run', planCtx)).plan!.output).toEqual({ files: 1 });
    expect(store.reads).toBe(1);
  });

  it('reads the children again when the run counts one ended whose result it does not know (another worker ended it)', async () => {
    const store = new FakeStore();
    const data = new RunData(store);
    // This worker reads the run's children before the row of the step's end is visible to it.
    store.children = [];
    expect((await data.stepViews('run', planCtx)).plan!.output).toBeUndefined();
    // The step's end was taken on another worker; this one sees the run count it ended.
    store.children = [child({ files: 2 })];
    expect((await data.stepViews('run', planCtx)).plan!.output).toEqual({ files: 2 });
    expect(store.reads).toBe(2);
  });
});

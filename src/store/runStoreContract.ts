import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from './Store.js';
import { makeTaskRecord, makeTransition, submitted } from './storeFixtures.js';

// What every store does for runs (multi-step workflows): step tasks created in the step that
// starts them, and listing a run's step tasks. Test code only.

/** Registers the run suite for one store. */
export function describeRunStoreContract(name: string, make: () => Promise<Store> | Store): void {
  describe(`${name} (run store contract)`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await make();
      await store.init();
    });
    afterEach(async () => {
      await store.close();
    });

    it("creates a run's step tasks in the same commit as the run's step, with their transitions and timers", async () => {
      await store.createTask(makeTaskRecord({ id: 'r1', kind: 'run', seq: 1 }), submitted());
      const child = (id: string, step: string) =>
        makeTaskRecord({ id, parentId: 'r1', step, workflow: 'review', seq: 1, createdAt: makeTransition(2).at });
      await store.commit({
        task: makeTaskRecord({ id: 'r1', kind: 'run', status: 'running', state: 'running', seq: 2 }),
        transitions: [makeTransition(2)],
        create: [
          { task: child('r1.plan', 'plan'), first: submitted(), timers: [{ kind: 'deadline', wakeAt: 5_000 }] },
          { task: child('r1.build', 'build'), first: submitted() },
        ],
      });
      expect((await store.getTask('r1.plan'))?.parentId).toBe('r1');
      expect((await store.transitions('r1.build')).map((t) => t.event)).toEqual(['SUBMIT']);
      expect(await store.dueTimers(5_000, 10)).toEqual([{ taskId: 'r1.plan', kind: 'deadline', wakeAt: 5_000 }]);
    });

    it('keeps a step task that exists already when a commit creates it again', async () => {
      await store.createTask(makeTaskRecord({ id: 'r1', kind: 'run', seq: 1 }), submitted());
      const first = makeTaskRecord({ id: 'r1.plan', parentId: 'r1', step: 'plan', status: 'completed', state: 'completed' });
      await store.createTask(first, submitted());
      await store.commit({
        task: makeTaskRecord({ id: 'r1', kind: 'run', seq: 2 }),
        transitions: [makeTransition(2)],
        create: [{ task: makeTaskRecord({ id: 'r1.plan', parentId: 'r1', step: 'plan' }), first: submitted() }],
      });
      expect((await store.getTask('r1.plan'))?.status).toBe('completed');
      expect(await store.transitions('r1.plan')).toHaveLength(1);
    });

    it("lists a run's own step tasks, not its steps' steps nor other tasks, and hides step tasks on request", async () => {
      await store.createTask(makeTaskRecord({ id: 'r1', kind: 'run' }), submitted());
      await store.createTask(makeTaskRecord({ id: 'r10', kind: 'run' }), submitted());
      await store.createTask(makeTaskRecord({ id: 'r1.a', parentId: 'r1', step: 'a' }), submitted());
      await store.createTask(makeTaskRecord({ id: 'r1.b', parentId: 'r1', step: 'b', kind: 'run' }), submitted());
      await store.createTask(makeTaskRecord({ id: 'r1.b.x', parentId: 'r1.b', step: 'x' }), submitted());
      await store.createTask(makeTaskRecord({ id: 'r10.a', parentId: 'r10', step: 'a' }), submitted());
      const ids = async (f: Parameters<Store['listTasks']>[0]) => (await store.listTasks(f)).map((t) => t.id).sort();
      expect(await ids({ parent: 'r1' })).toEqual(['r1.a', 'r1.b']);
      expect(await ids({ parent: 'r1.b' })).toEqual(['r1.b.x']);
      expect(await ids({ topLevel: true })).toEqual(['r1', 'r10']);
      expect(await ids({ parent: 'r1', limit: 1 })).toHaveLength(1);
    });
  });
}

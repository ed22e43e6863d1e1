import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../clock/index.js';
import { retentionSchema } from '../config/index.js';
import { silentLogger } from '../lifecycle/logger.js';
import type { TaskStatus } from '../lifecycle/types.js';
import { MemoryStore } from '../store/MemoryStore.js';
import type { PruneBatch, PruneCounts } from '../store/Prune.js';
import type { Store } from '../store/Store.js';
import { makeTaskRecord, submitted } from '../store/storeFixtures.js';
import { describePrune, Pruner, type PrunerOptions } from './Pruner.js';

const DAY = 86_400_000;
const T0 = Date.parse('2026-03-01T00:00:00Z');

/** A store holding tasks that ended `daysAgo` days before T0, by id. */
async function storeWith(tasks: Record<string, [TaskStatus, number]>): Promise<MemoryStore> {
  const store = new MemoryStore();
  for (const [id, [status, daysAgo]] of Object.entries(tasks)) {
    const at = new Date(T0 - daysAgo * DAY).toISOString();
    await store.createTask(makeTaskRecord({ id, status, state: status, createdAt: at, updatedAt: at }), submitted());
  }
  return store;
}

const ids = async (store: Store) => (await store.listTasks({ limit: 1000 })).map((t) => t.id).sort();

function pruner(store: Store, clock: SimulatedClock, over: Partial<PrunerOptions> = {}, retention = {}) {
  return new Pruner({ store, clock, retention: retentionSchema.parse(retention), logger: silentLogger, ...over });
}

describe('Pruner', () => {
  it('deletes what the configured retention lets go, and keeps the rest', async () => {
    const store = await storeWith({
      c8: ['completed', 8],
      c6: ['completed', 6],
      f8: ['failed', 8],
      f31: ['failed', 31],
      r40: ['running', 40],
    });
    const report = await pruner(store, new SimulatedClock(T0)).run();
    expect(report).toMatchObject({ tasks: 2, transitions: 2, dryRun: false, interrupted: false });
    expect(report.before).toMatchObject({ completed: new Date(T0 - 7 * DAY).toISOString(), failed: new Date(T0 - 30 * DAY).toISOString() });
    expect(await ids(store)).toEqual(['c6', 'f8', 'r40']);
  });

  it('keeps a status whose retention is "forever", and lets --older-than stand for every period', async () => {
    const store = await storeWith({ c8: ['completed', 8], d40: ['degraded', 40], x2: ['cancelled', 2] });
    const keep = pruner(store, new SimulatedClock(T0), {}, { completed: 'forever', degraded: 'forever' });
    expect((await keep.run()).tasks).toBe(0);
    expect((await keep.run()).before).not.toHaveProperty('completed');
    expect((await keep.run({ olderThanMs: DAY })).tasks).toBe(3);
    expect(await ids(store)).toEqual([]);
  });

  it('counts in a dry run and deletes nothing', async () => {
    const store = await storeWith({ c8: ['completed', 8], c9: ['completed', 9] });
    const report = await pruner(store, new SimulatedClock(T0)).run({ dryRun: true });
    expect(report).toMatchObject({ tasks: 2, dryRun: true });
    expect(await ids(store)).toEqual(['c8', 'c9']);
    expect(describePrune(report)).toBe(
      'would delete 2 task(s) with 2 transition(s) and 0 attempt(s), and 0 escalation(s) with 0 outbox row(s)',
    );
  });

  it('purges in the background at start and then every intervalMs of the engine clock', async () => {
    const clock = new SimulatedClock(T0);
    const store = await storeWith({ c8: ['completed', 8], c6: ['completed', 6] });
    const batches: PruneCounts[] = [];
    const p = pruner(store, clock, { onBatch: (c) => batches.push(c) }, { intervalMs: '1h' });
    p.start();
    clock.advance(0);
    await p.run({ dryRun: true }); // queued behind the background pass
    expect(await ids(store)).toEqual(['c6']);
    clock.advance(DAY - 1); // c6 is now 7 days old minus 1 ms: not yet
    await p.run({ dryRun: true });
    expect(await ids(store)).toEqual(['c6']);
    clock.advance(3_600_000);
    await p.run({ dryRun: true });
    expect(await ids(store)).toEqual([]);
    expect(batches.map((b) => b.tasks)).toEqual([1, 1]);
    await p.stop();
  });

  it('runs no background pass once stopped, and stops a pass in flight after its batch', async () => {
    const clock = new SimulatedClock(T0);
    const store = await storeWith(Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`c${i}`, ['completed', 8]])));
    const p = pruner(store, clock, { sliceMs: 1e9 });
    let stopping: Promise<void> | undefined;
    const gate = store.prune.bind(store);
    store.prune = async (before, limits) => {
      const out = await gate(before, { ...limits, batch: 5 });
      stopping ??= p.stop();
      return out;
    };
    const report = await p.run();
    await stopping;
    expect(report).toMatchObject({ tasks: 5, interrupted: true });
    p.start();
    await p.stop();
    clock.advance(10 * DAY);
    expect((await ids(store)).length).toBe(35);
  });

  it('fits the next batch to the slice: smaller after a slow call, larger after a quick one', async () => {
    let now = 0;
    let costPerTask = 1;
    const sizes: number[] = [];
    const store: Pick<Store, 'prune'> = {
      async prune(_before, limits): Promise<PruneBatch> {
        sizes.push(limits.batch);
        now += limits.batch * costPerTask;
        return {
          tasks: limits.batch,
          transitions: 0,
          attempts: 0,
          escalations: 0,
          outbox: 0,
          ...(sizes.length < 12 ? { next: 'more' } : {}),
        };
      },
    };
    const p = pruner(store as Store, new SimulatedClock(T0), { realNow: () => now, sliceMs: 5 });
    await p.run();
    // 1 ms a task: down to the 5 that fit in 5 ms, and it stays there.
    expect(sizes[0]).toBe(16);
    expect(sizes.slice(-3)).toEqual([5, 5, 5]);
    costPerTask = 0.01;
    sizes.length = 0;
    await p.run();
    expect(sizes.at(-1)).toBeGreaterThan(100);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(500);
  });

  it('reports a failed background pass and runs the next one on schedule', async () => {
    const clock = new SimulatedClock(T0);
    const store = await storeWith({ c8: ['completed', 8] });
    const errors: unknown[] = [];
    const real = store.prune.bind(store);
    let fail = true;
    store.prune = (before, limits) => (fail ? Promise.reject(new Error('disk full')) : real(before, limits));
    const p = pruner(store, clock, { onError: (e) => errors.push(e) }, { intervalMs: '1h' });
    p.start();
    clock.advance(0);
    await p.run({ dryRun: true }).catch(() => {});
    expect(errors).toEqual([expect.objectContaining({ message: 'disk full' })]);
    fail = false;
    clock.advance(3_600_000);
    await p.run({ dryRun: true });
    expect(await ids(store)).toEqual([]);
    await p.stop();
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TaskStatus } from '../lifecycle/types.js';
import { addCounts, noCounts, type PruneBefore, type PruneCounts, type PruneLimits } from './Prune.js';
import type { Store, TaskRecord } from './Store.js';
import { isoAt, makeEscalation, makeOutboxRow, makeTaskRecord, makeTransition, submitted } from './storeFixtures.js';

// What every store does for retention (Store.prune). Test code only.

const at = (s: number) => Date.parse(isoAt(s));

/** Runs prune calls until the store says there is nothing more, summing what they did. */
export async function pruneAll(store: Store, before: PruneBefore, limits: Omit<PruneLimits, 'after'>) {
  const total = noCounts();
  const batches: PruneCounts[] = [];
  let after: string | undefined;
  do {
    const batch = await store.prune(before, { ...limits, ...(after !== undefined ? { after } : {}) });
    batches.push(batch);
    addCounts(total, batch);
    after = batch.next;
    if (batches.length > 10_000) throw new Error('prune never finished');
  } while (after !== undefined);
  return { total, batches };
}

/** Registers the retention suite for one store. */
export function describePruneStoreContract(name: string, make: () => Promise<Store> | Store): void {
  describe(`${name} (retention store contract)`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await make();
      await store.init();
    });
    afterEach(async () => {
      await store.close();
    });

    /**
     * A task that ended (or not) at second `endedAt`: two transitions and one attempt, which the
     * record lists too (the memory store counts attempts from the record, the others by row).
     */
    const task = async (id: string, status: TaskStatus, endedAt: number, overrides: Partial<TaskRecord> = {}) => {
      const attempt = { agent: 'a', attempt: 1, startedAt: isoAt(endedAt), endedAt: isoAt(endedAt), outcome: 'ok' as const };
      const base = makeTaskRecord({ id, createdAt: isoAt(endedAt - 1), updatedAt: isoAt(endedAt - 1), ...overrides });
      await store.createTask(base, submitted());
      await store.commit({
        task: { ...base, status, state: status, updatedAt: isoAt(endedAt), attempts: [attempt] },
        transitions: [makeTransition(2, status)],
        attempt,
      });
    };
    const exists = async (id: string) => (await store.getTask(id)) !== undefined;
    const counts = (c: Partial<PruneCounts>): PruneCounts => ({ ...noCounts(), ...c });

    it("deletes ended tasks that ended before their status's cut-off, with their transitions and attempts", async () => {
      await task('old-done', 'completed', 10);
      await task('old-failed', 'failed', 10);
      await task('new-done', 'completed', 100);
      const { total } = await pruneAll(store, { tasks: { completed: at(50), failed: at(50) } }, { batch: 10 });
      expect(total).toEqual(counts({ tasks: 2, transitions: 4, attempts: 2 }));
      expect(await exists('old-done')).toBe(false);
      expect(await exists('old-failed')).toBe(false);
      expect(await store.transitions('old-done')).toEqual([]);
      expect(await exists('new-done')).toBe(true);
      expect(await store.transitions('new-done')).toHaveLength(2);
    });

    it('never deletes a task that has not ended, however old', async () => {
      for (const status of ['queued', 'running', 'waiting'] as const) await task(`old-${status}`, status, 10);
      const all = { completed: at(50), degraded: at(50), failed: at(50), cancelled: at(50) };
      const { total } = await pruneAll(store, { tasks: all }, { batch: 10 });
      expect(total.tasks).toBe(0);
      for (const status of ['queued', 'running', 'waiting']) expect(await exists(`old-${status}`)).toBe(true);
    });

    it('keeps every task of a status without a cut-off (kept for ever)', async () => {
      await task('old-degraded', 'degraded', 10);
      await task('old-cancelled', 'cancelled', 10);
      const { total } = await pruneAll(store, { tasks: { cancelled: at(50) } }, { batch: 10 });
      expect(total.tasks).toBe(1);
      expect(await exists('old-degraded')).toBe(true);
      expect(await exists('old-cancelled')).toBe(false);
    });

    it('counts what would go in a dry run, and deletes nothing', async () => {
      await task('old-done', 'completed', 10);
      await task('run', 'completed', 10, { kind: 'run' });
      await task('run.step', 'completed', 10, { parentId: 'run', step: 'step' });
      await store.writeEscalations({
        records: [makeEscalation({ id: 'e1', status: 'resolved', updatedAt: isoAt(10) })],
        outbox: [makeOutboxRow({ id: 'o1', escalationId: 'e1' })],
      });
      const before = { tasks: { completed: at(50) }, escalations: at(50) };
      const { total } = await pruneAll(store, before, { batch: 10, dryRun: true });
      expect(total).toEqual(counts({ tasks: 3, transitions: 6, attempts: 3, escalations: 1, outbox: 1 }));
      for (const id of ['old-done', 'run', 'run.step']) expect(await exists(id)).toBe(true);
      expect(await store.getEscalation('e1')).toBeDefined();
      expect(await pruneAll(store, before, { batch: 1, dryRun: true })).toMatchObject({ total });
    });

    it('deletes in batches of at most the batch size, and everything by following next', async () => {
      for (let i = 0; i < 25; i++) await task(`t${i}`, 'completed', 10 + i);
      const { total, batches } = await pruneAll(store, { tasks: { completed: at(100) } }, { batch: 10 });
      expect(total.tasks).toBe(25);
      expect(batches.length).toBeGreaterThanOrEqual(3);
      for (const b of batches) expect(b.tasks).toBeLessThanOrEqual(10);
      expect(await store.listTasks()).toEqual([]);
    });

    it("deletes a run's step tasks with their run, and never a step task on its own", async () => {
      await task('r1', 'completed', 10, { kind: 'run' });
      await task('r1.a', 'completed', 10, { parentId: 'r1', step: 'a' });
      await task('r1.b', 'degraded', 10, { parentId: 'r1', step: 'b', kind: 'run' });
      await task('r1.b.x', 'failed', 10, { parentId: 'r1.b', step: 'x' });
      await task('r2', 'running', 10, { kind: 'run' });
      await task('r2.a', 'completed', 10, { parentId: 'r2', step: 'a' });
      const all = { completed: at(50), degraded: at(50), failed: at(50), cancelled: at(50) };
      const { total } = await pruneAll(store, { tasks: all }, { batch: 10 });
      expect(total.tasks).toBe(4);
      for (const id of ['r1', 'r1.a', 'r1.b', 'r1.b.x']) expect(await exists(id), id).toBe(false);
      expect(await exists('r2')).toBe(true);
      expect(await exists('r2.a')).toBe(true);
    });

    it('keeps an ended run while one of its step tasks has not ended', async () => {
      await task('r1', 'cancelled', 10, { kind: 'run' });
      await task('r1.a', 'running', 10, { parentId: 'r1', step: 'a' });
      const { total } = await pruneAll(store, { tasks: { cancelled: at(50), completed: at(50) } }, { batch: 10 });
      expect(total.tasks).toBe(0);
      expect(await exists('r1')).toBe(true);
      expect(await exists('r1.a')).toBe(true);
    });

    it('deletes a run bigger than a batch, step tasks and all', async () => {
      await task('big', 'completed', 10, { kind: 'run' });
      for (let i = 0; i < 12; i++) await task(`big.s.${i}`, 'completed', 10, { parentId: 'big', step: 's', index: i });
      const { total } = await pruneAll(store, { tasks: { completed: at(50) } }, { batch: 5 });
      expect(total.tasks).toBe(13);
      expect(await store.listTasks()).toEqual([]);
    });

    it('keeps a task whose escalation is not resolved, and lets it go once it is', async () => {
      await task('f1', 'failed', 10, { escalationIds: ['e1'] });
      await store.writeEscalations({ records: [makeEscalation({ id: 'e1', status: 'acknowledged', taskId: 'f1' })], outbox: [] });
      const before = { tasks: { failed: at(50) } };
      expect((await pruneAll(store, before, { batch: 10 })).total.tasks).toBe(0);
      expect(await exists('f1')).toBe(true);
      await store.writeEscalations({ records: [makeEscalation({ id: 'e1', status: 'resolved', taskId: 'f1' })], outbox: [] });
      expect((await pruneAll(store, before, { batch: 10 })).total.tasks).toBe(1);
      expect(await exists('f1')).toBe(false);
    });

    it('deletes resolved escalations changed before the cut-off with their outbox rows and timers, never unresolved ones', async () => {
      await store.writeEscalations({
        records: [
          makeEscalation({ id: 'old-resolved', status: 'resolved', updatedAt: isoAt(10) }),
          makeEscalation({ id: 'old-open', status: 'open', updatedAt: isoAt(10) }),
          makeEscalation({ id: 'old-acked', status: 'acknowledged', updatedAt: isoAt(10) }),
          makeEscalation({ id: 'new-resolved', status: 'resolved', updatedAt: isoAt(100) }),
        ],
        outbox: [
          makeOutboxRow({ id: 'o1', escalationId: 'old-resolved', status: 'sent' }),
          makeOutboxRow({ id: 'o2', escalationId: 'old-resolved', kind: 'resolved', status: 'sent' }),
          makeOutboxRow({ id: 'o3', escalationId: 'old-open' }),
        ],
        timers: [{ ownerId: 'old-resolved', kind: 'esc-repeat', wakeAt: 5 }],
      });
      const { total } = await pruneAll(store, { tasks: {}, escalations: at(50) }, { batch: 10 });
      expect(total).toEqual(counts({ escalations: 1, outbox: 2 }));
      expect(await store.getEscalation('old-resolved')).toBeUndefined();
      expect(await store.outboxOf('old-resolved')).toEqual([]);
      expect(await store.dueTimers(10, 10)).toEqual([]);
      for (const id of ['old-open', 'old-acked', 'new-resolved']) expect(await store.getEscalation(id), id).toBeDefined();
      expect(await store.outboxOf('old-open')).toHaveLength(1);
    });

    it("deletes a pruned task's timers and frees its idempotency key", async () => {
      await task('t1', 'completed', 10, { idempotencyKey: 'k' });
      const ended = makeTaskRecord({ id: 't1', idempotencyKey: 'k', status: 'completed', updatedAt: isoAt(10) });
      await store.commit({ task: ended, transitions: [], timers: [{ kind: 'wake', wakeAt: 7 }] });
      await pruneAll(store, { tasks: { completed: at(50) } }, { batch: 10 });
      expect(await store.dueTimers(100, 10)).toEqual([]);
      const again = await store.createTask(makeTaskRecord({ id: 't2', idempotencyKey: 'k' }), submitted());
      expect(again.created).toBe(true);
    });

    it('keeps the transition stream of the remaining tasks in order, resumable from any id', async () => {
      await task('a', 'completed', 10);
      await task('b', 'completed', 100);
      await task('c', 'completed', 10);
      await pruneAll(store, { tasks: { completed: at(50) } }, { batch: 10 });
      const stream = await store.transitionsSince(0);
      expect(stream.map((e) => e.taskId)).toEqual(['b', 'b']);
      expect(await store.transitionsSince(stream[0]!.eventId!)).toEqual([stream[1]]);
      expect(await store.transitionsSince(stream[1]!.eventId!)).toEqual([]);
    });

    it('does nothing when nothing is old enough or every cut-off is absent', async () => {
      await task('t1', 'completed', 100);
      expect((await pruneAll(store, { tasks: { completed: at(50) }, escalations: at(50) }, { batch: 10 })).total).toEqual(noCounts());
      expect((await pruneAll(store, { tasks: {} }, { batch: 10 })).total).toEqual(noCounts());
      expect(await exists('t1')).toBe(true);
    });
  });
}

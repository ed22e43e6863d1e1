import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TERMINAL_STATUSES, type TaskStatus, type Transition } from '../lifecycle/types.js';
import type { Store, TaskRecord } from './Store.js';
import { isoAt, makeEscalation, makeOutboxRow, makeTaskRecord, makeTransition, submitted } from './storeFixtures.js';

export { isoAt, makeEscalation, makeOutboxRow, makeTaskRecord, makeTransition } from './storeFixtures.js';

// The behaviour suite every store runs. Test code only.

const ALL_STATUSES: readonly TaskStatus[] = ['queued', 'running', 'waiting', 'completed', 'degraded', 'failed', 'cancelled'];

/** Options for {@link describeStoreContract}. */
export interface StoreContractOptions {
  /**
   * Titles of tests this store is known to fail. They run as `it.fails`, so they stay visible and
   * start failing once the store is fixed, which is the cue to drop them from the list.
   */
  knownFailures?: readonly string[];
}

/**
 * The behaviour every {@link Store} must show, as a vitest suite. Each backend's test file runs it:
 *
 * @example
 * describeStoreContract('MemoryStore', () => new MemoryStore());
 * @internal
 */
export function describeStoreContract(name: string, make: () => Promise<Store> | Store, opts: StoreContractOptions = {}): void {
  const known = new Set(opts.knownFailures);
  const test = (title: string, fn: () => Promise<void>) => (known.has(title) ? it.fails : it)(title, fn);
  describe(`${name} (store contract)`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await make();
      await store.init();
    });
    afterEach(async () => {
      await store.close();
    });

    const create = (id: string, overrides: Partial<TaskRecord> = {}, timers?: Parameters<Store['createTask']>[2]) =>
      store.createTask(makeTaskRecord({ id, ...overrides }), submitted(), timers);

    describe('tasks', () => {
      test('returns a created task as it was written, and undefined for an unknown id', async () => {
        const task = makeTaskRecord({ id: 't1', idempotencyKey: 'k1', output: { n: 1 } });
        const res = await store.createTask(task, submitted());
        expect(res).toEqual({ task, created: true });
        expect(await store.getTask('t1')).toEqual(task);
        expect(await store.getTask('nope')).toBeUndefined();
      });

      // Tasks are created in createdAt order here: the memory store orders by insertion alone.
      test('lists tasks newest first, breaking createdAt ties by insertion order', async () => {
        await create('old', { createdAt: isoAt(1) });
        await create('mid', { createdAt: isoAt(3) });
        await create('tie-a', { createdAt: isoAt(5) });
        await create('tie-b', { createdAt: isoAt(5) });
        expect((await store.listTasks()).map((t) => t.id)).toEqual(['tie-b', 'tie-a', 'mid', 'old']);
      });

      test('filters the list by one status, several statuses and workflow', async () => {
        await create('q', { createdAt: isoAt(1) });
        await create('r', { status: 'running', createdAt: isoAt(2) });
        await create('c', { status: 'completed', workflow: 'other', createdAt: isoAt(3) });
        await create('r2', { status: 'running', workflow: 'other', createdAt: isoAt(4) });
        const ids = async (f: Parameters<Store['listTasks']>[0]) => (await store.listTasks(f)).map((t) => t.id);
        expect(await ids({ status: 'running' })).toEqual(['r2', 'r']);
        expect(await ids({ status: ['queued', 'completed'] })).toEqual(['c', 'q']);
        expect(await ids({ workflow: 'other' })).toEqual(['r2', 'c']);
        expect(await ids({ workflow: 'other', status: 'running' })).toEqual(['r2']);
        expect(await ids({ status: [] })).toEqual([]);
        expect(await ids({ workflow: 'missing' })).toEqual([]);
      });

      test('lists the tasks whose id starts with a prefix, newest first, with the other filters', async () => {
        await create('3f2a1b4c-0001', { createdAt: isoAt(1) });
        await create('3f2a1b4c-0002', { createdAt: isoAt(2) });
        await create('3f2a1b4c-0002.plan', { createdAt: isoAt(3) });
        await create('3f2a1b4d-0003', { createdAt: isoAt(4) });
        await create('3f2a1b4', { createdAt: isoAt(5) });
        const ids = async (f: Parameters<Store['listTasks']>[0]) => (await store.listTasks(f)).map((t) => t.id);
        expect(await ids({ idPrefix: '3f2a1b4c' })).toEqual(['3f2a1b4c-0002.plan', '3f2a1b4c-0002', '3f2a1b4c-0001']);
        expect(await ids({ idPrefix: '3f2a1b4c', topLevel: true, limit: 1 })).toEqual(['3f2a1b4c-0002']);
        expect(await ids({ idPrefix: '3f2a1b4c-0002.' })).toEqual(['3f2a1b4c-0002.plan']);
        expect(await ids({ idPrefix: '3f2a1b4' })).toHaveLength(5);
        expect(await ids({ idPrefix: '3f2a1b4e' })).toEqual([]);
      });

      test('lists at most 100 tasks by default, and at most limit when given', async () => {
        for (let i = 0; i < 105; i++) await create(`t${i}`, { createdAt: isoAt(i) });
        const all = await store.listTasks();
        expect(all).toHaveLength(100);
        expect(all[0]!.id).toBe('t104');
        expect((await store.listTasks({ limit: 3 })).map((t) => t.id)).toEqual(['t104', 't103', 't102']);
        expect(await store.listTasks({ limit: 0 })).toEqual([]);
        expect(await store.listTasks({ limit: 500 })).toHaveLength(105);
      });

      test('returns the existing task with created false for a taken idempotency key, writing nothing', async () => {
        const first = await create('t1', { idempotencyKey: 'same', inputHash: 'h1' }, [{ kind: 'deadline', wakeAt: 50 }]);
        const again = await create('t2', { idempotencyKey: 'same', inputHash: 'h2' }, [{ kind: 'deadline', wakeAt: 10 }]);
        expect(again).toEqual({ task: first.task, created: false });
        expect(await store.getTask('t2')).toBeUndefined();
        expect(await store.transitions('t2')).toEqual([]);
        expect((await store.listTasks()).map((t) => t.id)).toEqual(['t1']);
        expect(await store.transitionsSince(0)).toHaveLength(1);
        expect(await store.nextTimerAt()).toBe(50);
      });

      test('refuses a second task with a taken id, keeping the first', async () => {
        await create('t1', { state: 'first' });
        await expect(create('t1', { state: 'second' })).rejects.toThrow();
        expect((await store.getTask('t1'))?.state).toBe('first');
        expect(await store.transitions('t1')).toHaveLength(1);
        expect(await store.listTasks()).toHaveLength(1);
      });

      test('keeps tasks without an idempotency key apart', async () => {
        expect((await create('t1')).created).toBe(true);
        expect((await create('t2')).created).toBe(true);
        expect(await store.listTasks()).toHaveLength(2);
      });

      test('lists every task not in a terminal status as non-terminal', async () => {
        for (const status of ALL_STATUSES) await create(`t-${status}`, { status });
        const live = (await store.nonTerminalTasks()).map((t) => t.id).sort();
        expect(live).toEqual(
          ALL_STATUSES.filter((s) => !TERMINAL_STATUSES.has(s))
            .map((s) => `t-${s}`)
            .sort(),
        );
      });
    });

    describe('steps', () => {
      test('replaces the task and appends transitions with increasing stream ids', async () => {
        await create('t1');
        const running = makeTaskRecord({ id: 't1', status: 'running', state: 'attempting', updatedAt: isoAt(2), snapshot: { v: 2 } });
        const ids = await store.commit({ task: running, transitions: [makeTransition(2), makeTransition(3, 'attempting', 'running')] });
        expect(ids).toHaveLength(2);
        expect(ids[1]!).toBeGreaterThan(ids[0]!);
        expect(await store.getTask('t1')).toEqual(running);
        const more = await store.commit({ task: running, transitions: [makeTransition(4, 'waiting', 'attempting')] });
        expect(more[0]!).toBeGreaterThan(ids[1]!);
        expect(await store.commit({ task: running, transitions: [] })).toEqual([]);
        expect((await store.transitions('t1')).map((t) => t.seq)).toEqual([1, 2, 3, 4]);
      });

      test('returns transitions ordered by seq, exactly as written', async () => {
        await create('t1');
        const t2: Transition = { ...makeTransition(2), agent: 'a', attempt: 1, detail: { delayMs: 5, reason: 'r' } };
        await store.commit({ task: makeTaskRecord({ id: 't1' }), transitions: [t2] });
        expect(await store.transitions('t1')).toEqual([submitted(), t2]);
        expect(await store.transitions('other')).toEqual([]);
      });

      test('rejects a step for a task that does not exist', async () => {
        await expect(store.commit({ task: makeTaskRecord({ id: 'ghost' }), transitions: [makeTransition(2)] })).rejects.toThrow();
        expect(await store.getTask('ghost')).toBeUndefined();
        expect(await store.transitionsSince(0)).toEqual([]);
      });

      test('applies steps for one task in the order they were committed, without awaiting each', async () => {
        await create('t1');
        const pending = [2, 3, 4, 5].map((seq) =>
          store.commit({ task: makeTaskRecord({ id: 't1', state: `s${seq}`, updatedAt: isoAt(seq) }), transitions: [makeTransition(seq)] }),
        );
        const ids = (await Promise.all(pending)).flat();
        expect(ids).toEqual([...ids].sort((a, b) => a - b));
        expect((await store.getTask('t1'))?.state).toBe('s5');
        expect((await store.transitions('t1')).map((t) => t.seq)).toEqual([1, 2, 3, 4, 5]);
      });

      test('keeps the attempt a step records in the committed task', async () => {
        await create('t1');
        const attempt = { agent: 'a', attempt: 1, startedAt: isoAt(2), outcome: 'running' as const };
        const started = makeTaskRecord({ id: 't1', status: 'running', attempts: [attempt] });
        await store.commit({ task: started, transitions: [makeTransition(2)], attempt });
        const ended = { ...attempt, endedAt: isoAt(3), outcome: 'ok' as const };
        const done = makeTaskRecord({ id: 't1', status: 'completed', attempts: [ended], output: 'out', answeredBy: 'a' });
        await store.commit({ task: done, transitions: [makeTransition(3, 'completed', 'running')], attempt: ended });
        expect(await store.getTask('t1')).toEqual(done);
      });
    });

    describe('the transition stream', () => {
      test('streams transitions of every task with their task, workflow and event id, oldest first', async () => {
        await create('a', { workflow: 'wa' });
        await create('b', { workflow: 'wb' });
        const [id2] = await store.commit({ task: makeTaskRecord({ id: 'a', workflow: 'wa' }), transitions: [makeTransition(2)] });
        const all = await store.transitionsSince(0);
        expect(all.map((e) => [e.taskId, e.workflow, e.seq])).toEqual([
          ['a', 'wa', 1],
          ['b', 'wb', 1],
          ['a', 'wa', 2],
        ]);
        expect(all[2]).toEqual({ ...makeTransition(2), taskId: 'a', workflow: 'wa', eventId: id2 });
        const ids = all.map((e) => e.eventId!);
        expect(ids).toEqual([...ids].sort((x, y) => x - y));
      });

      test('resumes after an event id and honours the limit', async () => {
        for (const id of ['a', 'b', 'c', 'd']) await create(id);
        const all = await store.transitionsSince(0);
        expect((await store.transitionsSince(all[1]!.eventId!)).map((e) => e.taskId)).toEqual(['c', 'd']);
        expect((await store.transitionsSince(all[0]!.eventId!, 2)).map((e) => e.taskId)).toEqual(['b', 'c']);
        expect(await store.transitionsSince(all[3]!.eventId!)).toEqual([]);
      });
    });

    describe('timers', () => {
      test('sets timers with the task, then replaces and clears them in steps', async () => {
        await create('t1', {}, [{ kind: 'deadline', wakeAt: 500 }]);
        expect(await store.nextTimerAt()).toBe(500);
        const task = makeTaskRecord({ id: 't1' });
        await store.commit({ task, transitions: [], timers: [{ kind: 'wake', wakeAt: 100 }] });
        expect(await store.nextTimerAt()).toBe(100);
        await store.commit({ task, transitions: [], timers: [{ kind: 'wake', wakeAt: 300 }] });
        expect(await store.dueTimers(1000, 10)).toEqual([
          { taskId: 't1', kind: 'wake', wakeAt: 300 },
          { taskId: 't1', kind: 'deadline', wakeAt: 500 },
        ]);
        await store.commit({
          task,
          transitions: [],
          timers: [
            { kind: 'wake', wakeAt: null },
            { kind: 'deadline', wakeAt: null },
          ],
        });
        expect(await store.nextTimerAt()).toBeUndefined();
        expect(await store.dueTimers(1000, 10)).toEqual([]);
      });

      test('returns due timers earliest first, up to the limit, and keeps them until cleared', async () => {
        await create('a', {}, [{ kind: 'deadline', wakeAt: 30 }]);
        await create('b', {}, [{ kind: 'deadline', wakeAt: 10 }]);
        await create('c', {}, [{ kind: 'deadline', wakeAt: 20 }]);
        await create('d', {}, [{ kind: 'deadline', wakeAt: 99 }]);
        expect((await store.dueTimers(50, 10)).map((t) => t.taskId)).toEqual(['b', 'c', 'a']);
        expect((await store.dueTimers(50, 2)).map((t) => t.taskId)).toEqual(['b', 'c']);
        expect((await store.dueTimers(20, 10)).map((t) => t.taskId)).toEqual(['b', 'c']);
        expect(await store.dueTimers(5, 10)).toEqual([]);
        expect((await store.dueTimers(50, 10)).map((t) => t.taskId)).toEqual(['b', 'c', 'a']);
        expect(await store.nextTimerAt()).toBe(10);
      });

      test('returns a timer once, however often it was set', async () => {
        await create('t1', {}, [{ kind: 'wake', wakeAt: 100 }]);
        const task = makeTaskRecord({ id: 't1' });
        await store.commit({ task, transitions: [], timers: [{ kind: 'wake', wakeAt: 100 }] });
        await store.commit({ task, transitions: [], timers: [{ kind: 'wake', wakeAt: 300 }] });
        await store.commit({ task, transitions: [], timers: [{ kind: 'wake', wakeAt: 100 }] });
        expect(await store.dueTimers(1000, 10)).toEqual([{ taskId: 't1', kind: 'wake', wakeAt: 100 }]);
      });

      test('reports no next timer when there are none', async () => {
        expect(await store.nextTimerAt()).toBeUndefined();
        await create('t1');
        expect(await store.nextTimerAt()).toBeUndefined();
      });
    });

    describe('breakers', () => {
      test('saves and loads breaker snapshots, the latest save winning', async () => {
        expect(await store.loadBreakers()).toEqual([]);
        await store.saveBreaker('a', { state: 'closed', failures: [1, 2] }, 10);
        await store.saveBreaker('b', { state: 'open', until: 99 }, 11);
        await store.saveBreaker('a', { state: 'halfOpen' }, 12);
        const byAgent = (await store.loadBreakers()).sort((x, y) => x.agent.localeCompare(y.agent));
        expect(byAgent).toEqual([
          { agent: 'a', snapshot: { state: 'halfOpen' }, updatedAt: 12 },
          { agent: 'b', snapshot: { state: 'open', until: 99 }, updatedAt: 11 },
        ]);
      });
    });

    describe('escalations and the outbox', () => {
      test('writes escalations and lists them newest first, an update keeping its place', async () => {
        await store.writeEscalations({
          records: [makeEscalation({ id: 'e1' }), makeEscalation({ id: 'e2', status: 'acknowledged' })],
          outbox: [],
        });
        await store.writeEscalations({ records: [makeEscalation({ id: 'e3', status: 'resolved' })], outbox: [] });
        const updated = makeEscalation({ id: 'e1', count: 2, taskIds: ['t1', 't2'], severity: 'critical' });
        await store.writeEscalations({ records: [updated], outbox: [] });
        expect(await store.getEscalation('e1')).toEqual(updated);
        expect(await store.getEscalation('nope')).toBeUndefined();
        const ids = async (f?: Parameters<Store['listEscalations']>[0]) => (await store.listEscalations(f)).map((e) => e.id);
        expect(await ids()).toEqual(['e3', 'e2', 'e1']);
        expect(await ids({ status: 'open' })).toEqual(['e1']);
        expect(await ids({ status: ['open', 'acknowledged'] })).toEqual(['e2', 'e1']);
        expect(await ids({ status: [] })).toEqual([]);
        expect(await ids({ limit: 2 })).toEqual(['e3', 'e2']);
      });

      test('finds the newest unresolved escalation of a fingerprint created since a time', async () => {
        await store.writeEscalations({
          records: [
            makeEscalation({ id: 'old', createdAt: isoAt(10) }),
            makeEscalation({ id: 'new', createdAt: isoAt(20), status: 'acknowledged' }),
            makeEscalation({ id: 'done', createdAt: isoAt(30), status: 'resolved' }),
            makeEscalation({ id: 'other', fingerprint: 'fp2', createdAt: isoAt(40) }),
          ],
          outbox: [],
        });
        const since = (s: number) => Date.parse(isoAt(s));
        expect((await store.findOpenEscalation('fp', since(0)))?.id).toBe('new');
        expect((await store.findOpenEscalation('fp', since(20)))?.id).toBe('new');
        expect(await store.findOpenEscalation('fp', since(21))).toBeUndefined();
        expect((await store.findOpenEscalation('fp2', since(0)))?.id).toBe('other');
        expect(await store.findOpenEscalation('missing', 0)).toBeUndefined();
      });

      test('finds the unresolved escalations of a workflow and plan, oldest first', async () => {
        await store.writeEscalations({
          records: [
            makeEscalation({ id: 'e1' }),
            makeEscalation({ id: 'e2', status: 'resolved' }),
            makeEscalation({ id: 'e3', status: 'acknowledged' }),
            makeEscalation({ id: 'e4', planKey: 'other' }),
            makeEscalation({ id: 'e5', workflow: 'other' }),
          ],
          outbox: [],
        });
        expect((await store.findUnresolved('review', 'a>b')).map((e) => e.id)).toEqual(['e1', 'e3']);
        expect(await store.findUnresolved('review', 'none')).toEqual([]);
      });

      test('returns pending outbox rows that are due, earliest first, until they are sent', async () => {
        const rows = [
          makeOutboxRow({ id: 'o1', nextAttemptAt: 30, createdAt: 1 }),
          makeOutboxRow({ id: 'o2', nextAttemptAt: 10, createdAt: 2 }),
          makeOutboxRow({ id: 'o3', nextAttemptAt: 10, createdAt: 1, channel: 'email' }),
          makeOutboxRow({ id: 'o4', nextAttemptAt: 5, status: 'dead', lastError: 'gone' }),
          makeOutboxRow({ id: 'o5', escalationId: 'e2', nextAttemptAt: 99 }),
        ];
        await store.writeEscalations({ records: [makeEscalation({ id: 'e1' }), makeEscalation({ id: 'e2' })], outbox: rows });
        expect((await store.dueOutbox(50, 10)).map((r) => r.id)).toEqual(['o3', 'o2', 'o1']);
        expect((await store.dueOutbox(50, 1)).map((r) => r.id)).toEqual(['o3']);
        expect(await store.dueOutbox(4, 10)).toEqual([]);
        expect(await store.nextOutboxAt()).toBe(10);
        const sent = { ...rows[2]!, status: 'sent' as const, attempts: 1, ref: 'C1:1.0' };
        await store.writeEscalations({ records: [], outbox: [sent] });
        expect((await store.dueOutbox(50, 10)).map((r) => r.id)).toEqual(['o2', 'o1']);
        expect(await store.outboxOf('e1')).toEqual([rows[0], rows[1], sent, rows[3]]);
        expect(await store.outboxOf('e2')).toEqual([rows[4]]);
        await store.writeEscalations({ records: [], outbox: rows.map((r) => ({ ...r, status: 'sent' as const })) });
        expect(await store.nextOutboxAt()).toBeUndefined();
      });

      test('keeps escalation timers beside task timers, keyed by the escalation id', async () => {
        await create('t1', {}, [{ kind: 'deadline', wakeAt: 50 }]);
        await store.writeEscalations({
          records: [makeEscalation({ id: 'e1' })],
          outbox: [],
          timers: [{ ownerId: 'e1', kind: 'esc-repeat', wakeAt: 20 }],
        });
        expect(await store.dueTimers(100, 10)).toEqual([
          { taskId: 'e1', kind: 'esc-repeat', wakeAt: 20 },
          { taskId: 't1', kind: 'deadline', wakeAt: 50 },
        ]);
        await store.writeEscalations({ records: [], outbox: [], timers: [{ ownerId: 'e1', kind: 'esc-repeat', wakeAt: null }] });
        expect(await store.nextTimerAt()).toBe(50);
      });

      test('writes a step and its escalation together', async () => {
        await create('t1');
        const failed = makeTaskRecord({ id: 't1', status: 'failed', escalationIds: ['e1'] });
        await store.commit({
          task: failed,
          transitions: [makeTransition(2, 'failed', 'queued')],
          escalation: {
            records: [makeEscalation({ id: 'e1' })],
            outbox: [makeOutboxRow({ id: 'o1' })],
            timers: [{ ownerId: 'e1', kind: 'esc-ack', wakeAt: 7 }],
          },
        });
        expect(await store.getTask('t1')).toEqual(failed);
        expect((await store.getEscalation('e1'))?.id).toBe('e1');
        expect((await store.outboxOf('e1')).map((r) => r.id)).toEqual(['o1']);
        expect(await store.nextTimerAt()).toBe(7);
      });

      test('writes no escalation of a step that is rejected', async () => {
        const step = store.commit({
          task: makeTaskRecord({ id: 'ghost' }),
          transitions: [],
          escalation: { records: [makeEscalation({ id: 'e1' })], outbox: [makeOutboxRow({ id: 'o1' })] },
        });
        await expect(step).rejects.toThrow();
        expect(await store.getEscalation('e1')).toBeUndefined();
        expect(await store.outboxOf('e1')).toEqual([]);
      });

      test('hands out copies of escalations and outbox rows', async () => {
        const e = makeEscalation({ id: 'e1' });
        const o = makeOutboxRow({ id: 'o1' });
        const writing = store.writeEscalations({ records: [e], outbox: [o] });
        e.taskIds.push('mutated');
        o.status = 'dead';
        await writing;
        (await store.getEscalation('e1'))!.channels[0]!.attempts = 9;
        (await store.listEscalations())[0]!.taskIds.push('x');
        (await store.outboxOf('e1'))[0]!.attempts = 9;
        expect(await store.getEscalation('e1')).toEqual(makeEscalation({ id: 'e1' }));
        expect(await store.outboxOf('e1')).toEqual([makeOutboxRow({ id: 'o1' })]);
      });
    });

    describe('isolation', () => {
      test('hands out copies: mutating what it returns changes nothing stored', async () => {
        const { task } = await create('t1', { status: 'running' });
        task.state = 'mutated';
        (await store.getTask('t1'))!.attempts.push({ agent: 'x', attempt: 1, startedAt: isoAt(0), outcome: 'running' });
        (await store.listTasks())[0]!.plan.push('x');
        (await store.nonTerminalTasks())[0]!.escalationIds.push('x');
        (await store.transitions('t1'))[0]!.to = 'mutated';
        (await store.transitionsSince(0))[0]!.to = 'mutated';
        await store.saveBreaker('a', { n: 1 }, 1);
        ((await store.loadBreakers())[0]!.snapshot as { n: number }).n = 2;
        expect(await store.getTask('t1')).toEqual(makeTaskRecord({ id: 't1', status: 'running' }));
        expect((await store.transitions('t1'))[0]!.to).toBe('queued');
        expect((await store.transitionsSince(0))[0]!.to).toBe('queued');
        expect((await store.loadBreakers())[0]!.snapshot).toEqual({ n: 1 });
      });

      test('keeps what was written even when the caller mutates its objects right after the call', async () => {
        const task = makeTaskRecord({ id: 't1' });
        const first = submitted();
        const created = store.createTask(task, first);
        task.state = 'mutated';
        first.to = 'mutated';
        await created;
        const next = makeTaskRecord({ id: 't1', state: 'running' });
        const t2 = makeTransition(2);
        const committed = store.commit({ task: next, transitions: [t2] });
        next.state = 'mutated';
        t2.to = 'mutated';
        await committed;
        expect((await store.getTask('t1'))?.state).toBe('running');
        expect((await store.transitions('t1')).map((t) => t.to)).toEqual(['queued', 'running']);
      });
    });
  });
}

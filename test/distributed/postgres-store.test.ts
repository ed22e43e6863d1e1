import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { postgresMigrations } from '../../src/store/migrations/postgresMigrations.js';
import { PostgresStore, type PostgresStoreOptions } from '../../src/store/PostgresStore.js';
import type { TaskRecord } from '../../src/store/Store.js';
import { describePruneStoreContract } from '../../src/store/pruneStoreContract.js';
import { describeRunStoreContract } from '../../src/store/runStoreContract.js';
import { describeStoreContract, makeEscalation, makeOutboxRow, makeTaskRecord, makeTransition } from '../../src/store/storeContract.js';
import { freshSchema, requireDatabaseUrl, type FreshSchema } from '../helpers/postgres.js';

// Fails, rather than skips, without a database: see test/helpers/postgres.ts.
const databaseUrl = requireDatabaseUrl();

const schemas: FreshSchema[] = [];
afterAll(async () => {
  for (const s of schemas.splice(0)) await s.drop();
});
const fresh = async () => {
  const s = await freshSchema(databaseUrl);
  schemas.push(s);
  return s;
};

describeStoreContract('PostgresStore', async () => new PostgresStore((await fresh()).url, { poolSize: 4 }));
describeRunStoreContract('PostgresStore', async () => new PostgresStore((await fresh()).url, { poolSize: 4 }));
describePruneStoreContract('PostgresStore', async () => new PostgresStore((await fresh()).url, { poolSize: 4 }));

/** A scratch connection to the test database, for looking behind the store's back. */
async function sql<R extends pg.QueryResultRow = Record<string, unknown>>(text: string, values?: unknown[]): Promise<R[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

describe('PostgresStore', () => {
  const opened: PostgresStore[] = [];
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
  });
  const open = async (url: string, opts?: PostgresStoreOptions) => {
    const store = new PostgresStore(url, { poolSize: 4, ...opts });
    opened.push(store);
    await store.init();
    return store;
  };
  /** A task as the engine writes it: its record carries `seq`. */
  const engineTask = (id: string, seq: number, overrides: Partial<TaskRecord> = {}) => ({ ...makeTaskRecord({ id, ...overrides }), seq });
  const createAt = async (store: PostgresStore, id: string) =>
    (await store.createTask(engineTask(id, 1), makeTransition(1, 'queued', null))).task;
  const failure = async (p: Promise<unknown>) => {
    const err = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    return err as Error & { code?: string };
  };

  describe('durability', () => {
    it('keeps tasks, transitions, timers, escalations and breakers across close and reopen', async () => {
      const { url } = await fresh();
      const first = await open(url);
      await createAt(first, 't1');
      const [id2] = await first.commit({
        task: engineTask('t1', 2, { status: 'waiting' }),
        transitions: [makeTransition(2)],
        timers: [{ kind: 'wake', wakeAt: 42 }],
      });
      await first.writeEscalations({ records: [makeEscalation({ id: 'e1' })], outbox: [makeOutboxRow({ id: 'o1' })] });
      await first.saveBreaker('a', { state: 'open' }, 7);
      await first.close();

      const again = await open(url);
      expect((await again.getTask('t1'))?.status).toBe('waiting');
      expect((await again.transitions('t1')).map((t) => t.seq)).toEqual([1, 2]);
      expect(await again.nextTimerAt()).toBe(42);
      expect((await again.getEscalation('e1'))?.id).toBe('e1');
      expect((await again.outboxOf('e1')).map((o) => o.id)).toEqual(['o1']);
      expect(await again.loadBreakers()).toEqual([{ agent: 'a', snapshot: { state: 'open' }, updatedAt: 7 }]);
      const [id3] = await again.commit({ task: engineTask('t1', 3), transitions: [makeTransition(3)] });
      expect(id3).toBeGreaterThan(id2!);
    });

    it('round-trips documents holding a NUL character, which jsonb would refuse', async () => {
      const store = await open((await fresh()).url);
      const task = { ...engineTask('t1', 1), output: { text: 'a\u0000b' } };
      await store.createTask(task, { ...makeTransition(1, 'queued', null), detail: { reason: 'x\u0000y' } });
      expect((await store.getTask('t1'))?.output).toEqual({ text: 'a\u0000b' });
      expect((await store.transitions('t1'))[0]?.detail?.reason).toBe('x\u0000y');
    });

    it('lets a read see a write made before it that was not awaited', async () => {
      const store = await open((await fresh()).url);
      void store.createTask(engineTask('t1', 1), makeTransition(1, 'queued', null));
      expect((await store.getTask('t1'))?.id).toBe('t1');
    });

    it('waits for writes in flight on close, closes once and refuses use afterwards', async () => {
      const store = await open((await fresh()).url);
      const creating = store.createTask(engineTask('t1', 1), makeTransition(1, 'queued', null));
      await Promise.all([store.close(), store.close()]);
      await expect(creating).resolves.toMatchObject({ created: true });
      await expect(store.getTask('t1')).rejects.toMatchObject({ code: 'STORE_ERROR', message: expect.stringContaining('is closed') });
      await expect(store.commit({ task: engineTask('t1', 2), transitions: [makeTransition(2)] })).rejects.toMatchObject({
        code: 'STORE_ERROR',
      });
    });
  });

  describe('opening and migrating', () => {
    it('creates a missing schema, and two stores starting at once both succeed', async () => {
      const { url, schema } = await fresh();
      await sql(`DROP SCHEMA ${schema}`);
      const [a, b] = await Promise.all([open(url), open(url)]);
      await createAt(a, 't1');
      expect((await b.getTask('t1'))?.id).toBe('t1');
      expect(await sql(`SELECT value FROM ${schema}.meta WHERE key = 'schema_version'`)).toEqual([
        { value: String(postgresMigrations.length) },
      ]);
    });

    it('lets many stores migrate one empty schema at once', async () => {
      const { url } = await fresh();
      const stores = await Promise.all(Array.from({ length: 6 }, () => open(url)));
      await createAt(stores[0]!, 't1');
      for (const s of stores) expect((await s.getTask('t1'))?.id).toBe('t1');
    });

    it('refuses a schema with a newer version, leaving it untouched', async () => {
      const { url, schema } = await fresh();
      await (await open(url)).close();
      await sql(`UPDATE ${schema}.meta SET value = '99' WHERE key = 'schema_version'`);
      const store = new PostgresStore(url);
      opened.push(store);
      const err = await failure(store.init());
      expect(err.code).toBe('STORE_ERROR');
      expect(err.message).toBe(
        `store ${store.url} has schema version 99, newer than this Warden (${postgresMigrations.length}); upgrade Warden`,
      );
      expect(store.url).toMatch(/^postgres:\/\/warden:\*\*\*@127\.0\.0\.1:\d+\/\w+\?schema=t_[0-9a-f]+$/);
      expect(await sql(`SELECT value FROM ${schema}.meta WHERE key = 'schema_version'`)).toEqual([{ value: '99' }]);
    });

    it("refuses a schema holding another application's tables", async () => {
      const { url, schema } = await fresh();
      await sql(`CREATE TABLE ${schema}.customers (id int)`);
      const err = await failure(new PostgresStore(url).init());
      expect(err).toMatchObject({ code: 'STORE_ERROR', message: expect.stringContaining('is not a Warden schema') });
      expect(await sql(`SELECT tablename FROM pg_tables WHERE schemaname = $1`, [schema])).toEqual([{ tablename: 'customers' }]);
    });

    it('fails with STORE_ERROR for an unreachable server, without the password', async () => {
      const store = new PostgresStore('postgres://warden:hunter2-secret@127.0.0.1:1/warden_test', { connectTimeoutMs: 2000 });
      const err = await failure(store.init());
      expect(err.code).toBe('STORE_ERROR');
      expect(err.message).toMatch(/^cannot connect to store postgres:\/\/warden:\*\*\*@127\.0\.0\.1:1\/warden_test: .*ECONNREFUSED/);
      expect(err.message).not.toContain('hunter2');
      expect(JSON.stringify(err)).not.toContain('hunter2');
      await store.close();
    });

    it('fails with STORE_ERROR for a wrong password, without it', async () => {
      const wrong = new URL(databaseUrl);
      wrong.password = 'not-the-password';
      const store = new PostgresStore(wrong.toString());
      const err = await failure(store.init());
      expect(err).toMatchObject({
        code: 'STORE_ERROR',
        message: expect.stringMatching(/^cannot connect to store postgres:\/\/warden:\*\*\*@.*password authentication failed/),
      });
      expect(err.message).not.toContain('not-the-password');
      await store.close();
    });
  });

  describe('steps from many workers', () => {
    it('rejects a stale step with STEP_CONFLICT and writes nothing of it', async () => {
      const { url } = await fresh();
      const [a, b] = [await open(url), await open(url)];
      await createAt(a, 't1');
      await a.commit({ task: engineTask('t1', 3, { state: 's3' }), transitions: [makeTransition(2), makeTransition(3)] });
      const readA = (await a.getTask('t1')) as TaskRecord & { seq: number };
      const readB = (await b.getTask('t1')) as TaskRecord & { seq: number };
      expect([readA.seq, readB.seq]).toEqual([3, 3]);

      const fromA = { ...readA, seq: 4, state: 'from-a' };
      const fromB = { ...readB, seq: 4, state: 'from-b' };
      await a.commit({ task: fromA, transitions: [makeTransition(4, 'from-a')], timers: [{ kind: 'wake', wakeAt: 10 }] });
      const err = await failure(
        b.commit({
          task: fromB,
          transitions: [makeTransition(4, 'from-b')],
          timers: [{ kind: 'wake', wakeAt: 99 }],
          escalation: { records: [makeEscalation({ id: 'e-b' })], outbox: [makeOutboxRow({ id: 'o-b', escalationId: 'e-b' })] },
        }),
      );
      expect(err).toMatchObject({
        code: 'STEP_CONFLICT',
        message: 'task t1 was changed by another worker (expected seq 3)',
        retryable: false,
      });

      expect((await b.getTask('t1'))?.state).toBe('from-a');
      expect((await b.transitions('t1')).map((t) => t.to)).toEqual(['queued', 'running', 'running', 'from-a']);
      expect(await b.dueTimers(1000, 10)).toEqual([{ taskId: 't1', kind: 'wake', wakeAt: 10 }]);
      expect(await b.getEscalation('e-b')).toBeUndefined();
      expect(await b.outboxOf('e-b')).toEqual([]);
    });

    it('checks a step without transitions (a timer clear) against the seq it carries', async () => {
      const { url } = await fresh();
      const store = await open(url);
      await store.createTask(engineTask('t1', 1), makeTransition(1, 'queued', null), [{ kind: 'deadline', wakeAt: 5 }]);
      await store.commit({ task: engineTask('t1', 2), transitions: [makeTransition(2)] });
      await expect(
        store.commit({ task: engineTask('t1', 1), transitions: [], timers: [{ kind: 'deadline', wakeAt: null }] }),
      ).rejects.toMatchObject({ code: 'STEP_CONFLICT' });
      expect(await store.nextTimerAt()).toBe(5);
      await store.commit({ task: engineTask('t1', 2), transitions: [], timers: [{ kind: 'deadline', wakeAt: null }] });
      expect(await store.nextTimerAt()).toBeUndefined();
    });

    it('lets exactly one of many racing workers write the same next step', async () => {
      const { url } = await fresh();
      const stores = [await open(url), await open(url), await open(url)];
      await createAt(stores[0]!, 't1');
      const racers = Array.from({ length: 12 }, (_, i) =>
        stores[i % 3]!.commit({ task: engineTask('t1', 2, { state: `w${i}` }), transitions: [makeTransition(2, `w${i}`)] }),
      );
      const results = await Promise.allSettled(racers);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'STEP_CONFLICT' });
      const transitions = await stores[0]!.transitions('t1');
      expect(transitions).toHaveLength(2);
      expect((await stores[0]!.getTask('t1'))?.state).toBe(transitions[1]!.to);
    });
  });

  describe('the transition stream across workers', () => {
    it('does not let a later transaction overtake one still committing', async () => {
      const { url } = await fresh();
      const slow = await open(url);
      const fast = await open(url);
      await createAt(fast, 'slow');
      await createAt(fast, 'fast');
      const start = await fast.lastTransitionId();
      expect(await fast.transitionsSince(start)).toEqual([]);

      // The slow worker's transaction takes its stream ids first, then stalls before COMMIT.
      const inHook = deferred();
      const release = deferred();
      slow.hooks = {
        async commit() {
          inHook.resolve();
          await release.promise;
        },
      };
      const slowStep = slow.commit({ task: engineTask('slow', 2), transitions: [makeTransition(2)] });
      await inHook.promise;
      const [fastId] = await fast.commit({ task: engineTask('fast', 2), transitions: [makeTransition(2)] });

      // The fast step is committed, but reading it now would skip the slow one for ever.
      expect(await fast.transitionsSince(start)).toEqual([]);
      expect((await fast.transitions('fast')).map((t) => t.seq)).toEqual([1, 2]);

      release.resolve();
      const [slowId] = await slowStep;
      expect(slowId).toBeLessThan(fastId!);
      const events = await fast.transitionsSince(start);
      expect(events.map((e) => [e.taskId, e.eventId])).toEqual([
        ['slow', slowId],
        ['fast', fastId],
      ]);
      expect(await fast.transitionsSince(fastId!)).toEqual([]);
    });

    it('starts a feed after every transition already readable', async () => {
      const store = await open((await fresh()).url);
      await createAt(store, 'a');
      const start = await store.lastTransitionId();
      const all = await store.transitionsSince(0);
      expect(all.every((e) => e.eventId! <= start)).toBe(true);
      await createAt(store, 'b');
      expect((await store.transitionsSince(start)).map((e) => e.taskId)).toEqual(['b']);
    });
  });

  describe('hooks', () => {
    // Made after the store's init: a schema with a stranger's table in it is refused.
    const scratch = async (schema: string) => {
      await sql(`CREATE TABLE ${schema}.scratch (note text)`);
      return async () => (await sql<{ note: string }>(`SELECT note FROM ${schema}.scratch ORDER BY note`)).map((r) => r.note);
    };

    it('runs createTask in the transaction: a throwing hook leaves neither the task nor its own row', async () => {
      const { url, schema } = await fresh();
      const store = await open(url);
      const notes = await scratch(schema);
      store.hooks = {
        async createTask(db, task, timers) {
          await db.executeSql(`INSERT INTO ${schema}.scratch (note) VALUES ($1)`, [`${task.id}:${timers?.length ?? 0}`]);
          if (task.id === 'bad') throw new Error('queue is down');
        },
      };
      const err = await failure(
        store.createTask(engineTask('bad', 1), makeTransition(1, 'queued', null), [{ kind: 'deadline', wakeAt: 9 }]),
      );
      expect(err).toMatchObject({ code: 'STORE_ERROR', message: expect.stringContaining('queue is down') });
      expect(await store.getTask('bad')).toBeUndefined();
      expect(await store.transitionsSince(0)).toEqual([]);
      expect(await store.nextTimerAt()).toBeUndefined();
      expect(await notes()).toEqual([]);

      await store.createTask(engineTask('good', 1), makeTransition(1, 'queued', null), [{ kind: 'deadline', wakeAt: 9 }]);
      expect((await store.getTask('good'))?.id).toBe('good');
      expect(await notes()).toEqual(['good:1']);
    });

    it('does not run createTask for a taken idempotency key', async () => {
      const { url, schema } = await fresh();
      const store = await open(url, {
        hooks: {
          createTask: async (db, task) => void (await db.executeSql(`INSERT INTO ${schema}.scratch (note) VALUES ($1)`, [task.id])),
        },
      });
      const notes = await scratch(schema);
      await store.createTask(engineTask('t1', 1, { idempotencyKey: 'k' }), makeTransition(1, 'queued', null));
      expect(await store.createTask(engineTask('t2', 1, { idempotencyKey: 'k' }), makeTransition(1, 'queued', null))).toMatchObject({
        created: false,
        task: { id: 't1' },
      });
      expect(await notes()).toEqual(['t1']);
    });

    it('runs commit and writeEscalations in the step transaction, a throw rolling the step back', async () => {
      const { url, schema } = await fresh();
      const store = await open(url);
      const notes = await scratch(schema);
      await createAt(store, 't1');
      let fail = true;
      store.hooks = {
        async commit(db, step) {
          await db.executeSql(`INSERT INTO ${schema}.scratch (note) VALUES ($1)`, [`commit:${step.task.state}`]);
        },
        async writeEscalations(db, write) {
          await db.executeSql(`INSERT INTO ${schema}.scratch (note) VALUES ($1)`, [`esc:${write.records.map((r) => r.id).join()}`]);
          if (fail) throw new Error('no');
        },
      };
      const step = {
        task: engineTask('t1', 2, { state: 'failed', status: 'failed' as const }),
        transitions: [makeTransition(2, 'failed')],
        escalation: { records: [makeEscalation({ id: 'e1' })], outbox: [makeOutboxRow({ id: 'o1' })] },
      };
      await expect(store.commit(step)).rejects.toThrow('no');
      expect((await store.getTask('t1'))?.status).toBe('queued');
      expect(await store.getEscalation('e1')).toBeUndefined();
      expect(await notes()).toEqual([]);

      fail = false;
      await store.commit(step);
      await store.writeEscalations({ records: [makeEscalation({ id: 'e2' })], outbox: [] });
      expect(await notes()).toEqual(['commit:failed', 'esc:e1', 'esc:e2']);
    });

    it('gives hooks the step as it was when commit was called', async () => {
      const store = await open((await fresh()).url);
      await createAt(store, 't1');
      const seen: number[] = [];
      store.hooks = { commit: async (_db, step) => void seen.push((step.task as TaskRecord & { seq: number }).seq) };
      const task = engineTask('t1', 2);
      const committing = store.commit({ task, transitions: [makeTransition(2)] });
      task.seq = 99; // the engine moves on with its record at once
      await committing;
      expect(seen).toEqual([2]);
    });
  });

  describe('leases', () => {
    it('never grants more than max leases to 50 concurrent acquirers on several workers', async () => {
      const { url } = await fresh();
      const stores = [await open(url, { poolSize: 10 }), await open(url, { poolSize: 10 })];
      const granted = await Promise.all(Array.from({ length: 50 }, (_, i) => stores[i % 2]!.acquireLease('a', 5, `l${i}`, 10_000, 1)));
      expect(granted.filter(Boolean)).toHaveLength(5);
      expect(await stores[0]!.countLeases('a', 1)).toBe(5);
      expect(await stores[0]!.countLeases('other', 1)).toBe(0);
    });

    it('frees a slot on release or expiry, and renews a lease acquired again', async () => {
      const store = await open((await fresh()).url);
      expect(await store.acquireLease('a', 2, 'x', 100, 0)).toBe(true);
      expect(await store.acquireLease('a', 2, 'y', 50, 0)).toBe(true);
      expect(await store.acquireLease('a', 2, 'z', 100, 0)).toBe(false);
      expect(await store.acquireLease('a', 2, 'x', 200, 10)).toBe(true); // renewal, not a third slot
      expect(await store.acquireLease('b', 1, 'z', 100, 0)).toBe(true); // per agent
      await store.releaseLease('a', 'x');
      await store.releaseLease('a', 'never-held');
      expect(await store.countLeases('a', 10)).toBe(1);
      expect(await store.acquireLease('a', 2, 'z', 100, 10)).toBe(true);
      expect(await store.acquireLease('a', 2, 'w', 100, 10)).toBe(false);
      expect(await store.acquireLease('a', 2, 'w', 100, 50)).toBe(true); // y expired at 50
      expect(await store.countLeases('a', 50)).toBe(2);
    });
  });

  describe('breakers across workers', () => {
    it('keeps the newest snapshot when saves arrive out of order', async () => {
      const { url } = await fresh();
      const [a, b] = [await open(url), await open(url)];
      await a.saveBreaker('x', { state: 'open' }, 20);
      await b.saveBreaker('x', { state: 'closed' }, 10);
      expect(await b.loadBreakers()).toEqual([{ agent: 'x', snapshot: { state: 'open' }, updatedAt: 20 }]);
    });
  });
});

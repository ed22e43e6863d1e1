import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { sqliteMigrations } from './migrations/sqliteMigrations.js';
import { SqliteStore, type SqliteStoreOptions } from './SqliteStore.js';
import { describePruneStoreContract } from './pruneStoreContract.js';
import { describeRunStoreContract } from './runStoreContract.js';
import { describeStoreContract, makeTaskRecord, makeTransition } from './storeContract.js';

const dir = mkdtempSync(join(tmpdir(), 'warden-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshPath = () => join(dir, `store-${++n}.db`);

describeStoreContract('SqliteStore', () => new SqliteStore(freshPath()));
describeStoreContract('SqliteStore (in memory, one write per transaction)', () => new SqliteStore(':memory:', { maxBatch: 1 }));
describeRunStoreContract('SqliteStore', () => new SqliteStore(freshPath()));
describePruneStoreContract('SqliteStore', () => new SqliteStore(freshPath()));

describe('SqliteStore', () => {
  const opened: SqliteStore[] = [];
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
  });
  const open = async (file = freshPath(), opts?: SqliteStoreOptions) => {
    const store = new SqliteStore(file, opts);
    opened.push(store);
    await store.init();
    return store;
  };
  const created = async (store: SqliteStore, id: string) =>
    (await store.createTask(makeTaskRecord({ id }), makeTransition(1, 'queued', null))).task;
  const initError = async (file: string) => {
    const err = await new SqliteStore(file).init().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'STORE_ERROR' });
    return (err as Error).message;
  };
  const pragma = (file: string, name: string) => {
    const db = new DatabaseSync(file);
    try {
      return Object.values(db.prepare(`PRAGMA ${name}`).get()!)[0];
    } finally {
      db.close();
    }
  };

  describe('durability', () => {
    it('keeps tasks, transitions, timers and breakers across close and reopen', async () => {
      const file = freshPath();
      const first = await open(file);
      const task = await created(first, 't1');
      const [id2] = await first.commit({
        task: { ...task, status: 'waiting' },
        transitions: [makeTransition(2)],
        timers: [{ kind: 'wake', wakeAt: 42 }],
      });
      await first.saveBreaker('a', { state: 'open' }, 7);
      await first.close();

      const again = await open(file);
      expect((await again.getTask('t1'))?.status).toBe('waiting');
      expect((await again.transitions('t1')).map((t) => t.seq)).toEqual([1, 2]);
      expect(await again.nextTimerAt()).toBe(42);
      expect(await again.loadBreakers()).toEqual([{ agent: 'a', snapshot: { state: 'open' }, updatedAt: 7 }]);
      const [id3] = await again.commit({ task, transitions: [makeTransition(3)] });
      expect(id3).toBeGreaterThan(id2!);
    });

    it('writes queued steps before closing', async () => {
      const file = freshPath();
      const store = await open(file, { groupCommitMs: 60_000 });
      const task = makeTaskRecord({ id: 't1' });
      const creating = store.createTask(task, makeTransition(1, 'queued', null));
      const committing = store.commit({ task: { ...task, state: 'closing' }, transitions: [makeTransition(2)] });
      await store.close();
      await expect(creating).resolves.toMatchObject({ created: true });
      await expect(committing).resolves.toHaveLength(1);
      const again = await open(file);
      expect((await again.getTask('t1'))?.state).toBe('closing');
    });

    it('turns on WAL mode', async () => {
      const file = freshPath();
      await created(await open(file), 't1');
      expect(pragma(file, 'journal_mode')).toBe('wal');
      expect(existsSync(`${file}-wal`)).toBe(true);
    });
  });

  describe('group commit', () => {
    it('writes many concurrent steps in a few transactions', async () => {
      const store = await open(freshPath(), { groupCommitMs: 50 });
      const tasks = await Promise.all(Array.from({ length: 300 }, (_, i) => created(store, `t${i}`)));
      expect(store.stats()).toMatchObject({ flushes: 1, steps: 300, pending: 0 });
      const ids = await Promise.all(
        tasks.map((t) => store.commit({ task: { ...t, status: 'running' }, transitions: [makeTransition(2)] })),
      );
      expect(store.stats()).toMatchObject({ flushes: 2, steps: 600, failed: 0 });
      expect(new Set(ids.flat()).size).toBe(300);
      expect(await store.listTasks({ status: 'running', limit: 1000 })).toHaveLength(300);
    });

    it('flushes as soon as maxBatch steps wait', async () => {
      const store = await open(freshPath(), { groupCommitMs: 60_000, maxBatch: 10 });
      const pending = Array.from({ length: 25 }, (_, i) => created(store, `t${i}`));
      expect(store.stats()).toMatchObject({ flushes: 2, pending: 5 });
      await store.getTask('t0'); // a read flushes the rest
      await Promise.all(pending);
      expect(store.stats()).toMatchObject({ flushes: 3, steps: 25, pending: 0 });
    });

    it('lets a read see every write queued before it', async () => {
      const store = await open(freshPath(), { groupCommitMs: 60_000 });
      void store.createTask(makeTaskRecord({ id: 't1' }), makeTransition(1, 'queued', null));
      expect((await store.getTask('t1'))?.id).toBe('t1');
    });

    it('flushes on the next turn of the event loop when groupCommitMs is 0', async () => {
      const store = await open(freshPath(), { groupCommitMs: 0 });
      await created(store, 't1');
      expect(store.stats()).toMatchObject({ flushes: 1, steps: 1 });
    });

    it('rejects only the bad steps of a batch', async () => {
      const store = await open(freshPath(), { groupCommitMs: 60_000 });
      const task = makeTaskRecord({ id: 't1' });
      const creating = store.createTask(task, makeTransition(1, 'queued', null));
      const good1 = store.commit({ task: { ...task, state: 'one' }, transitions: [makeTransition(2)] });
      const ghost = store.commit({ task: makeTaskRecord({ id: 'ghost' }), transitions: [makeTransition(2)] });
      const dupSeq = store.commit({ task: { ...task, state: 'dup' }, transitions: [makeTransition(2)] });
      const good2 = store.commit({ task: { ...task, state: 'two' }, transitions: [makeTransition(3)] });
      await store.close();
      await expect(creating).resolves.toMatchObject({ created: true });
      await expect(good1).resolves.toHaveLength(1);
      await expect(good2).resolves.toHaveLength(1);
      await expect(ghost).rejects.toMatchObject({ code: 'STORE_ERROR', message: expect.stringContaining('task ghost: no such task') });
      await expect(dupSeq).rejects.toMatchObject({ code: 'STORE_ERROR', message: expect.stringContaining('UNIQUE') });
      expect(store.stats()).toMatchObject({ fallbacks: 1, failed: 2 });

      const again = await open(store.url.slice('sqlite:'.length));
      expect((await again.getTask('t1'))?.state).toBe('two');
      expect((await again.transitions('t1')).map((t) => t.seq)).toEqual([1, 2, 3]);
    });

    it('creates one task for an idempotency key used twice in one batch', async () => {
      const store = await open(freshPath(), { groupCommitMs: 60_000 });
      const a = store.createTask(makeTaskRecord({ id: 'a', idempotencyKey: 'k' }), makeTransition(1, 'queued', null));
      const b = store.createTask(makeTaskRecord({ id: 'b', idempotencyKey: 'k' }), makeTransition(1, 'queued', null));
      await store.getTask('a');
      expect((await a).created).toBe(true);
      expect(await b).toMatchObject({ created: false, task: { id: 'a' } });
    });

    it('refuses writes after close, and closes only once', async () => {
      const store = await open();
      const task = await created(store, 't1');
      await store.close();
      await store.close();
      await expect(store.commit({ task, transitions: [] })).rejects.toMatchObject({
        code: 'STORE_ERROR',
        message: expect.stringContaining('closed'),
      });
      await expect(store.getTask('t1')).rejects.toMatchObject({ code: 'STORE_ERROR' });
    });

    it('refuses invalid options', () => {
      expect(() => new SqliteStore(freshPath(), { groupCommitMs: -1 })).toThrow(/groupCommitMs/);
      expect(() => new SqliteStore(freshPath(), { maxBatch: 0 })).toThrow(/maxBatch/);
    });
  });

  describe('opening and migrating', () => {
    it('creates the schema in a new file and reopens it without migrating again', async () => {
      const file = freshPath();
      await created(await open(file), 't1');
      expect(pragma(file, 'user_version')).toBe(sqliteMigrations.length);
      await opened.pop()!.close();
      const again = await open(file);
      expect(pragma(file, 'user_version')).toBe(sqliteMigrations.length);
      expect(await again.getTask('t1')).toBeDefined();
    });

    it('refuses a database with a newer schema, leaving it untouched', async () => {
      const file = freshPath();
      await (await open(file)).close();
      const db = new DatabaseSync(file);
      db.exec('PRAGMA user_version = 99');
      db.close();
      expect(await initError(file)).toBe(
        `store sqlite:${file} has schema version 99, newer than this Warden (${sqliteMigrations.length}); upgrade Warden`,
      );
      expect(pragma(file, 'user_version')).toBe(99);
    });

    it('refuses a text file and random bytes, leaving them untouched', async () => {
      const text = freshPath();
      writeFileSync(text, 'name,age\nada,36\n'.repeat(100));
      expect(await initError(text)).toMatch(new RegExp(`^store sqlite:${text} is not a Warden SQLite database \\(.+\\)$`));
      expect(readFileSync(text, 'utf8')).toBe('name,age\nada,36\n'.repeat(100));
      const random = freshPath();
      writeFileSync(random, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)));
      expect(await initError(random)).toContain('is not a Warden SQLite database');
    });

    it("refuses another application's SQLite database without switching it to WAL", async () => {
      const file = freshPath();
      const db = new DatabaseSync(file);
      db.exec('CREATE TABLE customers (id INTEGER PRIMARY KEY)');
      db.close();
      expect(await initError(file)).toBe(`store sqlite:${file} is not a Warden SQLite database (it has tables but no Warden marker)`);
      expect(pragma(file, 'journal_mode')).toBe('delete');
    });

    it('fails clearly for a path in a missing directory, and for a directory', async () => {
      const missing = join(dir, 'no-such-dir', 'warden.db');
      expect(await initError(missing)).toBe(
        `cannot open store sqlite:${missing}: the directory ${join(dir, 'no-such-dir')} does not exist`,
      );
      expect(existsSync(join(dir, 'no-such-dir'))).toBe(false);
      const aDir = join(dir, 'a-dir');
      mkdirSync(aDir);
      expect(await initError(aDir)).toBe(`cannot open store sqlite:${aDir}: the path is a directory`);
    });

    it('refuses a SQLite database with a schema version but no tables', async () => {
      const file = freshPath();
      const db = new DatabaseSync(file);
      db.exec('PRAGMA user_version = 3');
      db.close();
      expect(await initError(file)).toBe(`store sqlite:${file} is not a Warden SQLite database (it has schema version 3 but no tables)`);
    });

    it('lets two stores of one process (an engine restarted in a test) open, migrate and share one file', async () => {
      const file = freshPath();
      const [a, b] = await Promise.all([open(file), open(file)]);
      await created(a, 't1');
      expect((await b.getTask('t1'))?.id).toBe('t1');
      const [id] = await b.commit({ task: makeTaskRecord({ id: 't1', state: 'from-b' }), transitions: [makeTransition(2)] });
      expect((await a.transitionsSince(0)).at(-1)?.eventId).toBe(id);
      expect((await a.getTask('t1'))?.state).toBe('from-b');
    });

    it('turns on incremental auto-vacuum in a new file and in a file of schema version 1, keeping its rows', async () => {
      const fresh = freshPath();
      await (await open(fresh)).close();
      expect(pragma(fresh, 'auto_vacuum')).toBe(2);

      const v1 = freshPath();
      const db = new DatabaseSync(v1);
      db.exec('PRAGMA journal_mode = WAL');
      db.exec(sqliteMigrations[0] as string);
      db.exec("INSERT INTO breakers (agent, snapshot, updated_at) VALUES ('a', '{}', 1); PRAGMA user_version = 1");
      db.close();
      expect(pragma(v1, 'auto_vacuum')).toBe(0);
      const store = await open(v1);
      expect(await store.loadBreakers()).toEqual([{ agent: 'a', snapshot: {}, updatedAt: 1 }]);
      await store.close();
      expect(pragma(v1, 'auto_vacuum')).toBe(2);
      expect(pragma(v1, 'user_version')).toBe(sqliteMigrations.length);
    });

    it('takes an empty file as a new database', async () => {
      const file = freshPath();
      writeFileSync(file, '');
      await created(await open(file), 't1');
      expect(pragma(file, 'user_version')).toBe(sqliteMigrations.length);
    });
  });
});

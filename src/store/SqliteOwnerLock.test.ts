import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { holderOf, lockFileOf } from './SqliteOwnerLock.js';
import { SqliteStore } from './SqliteStore.js';
import { makeTaskRecord, makeTransition } from './storeFixtures.js';

// Another process is played by a second SQLite connection that takes the lock file the way an
// owner does: SQLite refuses it to this process's stores exactly as it would across processes.
// test/sqlite-owner.test.ts does it with real `warden serve` processes and kill -9.

const dir = mkdtempSync(join(tmpdir(), 'warden-owner-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshPath = () => join(dir, `store-${++n}.db`);

const WARD = 0x57415244;
const OTHER_PID = 4_000_017;

/** Holds `file`'s lock as process `pid` would, until `release()`. */
function holdAs(file: string, pid: number) {
  const db = new DatabaseSync(lockFileOf(file));
  db.exec('PRAGMA locking_mode = EXCLUSIVE; BEGIN IMMEDIATE');
  db.exec(`PRAGMA application_id = ${WARD}; PRAGMA user_version = ${pid}; COMMIT`);
  return { release: () => db.close() };
}

/** Leaves `pid` in the lock file as a process that died would: written, not held. */
function leaveStaleLock(file: string, pid: number) {
  holdAs(file, pid).release();
}

const initError = (store: SqliteStore) =>
  store.init().then(
    () => undefined,
    (e: unknown) => e as Error & { code?: string; details?: Record<string, unknown> },
  );

describe('one owner per SQLite file', () => {
  const opened: SqliteStore[] = [];
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
  });
  const open = async (file: string) => {
    const store = new SqliteStore(file);
    opened.push(store);
    await store.init();
    return store;
  };

  it('refuses a file another process holds with STORE_IN_USE, naming the file and the holder pid', async () => {
    const file = freshPath();
    const other = holdAs(file, OTHER_PID);
    try {
      const err = await initError(new SqliteStore(file));
      expect(err).toMatchObject({ code: 'STORE_IN_USE', details: { pid: OTHER_PID, file } });
      expect(err?.message).toContain(`store sqlite:${file} is in use by process ${OTHER_PID}`);
    } finally {
      other.release();
    }
  });

  it('leaves the file untouched when it refuses it', async () => {
    const file = freshPath();
    const other = holdAs(file, OTHER_PID);
    try {
      await initError(new SqliteStore(file));
      const db = new DatabaseSync(file);
      expect(db.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'delete' });
      expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get()).toEqual({ n: 0 });
      db.close();
    } finally {
      other.release();
    }
  });

  it('records its own pid in the lock file, where a refused process reads it', async () => {
    const file = freshPath();
    await open(file);
    expect(holderOf(lockFileOf(file))).toBe(process.pid);
  });

  it('takes over a lock file left by a process that died, writing its own pid', async () => {
    const file = freshPath();
    leaveStaleLock(file, OTHER_PID);
    expect(holderOf(lockFileOf(file))).toBe(OTHER_PID);
    const store = await open(file);
    await store.createTask(makeTaskRecord({ id: 't1' }), makeTransition(1, 'queued', null));
    expect(holderOf(lockFileOf(file))).toBe(process.pid);
  });

  it('lets the file go on close, so another process can own it', async () => {
    const file = freshPath();
    await (await open(file)).close();
    const other = holdAs(file, OTHER_PID);
    other.release();
    expect(holderOf(lockFileOf(file))).toBe(OTHER_PID);
  });

  it('shares the lock between stores of one process, and lets go only when the last one closes', async () => {
    const file = freshPath();
    const first = await open(file);
    const second = await open(file);
    await first.close();
    expect(() => holdAs(file, OTHER_PID)).toThrow(/locked/);
    await second.close();
    holdAs(file, OTHER_PID).release();
  });

  it('reopens a file in the same process after a store that was never closed, as a restart in a test does', async () => {
    const file = freshPath();
    const crashed = await open(file);
    await crashed.createTask(makeTaskRecord({ id: 't1' }), makeTransition(1, 'queued', null));
    const again = await open(file);
    expect((await again.getTask('t1'))?.id).toBe('t1');
  });

  it('lets the file go when opening fails after the lock was taken', async () => {
    const file = freshPath();
    const db = new DatabaseSync(file);
    db.exec('CREATE TABLE customers (id INTEGER PRIMARY KEY)');
    db.close();
    expect(await initError(new SqliteStore(file))).toMatchObject({ code: 'STORE_ERROR' });
    holdAs(file, OTHER_PID).release();
  });

  it('names no pid when the lock file has none to read', () => {
    expect(holderOf(join(dir, 'no-such-lock'))).toBeUndefined();
  });
});

/**
 * Opening a SQLite file as a Warden store: refuse what is not ours (a directory, a file another
 * process owns, a stranger's database, a newer schema) before anything writes, then switch to
 * WAL and migrate.
 * @internal
 */
import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { wardenError } from '../errors/index.js';
import { type SqliteMigration, WARDEN_MARKER, sqliteMigrations } from './migrations/sqliteMigrations.js';
import { SqliteOwnerLock } from './SqliteOwnerLock.js';
import { messageOf } from './sqliteStoreError.js';

const SQLITE_NOTADB = 26;

/** An open store file and the owner lock that goes with it. */
export interface OpenedSqlite {
  db: DatabaseSync;
  /** Absent for `:memory:`, which no other process can see. */
  lock: SqliteOwnerLock | undefined;
}

/**
 * Takes the owner lock of `file` (or nothing for `:memory:`) and opens it in WAL mode, checked and
 * migrated to the current schema. `url` names the store in messages.
 * @throws WardenError STORE_IN_USE when another process owns the file; STORE_ERROR naming the
 *   file and the reason, with nothing written.
 */
export function openSqliteDatabase(file: string, url: string): OpenedSqlite {
  const db = open(file, url);
  let lock: SqliteOwnerLock | undefined;
  try {
    // First of all: a process refused here must not touch the file another one runs on.
    if (file !== ':memory:') lock = SqliteOwnerLock.acquire(file, url);
    // Before anything writes: a stranger's database or a newer schema is left untouched.
    db.exec('PRAGMA busy_timeout = 5000');
    check(db, url);
    const { journal_mode: mode } = db.prepare('PRAGMA journal_mode = WAL').get() as { journal_mode: string };
    if (mode !== 'wal' && file !== ':memory:')
      throw wardenError('STORE_ERROR', `cannot open store ${url}: WAL mode is unavailable (journal mode stays ${mode})`);
    db.exec('PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON');
    migrate(db, url);
  } catch (err) {
    db.close();
    lock?.release();
    throw err;
  }
  return { db, lock };
}

function open(file: string, url: string): DatabaseSync {
  const fail = (reason: string, cause?: unknown) => wardenError('STORE_ERROR', `cannot open store ${url}: ${reason}`, { cause });
  if (file !== ':memory:') {
    // SQLite says only "unable to open database file"; name the usual causes instead.
    if (existsSync(file) && statSync(file).isDirectory()) throw fail('the path is a directory');
    const dir = dirname(file);
    if (!existsSync(dir)) throw fail(`the directory ${dir} does not exist`);
  }
  try {
    return new DatabaseSync(file);
  } catch (err) {
    throw fail(messageOf(err), err);
  }
}

/** Refuses files that are not SQLite, SQLite databases that are not Warden's, and newer schemas. */
function check(db: DatabaseSync, url: string): void {
  let tables: string[];
  try {
    tables = (
      db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'`).all() as {
        name: string;
      }[]
    ).map((r) => r.name);
  } catch (err) {
    if ((err as { errcode?: unknown }).errcode === SQLITE_NOTADB) {
      throw wardenError('STORE_ERROR', `store ${url} is not a Warden SQLite database (${messageOf(err)})`, { cause: err });
    }
    throw wardenError('STORE_ERROR', `cannot open store ${url}: ${messageOf(err)}`, { cause: err });
  }
  const version = userVersion(db);
  if (tables.length === 0) {
    if (version === 0) return; // a new (or empty) file: the migrations create everything
    throw wardenError('STORE_ERROR', `store ${url} is not a Warden SQLite database (it has schema version ${version} but no tables)`);
  }
  const marker = tables.includes('meta')
    ? (db.prepare('SELECT value FROM meta WHERE key = ?').get(WARDEN_MARKER.key) as { value: unknown } | undefined)
    : undefined;
  if (marker?.value !== WARDEN_MARKER.value) {
    throw wardenError('STORE_ERROR', `store ${url} is not a Warden SQLite database (it has tables but no Warden marker)`);
  }
  if (version > sqliteMigrations.length) {
    throw wardenError(
      'STORE_ERROR',
      `store ${url} has schema version ${version}, newer than this Warden (${sqliteMigrations.length}); upgrade Warden`,
    );
  }
}

function migrate(db: DatabaseSync, url: string): void {
  for (let v = userVersion(db); v < sqliteMigrations.length; v++) {
    const migration = sqliteMigrations[v]!;
    if (typeof migration !== 'string') {
      runOutsideTransaction(db, url, migration, v);
      continue;
    }
    try {
      db.exec('BEGIN IMMEDIATE');
      // Another process may have migrated while this one waited for the lock.
      const current = userVersion(db);
      if (current > v) {
        db.exec('COMMIT');
        v = current - 1;
        continue;
      }
      db.exec(migration);
      db.exec(`PRAGMA user_version = ${v + 1}`);
      db.exec('COMMIT');
    } catch (err) {
      if (db.isTransaction) db.exec('ROLLBACK');
      throw wardenError('STORE_ERROR', `cannot migrate store ${url} to schema version ${v + 1}: ${messageOf(err)}`, { cause: err });
    }
  }
}

/**
 * A migration that cannot run in a transaction (VACUUM). It must be safe to run again: a crash
 * before its version is written runs it again on the next start. The owner lock keeps other
 * processes out meanwhile.
 */
function runOutsideTransaction(db: DatabaseSync, url: string, migration: Exclude<SqliteMigration, string>, v: number): void {
  try {
    db.exec(migration.outsideTransaction);
    db.exec(`PRAGMA user_version = ${v + 1}`);
  } catch (err) {
    throw wardenError('STORE_ERROR', `cannot migrate store ${url} to schema version ${v + 1}: ${messageOf(err)}`, { cause: err });
  }
}

const userVersion = (db: DatabaseSync): number => (db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version;

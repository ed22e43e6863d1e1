/**
 * One owner per SQLite file: the process that opens a `sqlite:` store holds a lock that no other
 * process can take until it closes the store or dies.
 * @internal
 */
import { closeSync, openSync, readSync, realpathSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { wardenError } from '../errors/index.js';
import { messageOf } from './sqliteStoreError.js';

/** "WARD": the `application_id` that marks a lock file as Warden's. */
const APPLICATION_ID = 0x57415244;
/** Offsets of `user_version` and `application_id` in a SQLite file header (sqlite.org/fileformat.html). */
const USER_VERSION_AT = 60;
const APPLICATION_ID_AT = 68;

/** The locks this process holds, by lock file, with how many stores share each. */
const held = new Map<string, { db: DatabaseSync; refs: number }>();

/**
 * The owner lock of one SQLite store file: `<file>-lock`, a SQLite database beside the store
 * (with its `-journal` while held).
 *
 * **Why SQLite's own locking, on a side file.** The lock must die with its process, `kill -9`
 * included, so a crash never leaves a lock behind: SQLite's locks are POSIX advisory locks, which
 * the kernel drops when the process ends, and Node has no `flock` of its own. It sits on a side
 * file because an exclusive lock on the store itself would also shut out readers that must keep
 * working: `sqlite3 warden.db ".backup …"` while Warden runs, or a look at the file in a test.
 *
 * **How.** The lock database is put in `locking_mode = EXCLUSIVE` and written once: SQLite then
 * keeps its EXCLUSIVE lock until the connection closes. What is written is the holder's pid, in
 * the header's `user_version`; another process cannot read the locked database through SQLite,
 * so it reads those four bytes of the header straight from the file to name the holder.
 *
 * **Stale locks.** A pid left in the file by a process that died holds nothing: only the OS lock
 * counts, so the next process takes the lock at once and writes its own pid.
 *
 * **One process, several stores.** Stores of the same process on the same file share the lock
 * (counted), as a test that restarts an engine without stopping the first one does; locks are
 * per process, so a second connection of this process would only find itself in the way.
 */
export class SqliteOwnerLock {
  readonly #key: string;
  #released = false;

  private constructor(key: string) {
    this.#key = key;
  }

  /**
   * Takes the lock of `file` (a store file whose directory exists), or joins this process's
   * lock on it. `url` names the store in messages.
   * @throws WardenError STORE_IN_USE naming the file and the holder's pid when another process
   *   holds it; STORE_ERROR when the lock file cannot be created or is not a lock file.
   */
  static acquire(file: string, url: string): SqliteOwnerLock {
    const key = lockFileOf(file);
    const mine = held.get(key);
    if (mine) {
      mine.refs++;
      return new SqliteOwnerLock(key);
    }
    let db: DatabaseSync;
    try {
      db = new DatabaseSync(key);
    } catch (err) {
      throw wardenError('STORE_ERROR', `cannot open store ${url}: cannot create its lock file ${key}: ${messageOf(err)}`, { cause: err });
    }
    try {
      // No waiting: a holder keeps the lock for as long as it runs.
      db.exec('PRAGMA busy_timeout = 0; PRAGMA locking_mode = EXCLUSIVE');
      db.exec('BEGIN IMMEDIATE');
      db.exec(`PRAGMA application_id = ${APPLICATION_ID}; PRAGMA user_version = ${process.pid}`);
      db.exec('COMMIT');
    } catch (err) {
      db.close();
      if (!isBusy(err)) throw wardenError('STORE_ERROR', `cannot lock store ${url} (lock file ${key}): ${messageOf(err)}`, { cause: err });
      throw inUse(url, key, holderOf(key), err);
    }
    held.set(key, { db, refs: 1 });
    return new SqliteOwnerLock(key);
  }

  /** Lets go of the lock; the last store of this process on the file releases it. Safe to call twice. */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    const mine = held.get(this.#key);
    if (!mine || --mine.refs > 0) return;
    held.delete(this.#key);
    // Closing the connection drops the OS lock. The file stays: deleting a lock file races with
    // a process that has just opened it, which would then lock a file nobody else sees.
    mine.db.close();
  }
}

/** The lock file of a store file: `<file>-lock`, beside it, with the directory's real path. */
export function lockFileOf(file: string): string {
  let dir = dirname(file);
  try {
    dir = realpathSync(dir);
  } catch {
    // A missing directory is reported by the caller, which checks it first.
  }
  return join(dir, `${basename(file)}-lock`);
}

/** The pid recorded in a lock file's header, or undefined when there is none to read. */
export function holderOf(lockFile: string): number | undefined {
  const header = Buffer.alloc(APPLICATION_ID_AT + 4);
  let fd: number | undefined;
  try {
    fd = openSync(lockFile, 'r');
    if (readSync(fd, header, 0, header.length, 0) < header.length) return undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  if (header.readUInt32BE(APPLICATION_ID_AT) !== APPLICATION_ID) return undefined;
  const pid = header.readInt32BE(USER_VERSION_AT);
  return pid > 0 ? pid : undefined;
}

const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;

function isBusy(err: unknown): boolean {
  // Extended codes keep the primary code in the low byte (SQLITE_BUSY_SNAPSHOT is 517).
  const code = (err as { errcode?: unknown }).errcode;
  return typeof code === 'number' && ((code & 0xff) === SQLITE_BUSY || (code & 0xff) === SQLITE_LOCKED);
}

function inUse(url: string, lockFile: string, pid: number | undefined, cause: unknown) {
  const who = pid === undefined ? 'another process' : pid === process.pid ? `this process (pid ${pid})` : `process ${pid}`;
  const message =
    `store ${url} is in use by ${who}: one process owns a SQLite file. ` +
    `Stop that process first, or use a Postgres store to share the work (lock file ${lockFile})`;
  return wardenError('STORE_IN_USE', message, { cause, details: { file: url.slice('sqlite:'.length), lockFile, pid } });
}

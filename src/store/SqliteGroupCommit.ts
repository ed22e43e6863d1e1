/**
 * The group commit of the SQLite store: many writes, one transaction.
 * @internal
 */
import type { DatabaseSync } from 'node:sqlite';
import type { Statements } from './sqliteStatements.js';
import { asStoreError } from './sqliteStoreError.js';

/** Counters of the group commit, for tests and the bench. */
export interface SqliteStoreStats {
  /** Batch transactions run. */
  flushes: number;
  /** Writes (`createTask`, `commit` and `writeEscalations` calls) that were applied. */
  steps: number;
  /** Writes that failed and were rejected. */
  failed: number;
  /** Batches that failed and were retried one write per transaction. */
  fallbacks: number;
  /** Writes queued and not yet flushed. */
  pending: number;
}

/** A queued write. `run` holds rows serialised at call time, so the caller may then mutate its objects. */
interface Write {
  what: string;
  run: (st: Statements) => unknown;
  resolve: (result: never) => void;
  reject: (err: unknown) => void;
}

/**
 * Queues writes and applies everything queued within `groupCommitMs` (or as soon as `maxBatch`
 * writes wait) in one `BEGIN IMMEDIATE … COMMIT`. When that transaction fails, each write is
 * retried in its own transaction so only the bad ones are rejected. Writes apply in the order
 * they were queued, so the steps of one task never overtake each other.
 * @internal
 */
export class SqliteGroupCommit {
  readonly #groupCommitMs: number;
  readonly #maxBatch: number;
  #db: DatabaseSync | undefined;
  #st: Statements | undefined;
  #queue: Write[] = [];
  /** Cancels the scheduled flush, while one is scheduled. */
  #cancelFlush: (() => void) | undefined;
  #stats = { flushes: 0, steps: 0, failed: 0, fallbacks: 0 };

  /** Both values are validated by the store. */
  constructor(groupCommitMs: number, maxBatch: number) {
    this.#groupCommitMs = groupCommitMs;
    this.#maxBatch = maxBatch;
  }

  /** The database flushes write to, with its prepared statements; set once it is open. */
  attach(db: DatabaseSync, st: Statements): void {
    this.#db = db;
    this.#st = st;
  }

  /** Writes queued and not yet flushed. */
  get pending(): number {
    return this.#queue.length;
  }

  /** Queues `run`, to be applied by a flush; resolves with what it returns once committed. */
  push<T>(what: string, run: (st: Statements) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ what, run, resolve: resolve as (result: never) => void, reject });
      if (this.#queue.length >= this.#maxBatch) this.flush();
      else if (!this.#cancelFlush) this.#scheduleFlush();
    });
  }

  /** Applies every queued write now: one transaction, or one each when a write in the batch fails. */
  flush(): void {
    this.#cancelFlush?.();
    this.#cancelFlush = undefined;
    const batch = this.#queue;
    if (batch.length === 0) return;
    this.#queue = [];
    const db = this.#db!;
    const st = this.#st!;
    this.#stats.flushes++;
    const results: unknown[] = [];
    try {
      db.exec('BEGIN IMMEDIATE');
    } catch (err) {
      // The database itself is unavailable (locked past busy_timeout, full, gone): every write fails.
      return this.#rejectAll(batch, err);
    }
    try {
      for (const w of batch) results.push(w.run(st));
    } catch {
      // One write is bad: find it by giving each its own transaction.
      db.exec('ROLLBACK');
      if (batch.length > 1) this.#stats.fallbacks++;
      for (const w of batch) this.#applyAlone(db, st, w);
      return;
    }
    try {
      db.exec('COMMIT');
    } catch (err) {
      if (db.isTransaction) db.exec('ROLLBACK');
      return this.#rejectAll(batch, err);
    }
    this.#stats.steps += batch.length;
    for (let i = 0; i < batch.length; i++) batch[i]!.resolve(results[i] as never);
  }

  /** Group-commit counters, for tests and the bench. */
  stats(): SqliteStoreStats {
    return { ...this.#stats, pending: this.#queue.length };
  }

  #scheduleFlush(): void {
    const flush = () => this.flush();
    if (this.#groupCommitMs > 0) {
      const t = setTimeout(flush, this.#groupCommitMs);
      this.#cancelFlush = () => clearTimeout(t);
    } else {
      const t = setImmediate(flush);
      this.#cancelFlush = () => clearImmediate(t);
    }
  }

  #rejectAll(batch: Write[], err: unknown): void {
    this.#stats.failed += batch.length;
    for (const w of batch) w.reject(asStoreError(err, `cannot ${w.what}`));
  }

  #applyAlone(db: DatabaseSync, st: Statements, w: Write): void {
    let result: unknown;
    try {
      db.exec('BEGIN IMMEDIATE');
      result = w.run(st);
      db.exec('COMMIT');
    } catch (err) {
      if (db.isTransaction) db.exec('ROLLBACK');
      this.#stats.failed++;
      w.reject(asStoreError(err, `cannot ${w.what}`));
      return;
    }
    this.#stats.steps++;
    w.resolve(result as never);
  }
}

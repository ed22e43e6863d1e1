/**
 * The transaction hooks of the Postgres store: code that joins a write's own transaction.
 * @module
 */
import type { EscalationWrite } from '../escalation/types.js';
import type { StepCommit, TaskRecord } from './Store.js';

/** A transaction's connection as pg-boss 12's `db` option takes it (`send`, `insert`). */
export interface PostgresStoreDb {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

/**
 * Code run inside a write's transaction, after the store's own rows and before COMMIT, so that
 * what it writes (a pg-boss job, say) commits or rolls back with the write. A hook that throws
 * rolls the whole write back; the write then rejects with the hook's error (a WardenError as
 * is, anything else as STORE_ERROR). Hooks get copies of the write as it was when it was made.
 * A hook must not call the store itself: a read of the task waits for the write the hook is in.
 */
export interface PostgresStoreHooks {
  /** After a task was created; not called when its idempotency key was taken. */
  createTask?(db: PostgresStoreDb, task: TaskRecord, timers: StepCommit['timers']): Promise<void>;
  /** After a step was written. `step.escalation`, when present, also goes to `writeEscalations`. */
  commit?(db: PostgresStoreDb, step: StepCommit): Promise<void>;
  /** After escalation changes were written: by `writeEscalations()`, or as part of a step (after `commit`). */
  writeEscalations?(db: PostgresStoreDb, write: EscalationWrite): Promise<void>;
}

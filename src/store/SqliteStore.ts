/**
 * The `sqlite:` store: the embedded default.
 * @module
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { EscalationRecord, EscalationWrite, OutboxRow } from '../escalation/types.js';
import { wardenError } from '../errors/index.js';
import { TERMINAL_STATUSES, type TaskStatus, type Transition, type TransitionEvent } from '../lifecycle/types.js';
import { openSqliteDatabase } from './openSqliteDatabase.js';
import type { PruneBatch, PruneBefore, PruneLimits } from './Prune.js';
import type { SqliteOwnerLock } from './SqliteOwnerLock.js';
import { SqliteGroupCommit, type SqliteStoreStats } from './SqliteGroupCommit.js';
import {
  applyEscalation,
  applyTimers,
  escalationRows,
  newTaskRows,
  parseAll,
  parseOne,
  timerChanges,
  transitionRow,
} from './sqliteRows.js';
import { type Params, prepareSqlite, type Statements } from './sqliteStatements.js';
import { asStoreError } from './sqliteStoreError.js';
import { type PruneStatements, preparePrune, pruneSqlite } from './sqlitePrune.js';
import {
  type BreakerRecord,
  childIdRange,
  idPrefixRange,
  type EscalationFilter,
  type StepCommit,
  type Store,
  type TaskFilter,
  type TaskRecord,
  type TimerKind,
  type TimerRow,
} from './Store.js';

export type { SqliteStoreStats } from './SqliteGroupCommit.js';

/** Options for {@link SqliteStore}. */
export interface SqliteStoreOptions {
  /**
   * How long the first queued write waits for others to share its transaction, in ms.
   * Measured on the real clock: batching is about the disk, not the engine's time.
   * @default 2
   */
  groupCommitMs?: number;
  /** A batch of this many queued writes is flushed at once. @default 1000 */
  maxBatch?: number;
}

/**
 * The `sqlite:` store: one SQLite file through `node:sqlite`, in WAL mode.
 *
 * Writes go through a group commit: `createTask`, `commit` and `writeEscalations` queue the write
 * and one `BEGIN IMMEDIATE … COMMIT` applies everything queued within `groupCommitMs` (or as soon
 * as `maxBatch` writes wait). When that transaction fails, each write is retried in its own
 * transaction so only the bad ones are rejected. Writes apply in the order they were made, so the
 * steps of one task never overtake each other. Every read first flushes the queue, so a read sees
 * every write queued before it, as with the memory store.
 *
 * One process owns the file: `init()` takes an owner lock (see {@link SqliteOwnerLock}) that
 * refuses any other process with STORE_IN_USE until `close()` or the end of the owner.
 *
 * A step replaces the task's record (what `getTask` returns) whole; the columns that only index a
 * task and never change after `createTask` (workflow, createdAt, idempotencyKey, inputHash) keep
 * their first values, because rewriting an indexed column rewrites its index entry.
 *
 * @example
 * const store = new SqliteStore('./warden.db');
 * await store.init();
 */
export class SqliteStore implements Store {
  readonly kind = 'sqlite';
  readonly #file: string;
  readonly #commits: SqliteGroupCommit;
  #db: DatabaseSync | undefined;
  #lock: SqliteOwnerLock | undefined;
  #st: Statements | undefined;
  #prune: PruneStatements | undefined;
  #dynamic = new Map<string, StatementSync>();
  #closed = false;

  constructor(file: string, opts: SqliteStoreOptions = {}) {
    const { groupCommitMs = 2, maxBatch = 1000 } = opts;
    if (!(groupCommitMs >= 0 && Number.isFinite(groupCommitMs)))
      throw wardenError('CONFIG_INVALID', `groupCommitMs must be a finite number ≥ 0, got ${groupCommitMs}`);
    if (!(Number.isInteger(maxBatch) && maxBatch >= 1))
      throw wardenError('CONFIG_INVALID', `maxBatch must be an integer ≥ 1, got ${maxBatch}`);
    this.#file = file;
    this.#commits = new SqliteGroupCommit(groupCommitMs, maxBatch);
  }

  /** `sqlite:PATH`, as the store is named in messages. */
  get url(): string {
    return `sqlite:${this.#file}`;
  }

  async init(): Promise<void> {
    if (this.#db) return;
    if (this.#closed) throw wardenError('STORE_ERROR', `store ${this.url} is closed`);
    const { db, lock } = openSqliteDatabase(this.#file, this.url);
    try {
      this.#st = prepareSqlite(db);
      this.#prune = preparePrune(db);
    } catch (err) {
      db.close();
      lock?.release();
      throw err;
    }
    this.#commits.attach(db, this.#st);
    this.#db = db;
    this.#lock = lock;
  }

  createTask(task: TaskRecord, first: Transition, timers?: StepCommit['timers']): Promise<{ task: TaskRecord; created: boolean }> {
    return this.#write(`create task ${task.id}`, () => {
      const key = task.idempotencyKey ?? null;
      const insert = newTaskRows({ task, first, ...(timers ? { timers } : {}) });
      return (st) => {
        if (key !== null) {
          const existing = st.taskByKey.get(key) as { record: string } | undefined;
          if (existing) return { task: JSON.parse(existing.record) as TaskRecord, created: false };
        }
        insert(st);
        return { task: JSON.parse(insert.record) as TaskRecord, created: true };
      };
    });
  }

  commit(step: StepCommit): Promise<number[]> {
    const { task } = step;
    return this.#write(`commit a step of task ${task.id}`, () => {
      const last = step.transitions.at(-1)?.seq ?? null;
      const row = [task.status, task.state, task.updatedAt, last, JSON.stringify(task), task.id];
      const transitions = step.transitions.map(transitionRow);
      const { attempt } = step;
      const attemptRow = attempt ? [attempt.agent, attempt.attempt, attempt.startedAt, JSON.stringify(attempt)] : undefined;
      const timerRows = timerChanges(task.id, step.timers);
      const escalation = step.escalation ? escalationRows(step.escalation) : undefined;
      const created = (step.create ?? []).map(newTaskRows);
      return (st) => {
        const updated = st.updateTask.get(...row) as { pos: number } | undefined;
        if (!updated) throw new Error('no such task');
        const ids = transitions.map((t) => Number(st.insertTransition.run(updated.pos, ...t).lastInsertRowid));
        if (attemptRow) st.upsertAttempt.run(updated.pos, ...attemptRow);
        applyTimers(st, timerRows);
        if (escalation) applyEscalation(st, escalation);
        for (const insert of created) if (st.taskById.get(insert.id) === undefined) insert(st);
        return ids;
      };
    });
  }

  writeEscalations(write: EscalationWrite): Promise<void> {
    return this.#write('write escalations', () => {
      const rows = escalationRows(write);
      return (st) => applyEscalation(st, rows);
    });
  }

  async getTask(id: string): Promise<TaskRecord | undefined> {
    return this.#read(`read task ${id}`, (st) => parseOne<TaskRecord>(st.taskById.get(id), 'record'));
  }

  async listTasks(filter: TaskFilter = {}): Promise<TaskRecord[]> {
    const where: string[] = [];
    const params: Params = [];
    if (filter.status !== undefined) inList(where, params, 'status', [filter.status].flat());
    if (filter.workflow !== undefined) {
      where.push('workflow = ?');
      params.push(filter.workflow);
    }
    if (filter.parent !== undefined) {
      // The unique index on id serves the range; a nested run's own steps share the prefix.
      where.push('id > ? AND id < ?');
      params.push(...childIdRange(filter.parent));
    }
    if (filter.topLevel) where.push("instr(id, '.') = 0");
    if (filter.idPrefix !== undefined) {
      where.push('id >= ? AND id < ?');
      params.push(...idPrefixRange(filter.idPrefix));
    }
    if (filter.parent !== undefined) {
      const parent = filter.parent;
      const all = this.#list<TaskRecord>('list tasks', 'record', 'tasks', where, params, 'created_at DESC, pos DESC', Infinity);
      return all.filter((t) => t.parentId === parent).slice(0, filter.limit ?? 100);
    }
    return this.#list('list tasks', 'record', 'tasks', where, params, 'created_at DESC, pos DESC', filter.limit ?? 100);
  }

  async transitions(taskId: string): Promise<Transition[]> {
    return this.#read(`read the transitions of task ${taskId}`, (st) => parseAll<Transition>(st.transitionsOf.all(taskId), 'body'));
  }

  async transitionsSince(afterId: number, limit = 1000): Promise<TransitionEvent[]> {
    const n = sqlLimit(limit);
    return this.#read('read the transition stream', (st) => {
      const rows =
        n === 0 ? [] : (st.transitionsSince.all(afterId, n) as { id: number; task_id: string; workflow: string; body: string }[]);
      return rows.map((r) => ({ ...(JSON.parse(r.body) as Transition), taskId: r.task_id, workflow: r.workflow, eventId: r.id }));
    });
  }

  async nonTerminalTasks(): Promise<TaskRecord[]> {
    // Asking which statuses exist, rather than naming the live ones, keeps a status added later
    // on the safe side: recovered unless it is terminal.
    const present = await this.#read('list unfinished tasks', (st) => st.statuses.all() as { status: TaskStatus }[]);
    const live = present.map((r) => r.status).filter((s) => !TERMINAL_STATUSES.has(s));
    const where: string[] = [];
    const params: Params = [];
    inList(where, params, 'status', live);
    return this.#list('list unfinished tasks', 'record', 'tasks', where, params, 'pos', Infinity);
  }

  async nextTimerAt(): Promise<number | undefined> {
    return this.#read('read timers', (st) => (st.nextTimer.get() as { at: number | null }).at ?? undefined);
  }

  async dueTimers(now: number, limit: number): Promise<TimerRow[]> {
    const n = sqlLimit(limit);
    return this.#read('read timers', (st) => {
      const rows = n === 0 ? [] : (st.dueTimers.all(now, n) as { owner_id: string; kind: TimerKind; wake_at: number }[]);
      return rows.map((r) => ({ taskId: r.owner_id, kind: r.kind, wakeAt: r.wake_at }));
    });
  }

  async getEscalation(id: string): Promise<EscalationRecord | undefined> {
    return this.#read(`read escalation ${id}`, (st) => parseOne<EscalationRecord>(st.escalationById.get(id), 'record'));
  }

  async listEscalations(filter: EscalationFilter = {}): Promise<EscalationRecord[]> {
    const where: string[] = [];
    const params: Params = [];
    if (filter.status !== undefined) inList(where, params, 'status', [filter.status].flat());
    return this.#list('list escalations', 'record', 'escalations', where, params, 'pos DESC', filter.limit ?? 100);
  }

  async findOpenEscalation(fingerprint: string, since: number): Promise<EscalationRecord | undefined> {
    return this.#read('find an open escalation', (st) => parseOne<EscalationRecord>(st.openEscalation.get(fingerprint, since), 'record'));
  }

  async findUnresolved(workflow: string, planKey: string): Promise<EscalationRecord[]> {
    return this.#read('find unresolved escalations', (st) => parseAll<EscalationRecord>(st.unresolved.all(workflow, planKey), 'record'));
  }

  async dueOutbox(now: number, limit: number): Promise<OutboxRow[]> {
    const n = sqlLimit(limit);
    return this.#read('read the outbox', (st) => (n === 0 ? [] : parseAll<OutboxRow>(st.dueOutbox.all(now, n), 'body')));
  }

  async nextOutboxAt(): Promise<number | undefined> {
    return this.#read('read the outbox', (st) => (st.nextOutbox.get() as { at: number | null }).at ?? undefined);
  }

  async outboxOf(escalationId: string): Promise<OutboxRow[]> {
    return this.#read(`read the outbox of escalation ${escalationId}`, (st) => parseAll<OutboxRow>(st.outboxOf.all(escalationId), 'body'));
  }

  async saveBreaker(agent: string, snapshot: unknown, at: number): Promise<void> {
    // A breaker is independent of the queued writes, so it is written at once, outside the batch.
    const json = JSON.stringify(snapshot) ?? 'null';
    this.#read(`save the breaker of ${agent}`, (st) => st.saveBreaker.run(agent, json, at));
  }

  async loadBreakers(): Promise<BreakerRecord[]> {
    return this.#read('load breakers', (st) =>
      (st.loadBreakers.all() as { agent: string; snapshot: string; updated_at: number }[]).map((r) => ({
        agent: r.agent,
        snapshot: JSON.parse(r.snapshot) as unknown,
        updatedAt: r.updated_at,
      })),
    );
  }

  /** One short transaction per call, then a step of incremental vacuum (see sqlitePrune). */
  async prune(before: PruneBefore, limits: PruneLimits): Promise<PruneBatch> {
    return this.#read('prune', (_, db) => pruneSqlite(db, this.#prune!, before, limits));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (!this.#db) return;
    this.#commits.flush();
    this.#dynamic.clear();
    this.#st = undefined;
    this.#prune = undefined;
    this.#db.close();
    this.#db = undefined;
    this.#lock?.release();
    this.#lock = undefined;
  }

  /** Group-commit counters, for tests and the bench. */
  stats(): SqliteStoreStats {
    return this.#commits.stats();
  }

  #usable(): void {
    if (this.#closed) throw wardenError('STORE_ERROR', `store ${this.url} is closed`);
    if (!this.#db) throw wardenError('STORE_ERROR', `store ${this.url} is not open; call init() first`);
  }

  /** Runs a read (or a breaker write) after flushing the queue, so it sees every write queued before it. */
  #read<T>(what: string, run: (st: Statements, db: DatabaseSync) => T): T {
    this.#usable();
    if (this.#commits.pending) this.#commits.flush();
    try {
      return run(this.#st!, this.#db!);
    } catch (err) {
      throw asStoreError(err, `cannot ${what} in store ${this.url}`);
    }
  }

  /** A filtered listing; its statement is prepared once per shape of filter. */
  #list<T>(what: string, column: string, table: string, where: string[], params: Params, order: string, limit: number): T[] {
    const n = sqlLimit(limit);
    return this.#read(what, (_, db) => {
      if (n === 0) return [];
      const sql = `SELECT ${column} FROM ${table}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order} LIMIT ?`;
      let stmt = this.#dynamic.get(sql);
      if (!stmt) this.#dynamic.set(sql, (stmt = db.prepare(sql)));
      return parseAll<T>(stmt.all(...params, n), column);
    });
  }

  /** Queues a write. `serialise` runs now and returns what the flush will run. */
  #write<T>(what: string, serialise: () => (st: Statements) => T): Promise<T> {
    let run: (st: Statements) => T;
    try {
      this.#usable();
      run = serialise();
    } catch (err) {
      return Promise.reject(asStoreError(err, `cannot ${what}`));
    }
    return this.#commits.push(what, run);
  }
}

/** Adds `column IN (…)`; an empty list matches nothing. */
function inList(where: string[], params: Params, column: string, values: readonly string[]): void {
  if (values.length === 0) where.push('FALSE');
  else where.push(values.length === 1 ? `${column} = ?` : `${column} IN (${values.map(() => '?').join(', ')})`);
  params.push(...values);
}

/** A LIMIT as SQLite wants it: a whole number, -1 for none; like the memory store, ≤ 0 means nothing. */
function sqlLimit(limit: number): number {
  if (limit === Infinity) return -1;
  return Number.isFinite(limit) && limit > 0 ? Math.ceil(limit) : 0;
}

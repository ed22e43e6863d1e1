import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { wardenError } from '../errors/index.js';
import type { Transition, TransitionEvent } from '../lifecycle/types.js';
import { WARDEN_MARKER, sqliteMigrations } from './migrations/sqliteMigrations.js';
import type { BreakerRecord, StepCommit, Store, TaskFilter, TaskRecord, TimerKind, TimerRow } from './Store.js';

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

/** Counters of the group commit, for tests and the bench. */
export interface SqliteStoreStats {
  /** Batch transactions run. */
  flushes: number;
  /** Writes (`createTask` and `commit` calls) that were applied. */
  steps: number;
  /** Writes that failed and were rejected. */
  failed: number;
  /** Batches that failed and were retried one write per transaction. */
  fallbacks: number;
  /** Writes queued and not yet flushed. */
  pending: number;
}

/** A queued write, already serialised: the caller may mutate its objects once the call returns. */
type Write =
  | { op: 'create'; row: TaskRow; first: TransitionRow; timers: TimerChange[]; key: string | undefined; resolve: (r: { task: TaskRecord; created: boolean }) => void; reject: (e: unknown) => void }
  | { op: 'commit'; row: TaskRow; transitions: TransitionRow[]; attempt: AttemptRow | undefined; timers: TimerChange[]; resolve: (ids: number[]) => void; reject: (e: unknown) => void };

/** The `tasks` columns, in the order of the insert and update statements. */
type TaskRow = [id: string, workflow: string, status: string, state: string, createdAt: string, updatedAt: string, idempotencyKey: string | null, inputHash: string, seq: number | null, record: string];
type TransitionRow = [seq: number, at: string, body: string];
type AttemptRow = [agent: string, attempt: number, startedAt: string, body: string];
type TimerChange = [kind: TimerKind, wakeAt: number | null];

type Statements = ReturnType<typeof prepare>;

const SQLITE_NOTADB = 26;

/**
 * The `sqlite:` store: one SQLite file through `node:sqlite`, in WAL mode.
 *
 * Writes go through a group commit: `createTask` and `commit` queue the write and one
 * `BEGIN IMMEDIATE … COMMIT` applies everything queued within `groupCommitMs` (or as soon as
 * `maxBatch` writes wait). When that transaction fails, each write is retried in its own
 * transaction so only the bad ones are rejected. Every read first flushes the queue, so a read
 * sees every write queued before it, as with the memory store.
 *
 * @example
 * const store = new SqliteStore('./warden.db');
 * await store.init();
 */
export class SqliteStore implements Store {
  readonly kind = 'sqlite';
  readonly #file: string;
  readonly #groupCommitMs: number;
  readonly #maxBatch: number;
  #db: DatabaseSync | undefined;
  #st: Statements | undefined;
  #listStatements = new Map<string, StatementSync>();
  #queue: Write[] = [];
  #timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  #closed = false;
  #stats = { flushes: 0, steps: 0, failed: 0, fallbacks: 0 };

  constructor(file: string, opts: SqliteStoreOptions = {}) {
    const { groupCommitMs = 2, maxBatch = 1000 } = opts;
    if (!(groupCommitMs >= 0 && Number.isFinite(groupCommitMs))) throw wardenError('CONFIG_INVALID', `groupCommitMs must be a finite number ≥ 0, got ${groupCommitMs}`);
    if (!(Number.isInteger(maxBatch) && maxBatch >= 1)) throw wardenError('CONFIG_INVALID', `maxBatch must be an integer ≥ 1, got ${maxBatch}`);
    this.#file = file;
    this.#groupCommitMs = groupCommitMs;
    this.#maxBatch = maxBatch;
  }

  /** `sqlite:PATH`, as the store is named in messages. */
  get url(): string {
    return `sqlite:${this.#file}`;
  }

  async init(): Promise<void> {
    if (this.#db) return;
    if (this.#closed) throw wardenError('STORE_ERROR', `store ${this.url} is closed`);
    const db = this.#open();
    try {
      // Before anything writes: a stranger's database or a newer schema is left untouched.
      db.exec('PRAGMA busy_timeout = 5000');
      this.#check(db);
      const { journal_mode: mode } = db.prepare('PRAGMA journal_mode = WAL').get() as { journal_mode: string };
      if (mode !== 'wal' && this.#file !== ':memory:') throw wardenError('STORE_ERROR', `cannot open store ${this.url}: WAL mode is unavailable (journal mode stays ${mode})`);
      db.exec('PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON');
      this.#migrate(db);
      this.#st = prepare(db);
    } catch (err) {
      db.close();
      throw err;
    }
    this.#db = db;
  }

  createTask(task: TaskRecord, first: Transition, timers?: StepCommit['timers']): Promise<{ task: TaskRecord; created: boolean }> {
    return new Promise((resolve, reject) => {
      try {
        this.#usable();
        const write: Write = { op: 'create', row: taskRow(task, [first]), first: transitionRow(first), timers: timerChanges(timers), key: task.idempotencyKey, resolve, reject };
        this.#enqueue(write);
      } catch (err) {
        reject(asStoreError(err, `cannot create task ${task.id}`));
      }
    });
  }

  commit(step: StepCommit): Promise<number[]> {
    return new Promise((resolve, reject) => {
      try {
        this.#usable();
        const { attempt } = step;
        const write: Write = {
          op: 'commit',
          row: taskRow(step.task, step.transitions),
          transitions: step.transitions.map(transitionRow),
          attempt: attempt ? [attempt.agent, attempt.attempt, attempt.startedAt, JSON.stringify(attempt)] : undefined,
          timers: timerChanges(step.timers),
          resolve,
          reject,
        };
        this.#enqueue(write);
      } catch (err) {
        reject(asStoreError(err, `cannot commit a step of task ${step.task.id}`));
      }
    });
  }

  async getTask(id: string): Promise<TaskRecord | undefined> {
    const row = this.#read().taskById.get(id) as { record: string } | undefined;
    return row ? (JSON.parse(row.record) as TaskRecord) : undefined;
  }

  async listTasks(filter: TaskFilter = {}): Promise<TaskRecord[]> {
    this.#read();
    const statuses = filter.status === undefined ? undefined : [filter.status].flat();
    const limit = sqlLimit(filter.limit ?? 100);
    if (limit === 0 || statuses?.length === 0) return [];
    const where: string[] = [];
    if (statuses) where.push(statuses.length === 1 ? 'status = ?' : `status IN (${statuses.map(() => '?').join(', ')})`);
    if (filter.workflow !== undefined) where.push('workflow = ?');
    const sql = `SELECT record FROM tasks ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, pos DESC LIMIT ?`;
    let stmt = this.#listStatements.get(sql);
    if (!stmt) this.#listStatements.set(sql, (stmt = this.#db!.prepare(sql)));
    const params = [...(statuses ?? []), ...(filter.workflow !== undefined ? [filter.workflow] : []), limit];
    return parseRecords(stmt.all(...params));
  }

  async transitions(taskId: string): Promise<Transition[]> {
    return (this.#read().transitionsOf.all(taskId) as { body: string }[]).map((r) => JSON.parse(r.body) as Transition);
  }

  async transitionsSince(afterId: number, limit = 1000): Promise<TransitionEvent[]> {
    const n = sqlLimit(limit);
    if (n === 0) return [];
    const rows = this.#read().transitionsSince.all(afterId, n) as { id: number; task_id: string; workflow: string; body: string }[];
    return rows.map((r) => ({ ...(JSON.parse(r.body) as Transition), taskId: r.task_id, workflow: r.workflow, eventId: r.id }));
  }

  async nonTerminalTasks(): Promise<TaskRecord[]> {
    return parseRecords(this.#read().nonTerminal.all());
  }

  async nextTimerAt(): Promise<number | undefined> {
    const row = this.#read().nextTimer.get() as { at: number | null };
    return row.at ?? undefined;
  }

  async dueTimers(now: number, limit: number): Promise<TimerRow[]> {
    const n = sqlLimit(limit);
    if (n === 0) return [];
    const rows = this.#read().dueTimers.all(now, n) as { task_id: string; kind: TimerKind; wake_at: number }[];
    return rows.map((r) => ({ taskId: r.task_id, kind: r.kind, wakeAt: r.wake_at }));
  }

  async saveBreaker(agent: string, snapshot: unknown, at: number): Promise<void> {
    // A breaker is independent of the queued steps, so it is written at once, outside the batch.
    this.#read().saveBreaker.run(agent, JSON.stringify(snapshot) ?? 'null', at);
  }

  async loadBreakers(): Promise<BreakerRecord[]> {
    const rows = this.#read().loadBreakers.all() as { agent: string; snapshot: string; updated_at: number }[];
    return rows.map((r) => ({ agent: r.agent, snapshot: JSON.parse(r.snapshot) as unknown, updatedAt: r.updated_at }));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (!this.#db) return;
    this.#flush();
    this.#listStatements.clear();
    this.#st = undefined;
    this.#db.close();
    this.#db = undefined;
  }

  /** Group-commit counters, for tests and the bench. */
  stats(): SqliteStoreStats {
    return { ...this.#stats, pending: this.#queue.length };
  }

  #open(): DatabaseSync {
    const fail = (reason: string, cause?: unknown) => wardenError('STORE_ERROR', `cannot open store ${this.url}: ${reason}`, { cause });
    if (this.#file !== ':memory:' && !this.#file.startsWith('file:')) {
      // SQLite says only "unable to open database file"; name the usual causes instead.
      if (existsSync(this.#file) && statSync(this.#file).isDirectory()) throw fail('the path is a directory');
      const dir = dirname(this.#file);
      if (!existsSync(dir)) throw fail(`the directory ${dir} does not exist`);
    }
    try {
      return new DatabaseSync(this.#file);
    } catch (err) {
      throw fail(messageOf(err), err);
    }
  }

  /** Refuses files that are not SQLite, SQLite databases that are not Warden's, and newer schemas. */
  #check(db: DatabaseSync): void {
    let tables: string[];
    try {
      tables = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'`).all() as { name: string }[]).map((r) => r.name);
    } catch (err) {
      if ((err as { errcode?: number }).errcode === SQLITE_NOTADB) {
        throw wardenError('STORE_ERROR', `store ${this.url} is not a Warden SQLite database (${messageOf(err)})`, { cause: err });
      }
      throw wardenError('STORE_ERROR', `cannot open store ${this.url}: ${messageOf(err)}`, { cause: err });
    }
    if (tables.length === 0) return; // a new (or empty) file: the migrations create everything
    const marker = tables.includes('meta') ? (db.prepare('SELECT value FROM meta WHERE key = ?').get(WARDEN_MARKER.key) as { value: unknown } | undefined) : undefined;
    if (marker?.value !== WARDEN_MARKER.value) {
      throw wardenError('STORE_ERROR', `store ${this.url} is not a Warden SQLite database (it has tables but no Warden marker)`);
    }
    const version = userVersion(db);
    if (version > sqliteMigrations.length) {
      throw wardenError('STORE_ERROR', `store ${this.url} has schema version ${version}, newer than this Warden (${sqliteMigrations.length}); upgrade Warden`);
    }
  }

  #migrate(db: DatabaseSync): void {
    for (let v = userVersion(db); v < sqliteMigrations.length; v++) {
      try {
        db.exec('BEGIN IMMEDIATE');
        // Another process may have migrated while this one waited for the lock.
        const current = userVersion(db);
        if (current > v) {
          db.exec('COMMIT');
          v = current - 1;
          continue;
        }
        db.exec(sqliteMigrations[v]!);
        db.exec(`PRAGMA user_version = ${v + 1}`);
        db.exec('COMMIT');
      } catch (err) {
        if (db.isTransaction) db.exec('ROLLBACK');
        throw wardenError('STORE_ERROR', `cannot migrate store ${this.url} to schema version ${v + 1}: ${messageOf(err)}`, { cause: err });
      }
    }
  }

  #usable(): void {
    if (this.#closed) throw wardenError('STORE_ERROR', `store ${this.url} is closed`);
    if (!this.#db) throw wardenError('STORE_ERROR', `store ${this.url} is not open; call init() first`);
  }

  /** The statements, after flushing the queue so the read sees every write queued before it. */
  #read(): Statements {
    this.#usable();
    if (this.#queue.length) this.#flush();
    return this.#st!;
  }

  #enqueue(write: Write): void {
    this.#queue.push(write);
    if (this.#queue.length >= this.#maxBatch) this.#flush();
    else if (!this.#timer) {
      const flush = () => {
        this.#timer = undefined;
        this.#flush();
      };
      this.#timer = this.#groupCommitMs > 0 ? setTimeout(flush, this.#groupCommitMs) : setImmediate(flush);
    }
  }

  /** Applies every queued write: one transaction, or one each when the batch fails. */
  #flush(): void {
    if (this.#timer) {
      clearTimeout(this.#timer as NodeJS.Timeout);
      clearImmediate(this.#timer as NodeJS.Immediate);
      this.#timer = undefined;
    }
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
      // The database itself is unavailable (locked past busy_timeout, closed, full): every write fails.
      return this.#rejectAll(batch, err);
    }
    try {
      for (const w of batch) results.push(apply(st, w));
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
    for (let i = 0; i < batch.length; i++) settle(batch[i]!, results[i]);
  }

  #rejectAll(batch: Write[], err: unknown): void {
    this.#stats.failed += batch.length;
    for (const w of batch) w.reject(asStoreError(err, describe(w)));
  }

  #applyAlone(db: DatabaseSync, st: Statements, w: Write): void {
    let result: unknown;
    try {
      db.exec('BEGIN IMMEDIATE');
      result = apply(st, w);
      db.exec('COMMIT');
    } catch (err) {
      if (db.isTransaction) db.exec('ROLLBACK');
      this.#stats.failed++;
      w.reject(asStoreError(err, describe(w)));
      return;
    }
    this.#stats.steps++;
    settle(w, result);
  }
}

function prepare(db: DatabaseSync) {
  return {
    taskById: db.prepare('SELECT record FROM tasks WHERE id = ?'),
    taskByKey: db.prepare('SELECT record FROM tasks WHERE idempotency_key = ?'),
    insertTask: db.prepare(
      `INSERT INTO tasks (id, workflow, status, state, created_at, updated_at, idempotency_key, input_hash, seq, record)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, coalesce(?, 0), ?)`,
    ),
    // Only what a step may change: an index is rewritten whenever its column is SET, changed or not.
    updateTask: db.prepare('UPDATE tasks SET status = ?, state = ?, updated_at = ?, seq = coalesce(?, seq), record = ? WHERE id = ?'),
    insertTransition: db.prepare('INSERT INTO transitions (task_id, seq, at, body) VALUES (?, ?, ?, ?)'),
    upsertAttempt: db.prepare(
      `INSERT INTO attempts (task_id, agent, attempt, started_at, body) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (task_id, agent, attempt, started_at) DO UPDATE SET body = excluded.body`,
    ),
    setTimer: db.prepare(
      `INSERT INTO timers (task_id, kind, wake_at) VALUES (?, ?, ?)
       ON CONFLICT (task_id, kind) DO UPDATE SET wake_at = excluded.wake_at`,
    ),
    clearTimer: db.prepare('DELETE FROM timers WHERE task_id = ? AND kind = ?'),
    transitionsOf: db.prepare('SELECT body FROM transitions WHERE task_id = ? ORDER BY seq'),
    transitionsSince: db.prepare(
      `SELECT tr.id, tr.task_id, t.workflow, tr.body FROM transitions tr JOIN tasks t ON t.id = tr.task_id
       WHERE tr.id > ? ORDER BY tr.id LIMIT ?`,
    ),
    // Same condition as the partial index tasks_live, so recovery reads only unfinished tasks.
    nonTerminal: db.prepare(`SELECT record FROM tasks WHERE status NOT IN ('completed', 'degraded', 'failed', 'cancelled') ORDER BY pos`),
    nextTimer: db.prepare('SELECT min(wake_at) AS at FROM timers'),
    dueTimers: db.prepare('SELECT task_id, kind, wake_at FROM timers WHERE wake_at <= ? ORDER BY wake_at, task_id, kind LIMIT ?'),
    saveBreaker: db.prepare(
      `INSERT INTO breakers (agent, snapshot, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (agent) DO UPDATE SET snapshot = excluded.snapshot, updated_at = excluded.updated_at`,
    ),
    loadBreakers: db.prepare('SELECT agent, snapshot, updated_at FROM breakers ORDER BY rowid'),
  };
}

/** Runs one write's statements; throws to fail it. Returns what its promise resolves with. */
function apply(st: Statements, w: Write): unknown {
  const id = w.row[0];
  if (w.op === 'create') {
    if (w.key !== undefined) {
      const existing = st.taskByKey.get(w.key) as { record: string } | undefined;
      if (existing) return { task: JSON.parse(existing.record) as TaskRecord, created: false };
    }
    st.insertTask.run(...w.row);
    st.insertTransition.run(id, ...w.first);
    applyTimers(st, id, w.timers);
    return { task: JSON.parse(w.row[9]) as TaskRecord, created: true };
  }
  const [, , status, state, , updatedAt, , , seq, record] = w.row;
  if (st.updateTask.run(status, state, updatedAt, seq, record, id).changes === 0) throw new Error('no such task');
  const ids: number[] = [];
  for (const t of w.transitions) ids.push(Number(st.insertTransition.run(id, ...t).lastInsertRowid));
  if (w.attempt) st.upsertAttempt.run(id, ...w.attempt);
  applyTimers(st, id, w.timers);
  return ids;
}

function applyTimers(st: Statements, taskId: string, timers: TimerChange[]): void {
  for (const [kind, wakeAt] of timers) {
    if (wakeAt === null) st.clearTimer.run(taskId, kind);
    else st.setTimer.run(taskId, kind, wakeAt);
  }
}

const describe = (w: Write): string => (w.op === 'create' ? `cannot create task ${w.row[0]}` : `cannot commit a step of task ${w.row[0]}`);

function settle(w: Write, result: unknown): void {
  if (w.op === 'create') w.resolve(result as { task: TaskRecord; created: boolean });
  else w.resolve(result as number[]);
}

function taskRow(t: TaskRecord, transitions: readonly Transition[]): TaskRow {
  const seq = transitions.length ? transitions[transitions.length - 1]!.seq : null;
  return [t.id, t.workflow, t.status, t.state, t.createdAt, t.updatedAt, t.idempotencyKey ?? null, t.inputHash, seq, JSON.stringify(t)];
}

const transitionRow = (t: Transition): TransitionRow => [t.seq, t.at, JSON.stringify(t)];

const timerChanges = (timers: StepCommit['timers']): TimerChange[] => (timers ?? []).map((t) => [t.kind, t.wakeAt]);

const parseRecords = (rows: unknown[]): TaskRecord[] => (rows as { record: string }[]).map((r) => JSON.parse(r.record) as TaskRecord);

const userVersion = (db: DatabaseSync): number => (db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version;

/** A LIMIT as SQLite wants it: a whole number, -1 for none; like the memory store, ≤ 0 means nothing. */
function sqlLimit(limit: number): number {
  if (limit === Infinity) return -1;
  return Number.isFinite(limit) && limit > 0 ? Math.ceil(limit) : 0;
}

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

function asStoreError(err: unknown, context: string) {
  if (err && typeof err === 'object' && (err as { code?: unknown }).code === 'STORE_ERROR') return err;
  return wardenError('STORE_ERROR', `${context}: ${messageOf(err)}`, { cause: err });
}

import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { EscalationRecord, EscalationWrite, OutboxRow } from '../escalation/types.js';
import { wardenError } from '../errors/index.js';
import { TERMINAL_STATUSES, type TaskStatus, type Transition, type TransitionEvent } from '../lifecycle/types.js';
import { WARDEN_MARKER, sqliteMigrations } from './migrations/sqliteMigrations.js';
import type { BreakerRecord, EscalationFilter, StepCommit, Store, TaskFilter, TaskRecord, TimerKind, TimerRow } from './Store.js';

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

type Statements = ReturnType<typeof prepare>;
type Params = (string | number | bigint | null)[];

const SQLITE_NOTADB = 26;

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
  readonly #groupCommitMs: number;
  readonly #maxBatch: number;
  #db: DatabaseSync | undefined;
  #st: Statements | undefined;
  #dynamic = new Map<string, StatementSync>();
  #queue: Write[] = [];
  /** Cancels the scheduled flush, while one is scheduled. */
  #cancelFlush: (() => void) | undefined;
  #closed = false;
  #stats = { flushes: 0, steps: 0, failed: 0, fallbacks: 0 };

  constructor(file: string, opts: SqliteStoreOptions = {}) {
    const { groupCommitMs = 2, maxBatch = 1000 } = opts;
    if (!(groupCommitMs >= 0 && Number.isFinite(groupCommitMs)))
      throw wardenError('CONFIG_INVALID', `groupCommitMs must be a finite number ≥ 0, got ${groupCommitMs}`);
    if (!(Number.isInteger(maxBatch) && maxBatch >= 1))
      throw wardenError('CONFIG_INVALID', `maxBatch must be an integer ≥ 1, got ${maxBatch}`);
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
      if (mode !== 'wal' && this.#file !== ':memory:')
        throw wardenError('STORE_ERROR', `cannot open store ${this.url}: WAL mode is unavailable (journal mode stays ${mode})`);
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
    return this.#write(`create task ${task.id}`, () => {
      const key = task.idempotencyKey ?? null;
      const record = JSON.stringify(task);
      const row = [task.id, task.workflow, task.status, task.state, task.createdAt, task.updatedAt, key, task.inputHash, first.seq, record];
      const firstRow = transitionRow(first);
      const timerRows = timerChanges(task.id, timers);
      return (st) => {
        if (key !== null) {
          const existing = st.taskByKey.get(key) as { record: string } | undefined;
          if (existing) return { task: JSON.parse(existing.record) as TaskRecord, created: false };
        }
        const pos = st.insertTask.run(...row).lastInsertRowid;
        st.insertTransition.run(pos, ...firstRow);
        applyTimers(st, timerRows);
        return { task: JSON.parse(record) as TaskRecord, created: true };
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
      return (st) => {
        const updated = st.updateTask.get(...row) as { pos: number } | undefined;
        if (!updated) throw new Error('no such task');
        const ids = transitions.map((t) => Number(st.insertTransition.run(updated.pos, ...t).lastInsertRowid));
        if (attemptRow) st.upsertAttempt.run(updated.pos, ...attemptRow);
        applyTimers(st, timerRows);
        if (escalation) applyEscalation(st, escalation);
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

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (!this.#db) return;
    this.#flush();
    this.#dynamic.clear();
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
    if (this.#file !== ':memory:') {
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
      tables = (
        db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'`).all() as {
          name: string;
        }[]
      ).map((r) => r.name);
    } catch (err) {
      if ((err as { errcode?: unknown }).errcode === SQLITE_NOTADB) {
        throw wardenError('STORE_ERROR', `store ${this.url} is not a Warden SQLite database (${messageOf(err)})`, { cause: err });
      }
      throw wardenError('STORE_ERROR', `cannot open store ${this.url}: ${messageOf(err)}`, { cause: err });
    }
    const version = userVersion(db);
    if (tables.length === 0) {
      if (version === 0) return; // a new (or empty) file: the migrations create everything
      throw wardenError(
        'STORE_ERROR',
        `store ${this.url} is not a Warden SQLite database (it has schema version ${version} but no tables)`,
      );
    }
    const marker = tables.includes('meta')
      ? (db.prepare('SELECT value FROM meta WHERE key = ?').get(WARDEN_MARKER.key) as { value: unknown } | undefined)
      : undefined;
    if (marker?.value !== WARDEN_MARKER.value) {
      throw wardenError('STORE_ERROR', `store ${this.url} is not a Warden SQLite database (it has tables but no Warden marker)`);
    }
    if (version > sqliteMigrations.length) {
      throw wardenError(
        'STORE_ERROR',
        `store ${this.url} has schema version ${version}, newer than this Warden (${sqliteMigrations.length}); upgrade Warden`,
      );
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

  /** Runs a read (or a breaker write) after flushing the queue, so it sees every write queued before it. */
  #read<T>(what: string, run: (st: Statements, db: DatabaseSync) => T): T {
    this.#usable();
    if (this.#queue.length) this.#flush();
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
    return new Promise<T>((resolve, reject) => {
      try {
        this.#usable();
        this.#queue.push({ what, run: serialise(), resolve: resolve as (result: never) => void, reject });
      } catch (err) {
        reject(asStoreError(err, `cannot ${what}`));
        return;
      }
      if (this.#queue.length >= this.#maxBatch) this.#flush();
      else if (!this.#cancelFlush) this.#scheduleFlush();
    });
  }

  #scheduleFlush(): void {
    const flush = () => this.#flush();
    if (this.#groupCommitMs > 0) {
      const t = setTimeout(flush, this.#groupCommitMs);
      this.#cancelFlush = () => clearTimeout(t);
    } else {
      const t = setImmediate(flush);
      this.#cancelFlush = () => clearImmediate(t);
    }
  }

  /** Applies every queued write: one transaction, or one each when a write in the batch fails. */
  #flush(): void {
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

function prepare(db: DatabaseSync) {
  return {
    taskById: db.prepare('SELECT record FROM tasks WHERE id = ?'),
    taskByKey: db.prepare('SELECT record FROM tasks WHERE idempotency_key = ?'),
    insertTask: db.prepare(
      `INSERT INTO tasks (id, workflow, status, state, created_at, updated_at, idempotency_key, input_hash, seq, record)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    // Only what a step may change: an index is rewritten whenever its column is SET, changed or not.
    updateTask: db.prepare(
      'UPDATE tasks SET status = ?, state = ?, updated_at = ?, seq = coalesce(?, seq), record = ? WHERE id = ? RETURNING pos',
    ),
    insertTransition: db.prepare('INSERT INTO transitions (task_pos, seq, at, body) VALUES (?, ?, ?, ?)'),
    upsertAttempt: db.prepare(
      `INSERT INTO attempts (task_pos, agent, attempt, started_at, body) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (task_pos, agent, attempt, started_at) DO UPDATE SET body = excluded.body`,
    ),
    setTimer: db.prepare(
      `INSERT INTO timers (owner_id, kind, wake_at) VALUES (?, ?, ?)
       ON CONFLICT (owner_id, kind) DO UPDATE SET wake_at = excluded.wake_at`,
    ),
    clearTimer: db.prepare('DELETE FROM timers WHERE owner_id = ? AND kind = ?'),
    transitionsOf: db.prepare('SELECT body FROM transitions WHERE task_pos = (SELECT pos FROM tasks WHERE id = ?) ORDER BY seq'),
    transitionsSince: db.prepare(
      `SELECT tr.id, t.id AS task_id, t.workflow, tr.body FROM transitions tr JOIN tasks t ON t.pos = tr.task_pos
       WHERE tr.id > ? ORDER BY tr.id LIMIT ?`,
    ),
    // The distinct statuses in one index seek each rather than a scan (SQLite's "loose index scan").
    statuses: db.prepare(
      `WITH RECURSIVE s (status) AS (
         SELECT min(status) FROM tasks
         UNION ALL SELECT (SELECT min(status) FROM tasks WHERE status > s.status) FROM s WHERE s.status IS NOT NULL)
       SELECT status FROM s WHERE status IS NOT NULL`,
    ),
    nextTimer: db.prepare('SELECT min(wake_at) AS at FROM timers'),
    dueTimers: db.prepare('SELECT owner_id, kind, wake_at FROM timers WHERE wake_at <= ? ORDER BY wake_at, owner_id, kind LIMIT ?'),
    upsertEscalation: db.prepare(
      `INSERT INTO escalations (id, fingerprint, workflow, plan_key, status, created_ms, updated_at, record) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET fingerprint = excluded.fingerprint, workflow = excluded.workflow, plan_key = excluded.plan_key,
         status = excluded.status, created_ms = excluded.created_ms, updated_at = excluded.updated_at, record = excluded.record`,
    ),
    escalationById: db.prepare('SELECT record FROM escalations WHERE id = ?'),
    openEscalation: db.prepare(
      `SELECT record FROM escalations WHERE fingerprint = ? AND status <> 'resolved' AND created_ms >= ? ORDER BY pos DESC LIMIT 1`,
    ),
    unresolved: db.prepare(`SELECT record FROM escalations WHERE workflow = ? AND plan_key = ? AND status <> 'resolved' ORDER BY pos`),
    upsertOutbox: db.prepare(
      `INSERT INTO outbox (id, escalation_id, status, next_attempt_at, created_at, body) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET escalation_id = excluded.escalation_id, status = excluded.status,
         next_attempt_at = excluded.next_attempt_at, created_at = excluded.created_at, body = excluded.body`,
    ),
    // `status = 'pending'` matches the partial index outbox_due.
    dueOutbox: db.prepare(
      `SELECT body FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, created_at, pos LIMIT ?`,
    ),
    nextOutbox: db.prepare(`SELECT min(next_attempt_at) AS at FROM outbox WHERE status = 'pending'`),
    outboxOf: db.prepare('SELECT body FROM outbox WHERE escalation_id = ? ORDER BY pos'),
    saveBreaker: db.prepare(
      `INSERT INTO breakers (agent, snapshot, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (agent) DO UPDATE SET snapshot = excluded.snapshot, updated_at = excluded.updated_at`,
    ),
    loadBreakers: db.prepare('SELECT agent, snapshot, updated_at FROM breakers ORDER BY rowid'),
  };
}

const transitionRow = (t: Transition): Params => [t.seq, t.at, JSON.stringify(t)];

const timerChanges = (ownerId: string, timers: StepCommit['timers']): [string, TimerKind, number | null][] =>
  (timers ?? []).map((t) => [ownerId, t.kind, t.wakeAt]);

function applyTimers(st: Statements, timers: [string, TimerKind, number | null][]): void {
  for (const [owner, kind, wakeAt] of timers) {
    if (wakeAt === null) st.clearTimer.run(owner, kind);
    else st.setTimer.run(owner, kind, wakeAt);
  }
}

type EscalationRows = { records: Params[]; outbox: Params[]; timers: [string, TimerKind, number | null][] };

function escalationRows(write: EscalationWrite): EscalationRows {
  return {
    records: write.records.map((r) => {
      const createdMs = Date.parse(r.createdAt);
      return [
        r.id,
        r.fingerprint,
        r.workflow,
        r.planKey,
        r.status,
        Number.isNaN(createdMs) ? null : createdMs,
        r.updatedAt,
        JSON.stringify(r),
      ];
    }),
    outbox: write.outbox.map((o) => [o.id, o.escalationId, o.status, o.nextAttemptAt, o.createdAt, JSON.stringify(o)]),
    timers: (write.timers ?? []).map((t) => [t.ownerId, t.kind, t.wakeAt]),
  };
}

function applyEscalation(st: Statements, rows: EscalationRows): void {
  for (const r of rows.records) st.upsertEscalation.run(...r);
  for (const o of rows.outbox) st.upsertOutbox.run(...o);
  applyTimers(st, rows.timers);
}

/** Adds `column IN (…)`; an empty list matches nothing. */
function inList(where: string[], params: Params, column: string, values: readonly string[]): void {
  if (values.length === 0) where.push('FALSE');
  else where.push(values.length === 1 ? `${column} = ?` : `${column} IN (${values.map(() => '?').join(', ')})`);
  params.push(...values);
}

const parseOne = <T>(row: unknown, column: string): T | undefined =>
  row === undefined ? undefined : (JSON.parse((row as Record<string, string>)[column]!) as T);

const parseAll = <T>(rows: unknown[], column: string): T[] => rows.map((r) => JSON.parse((r as Record<string, string>)[column]!) as T);

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

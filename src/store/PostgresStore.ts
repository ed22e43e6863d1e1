import pg from 'pg';
import type { EscalationRecord, EscalationWrite, OutboxRow } from '../escalation/types.js';
import { isWardenError, wardenError } from '../errors/index.js';
import type { Transition, TransitionEvent } from '../lifecycle/types.js';
import { migratePostgres, quoteIdent } from './migrations/postgresMigrations.js';
import { STREAM_SLOTS, statements, type Statements } from './postgresStatements.js';
import { parsePostgresUrl } from './postgresUrl.js';
import type { BreakerRecord, EscalationFilter, StepCommit, Store, TaskFilter, TaskRecord, TimerKind, TimerRow } from './Store.js';
import { WriteOrder } from './WriteOrder.js';

/**
 * The `postgres://` store, for many workers sharing one database.
 * @module
 */

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

/** Options for {@link PostgresStore}. */
export interface PostgresStoreOptions {
  /**
   * The schema holding Warden's tables, created on `init()` when missing. A lowercase SQL name.
   * @default the URL's `?schema=` parameter, else `warden`
   */
  schema?: string;
  /** Connections in the pool. @default 10 */
  poolSize?: number;
  /** How long to wait for a connection before failing with STORE_ERROR. @default 10000 */
  connectTimeoutMs?: number;
  /** Transaction hooks; also settable later through {@link PostgresStore.hooks}. */
  hooks?: PostgresStoreHooks;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

type Queryable = Pick<pg.ClientBase, 'query'>;
type Params = unknown[];

/**
 * The `postgres://` store: Warden's tables in one schema of a Postgres (13 or later) database,
 * shared by every worker. Every write runs in one transaction on a pooled connection.
 *
 * **Steps are checked, not locked.** A step's `task.seq` (the engine's record carries it) is the
 * task's seq after the step, so the database must still hold `task.seq − transitions.length`;
 * otherwise another worker moved the task first and the step is rejected with STEP_CONFLICT,
 * writing nothing. A record without `seq` is checked against its transitions' seqs instead, and
 * not at all when it has no transitions.
 *
 * **Order within a process.** Writes that touch the same task, escalation, outbox row or breaker
 * apply in the order they were made, and a read of one task or escalation (`getTask`,
 * `transitions`, `getEscalation`, `outboxOf`) waits for the writes made to it before, as with the
 * SQLite store. Listings do not wait: under load some write is always in flight.
 *
 * **The transition stream.** With concurrent transactions, stream ids from a sequence would not
 * follow commit order: a reader could pass id 11 while the transaction holding id 10 is still to
 * commit, and miss it for ever. So a transition's id is its transaction's id (xid8) × 1024 plus
 * its index, every transaction that writes transitions holds a shared advisory lock that marks
 * it, and {@link transitionsSince} returns only ids below the oldest marked transaction still
 * running. A slow write delays the stream; it never loses from it.
 *
 * The URL may carry `?schema=NAME`; it is removed before the URL reaches `pg`.
 *
 * @example
 * const store = new PostgresStore('postgres://warden:secret@db.internal/warden?schema=prod');
 * await store.init();
 */
export class PostgresStore implements Store {
  readonly kind = 'postgres';
  /** Transaction hooks (see {@link PostgresStoreHooks}); read at each write. */
  hooks: PostgresStoreHooks | undefined;
  readonly #pool: pg.Pool;
  readonly #schema: string;
  readonly #url: string;
  readonly #connectionString: string;
  readonly #secret: string | undefined;
  readonly #sql: Statements;
  readonly #order = new WriteOrder();
  #opening: Promise<void> | undefined;
  #open = false;
  #closed = false;
  #closing: Promise<void> | undefined;

  constructor(url: string, opts: PostgresStoreOptions = {}) {
    const parsed = parsePostgresUrl(url);
    const { schema = parsed.schema ?? 'warden', poolSize = 10, connectTimeoutMs = 10_000 } = opts;
    if (!SCHEMA_NAME.test(schema)) {
      throw wardenError('CONFIG_INVALID', `schema must be a lowercase SQL name (letters, digits, _; at most 63), got "${schema}"`);
    }
    if (!(Number.isInteger(poolSize) && poolSize >= 1))
      throw wardenError('CONFIG_INVALID', `poolSize must be an integer ≥ 1, got ${poolSize}`);
    if (!(Number.isFinite(connectTimeoutMs) && connectTimeoutMs > 0)) {
      throw wardenError('CONFIG_INVALID', `connectTimeoutMs must be a finite number > 0, got ${connectTimeoutMs}`);
    }
    this.#schema = schema;
    this.#connectionString = parsed.connectionString;
    this.#secret = parsed.password;
    this.#url = `${parsed.display}${schema === 'warden' ? '' : `?schema=${schema}`}`;
    this.#sql = statements(quoteIdent(schema), schema);
    this.hooks = opts.hooks;
    this.#pool = new pg.Pool({
      connectionString: parsed.connectionString,
      max: poolSize,
      connectionTimeoutMillis: connectTimeoutMs,
      application_name: 'warden',
    });
    // An idle connection that drops (a server restart) is removed from the pool and reported
    // here; without a listener it would crash the process. The next query opens a new one.
    this.#pool.on('error', () => {});
  }

  /** The store as named in messages: `postgres://user:***@host:port/db`, plus `?schema=` unless it is `warden`. */
  get url(): string {
    return this.#url;
  }

  /** The schema holding Warden's tables. */
  get schema(): string {
    return this.#schema;
  }

  /** The URL for `pg` (without `?schema=`), password included: for pg-boss and other connections, never for messages. */
  get connectionString(): string {
    return this.#connectionString;
  }

  /** The store's connection pool, e.g. for pg-boss to share the database. */
  get pool(): pg.Pool {
    return this.#pool;
  }

  async init(): Promise<void> {
    if (this.#closed) throw wardenError('STORE_ERROR', `store ${this.#url} is closed`);
    this.#opening ??= this.#migrate().catch((err: unknown) => {
      this.#opening = undefined;
      throw err;
    });
    await this.#opening;
  }

  createTask(task: TaskRecord, first: Transition, timers?: StepCommit['timers']): Promise<{ task: TaskRecord; created: boolean }> {
    const sql = this.#sql;
    // Serialised now: the caller may change its objects while the write waits its turn.
    const record = JSON.stringify(task);
    const key = task.idempotencyKey ?? null;
    const row = [
      task.id,
      task.workflow,
      task.status,
      task.state,
      task.createdAt,
      task.updatedAt,
      key,
      task.inputHash,
      seqOf(task) ?? first.seq,
      record,
    ];
    const firstRow = [first.seq, first.at, JSON.stringify(first)];
    const timerRows = timerColumns(timers);
    const hookTimers = timers?.map((t) => ({ ...t }));
    return this.#write(`create task ${task.id}`, [`t:${task.id}`], true, async (client, xid) => {
      const { rows } = await client.query<{ n: number }>(sql.createTask, [...row, ...transitionColumns(xid, [firstRow]), ...timerRows]);
      if (rows[0]!.n === 0) {
        const existing = await client.query<{ record: TaskRecord }>(sql.taskByKey, [key]);
        return { task: existing.rows[0]!.record, created: false };
      }
      await this.hooks?.createTask?.(dbOf(client), JSON.parse(record) as TaskRecord, hookTimers);
      return { task: JSON.parse(record) as TaskRecord, created: true };
    });
  }

  commit(step: StepCommit): Promise<number[]> {
    const sql = this.#sql;
    const { task, transitions } = step;
    const what = `commit a step of task ${task.id}`;
    if (transitions.length > STREAM_SLOTS)
      return Promise.reject(wardenError('STORE_ERROR', `cannot ${what}: a step may write at most ${STREAM_SLOTS} transitions`));
    const seq = seqOf(task);
    const newSeq = seq ?? transitions.at(-1)?.seq ?? null;
    const expected = seq !== undefined ? seq - transitions.length : transitions.length ? transitions[0]!.seq - 1 : null;
    const row = [task.id, task.status, task.state, task.updatedAt, newSeq, JSON.stringify(task), expected];
    const transitionRows = transitions.map((t) => [t.seq, t.at, JSON.stringify(t)]);
    const { attempt } = step;
    const attemptRow = attempt ? [attempt.agent, attempt.attempt, attempt.startedAt, JSON.stringify(attempt)] : [null, null, null, null];
    const timerRows = timerColumns(step.timers);
    const escalation = step.escalation ? escalationRows(step.escalation) : undefined;
    // The hooks get a copy as of this call; made only when there are hooks to see it.
    const hookStep = this.hooks ? (JSON.parse(JSON.stringify(step)) as StepCommit) : undefined;
    const keys = [`t:${task.id}`, ...(step.escalation ? escalationKeys(step.escalation) : [])];
    return this.#write(what, keys, transitions.length > 0, async (client, xid) => {
      const columns = transitionColumns(xid, transitionRows);
      const { rows } = await client.query<{ n: number }>(sql.commitStep, [...row, ...columns, ...timerRows, ...attemptRow]);
      if (rows[0]!.n === 0) {
        const found = await client.query<{ seq: number }>(sql.taskSeq, [task.id]);
        if (found.rowCount === 0) throw wardenError('STORE_ERROR', `cannot ${what} in store ${this.#url}: no such task`);
        throw wardenError('STEP_CONFLICT', `task ${task.id} was changed by another worker (expected seq ${expected})`, {
          details: { taskId: task.id, expectedSeq: expected, seq: found.rows[0]!.seq },
        });
      }
      if (escalation) await applyEscalation(client, sql, escalation);
      const hooks = this.hooks;
      if (hooks && hookStep) {
        await hooks.commit?.(dbOf(client), hookStep);
        if (hookStep.escalation) await hooks.writeEscalations?.(dbOf(client), hookStep.escalation);
      }
      return columns[0].map(Number);
    });
  }

  writeEscalations(write: EscalationWrite): Promise<void> {
    const rows = escalationRows(write);
    const hookWrite = this.hooks ? (JSON.parse(JSON.stringify(write)) as EscalationWrite) : undefined;
    return this.#write('write escalations', escalationKeys(write), false, async (client) => {
      await applyEscalation(client, this.#sql, rows);
      if (hookWrite) await this.hooks?.writeEscalations?.(dbOf(client), hookWrite);
    });
  }

  async getTask(id: string): Promise<TaskRecord | undefined> {
    return (await this.#read<{ record: TaskRecord }>(`read task ${id}`, this.#sql.taskById, [id], [`t:${id}`]))[0]?.record;
  }

  async listTasks(filter: TaskFilter = {}): Promise<TaskRecord[]> {
    return this.#list<TaskRecord>('list tasks', 'tasks', 'created_at DESC, pos DESC', filter);
  }

  async transitions(taskId: string): Promise<Transition[]> {
    const rows = await this.#read<{ body: Transition }>(
      `read the transitions of task ${taskId}`,
      this.#sql.transitionsOf,
      [taskId],
      [`t:${taskId}`],
    );
    return rows.map((r) => r.body);
  }

  /**
   * Transitions above `afterId`, oldest first, that can no longer be overtaken: those of
   * transactions older than every transaction still writing transitions (see the class notes).
   */
  async transitionsSince(afterId: number, limit = 1000): Promise<TransitionEvent[]> {
    const n = sqlLimit(limit);
    if (n === 0 || afterId === Infinity) return [];
    const horizon = await this.#horizon();
    const after = Number.isFinite(afterId) ? Math.floor(afterId) : 0;
    const rows = await this.#read<{ id: string; task_id: string; workflow: string; body: Transition }>(
      'read the transition stream',
      this.#sql.transitionsSince,
      [after, horizon, n],
    );
    return rows.map((r) => ({ ...r.body, taskId: r.task_id, workflow: r.workflow, eventId: Number(r.id) }));
  }

  /**
   * A stream position to start reading from: every transition at or below it is already readable,
   * and every one written later will be above it. Not necessarily the id of a transition.
   */
  async lastTransitionId(): Promise<number> {
    return Number(await this.#horizon()) * STREAM_SLOTS - 1;
  }

  async nonTerminalTasks(): Promise<TaskRecord[]> {
    const rows = await this.#read<{ record: TaskRecord }>('list unfinished tasks', this.#sql.liveTasks, []);
    return rows.map((r) => r.record);
  }

  async nextTimerAt(): Promise<number | undefined> {
    return (await this.#read<{ at: number | null }>('read timers', this.#sql.nextTimer, []))[0]?.at ?? undefined;
  }

  async dueTimers(now: number, limit: number): Promise<TimerRow[]> {
    const n = sqlLimit(limit);
    if (n === 0) return [];
    const rows = await this.#read<{ owner_id: string; kind: TimerKind; wake_at: number }>('read timers', this.#sql.dueTimers, [now, n]);
    return rows.map((r) => ({ taskId: r.owner_id, kind: r.kind, wakeAt: r.wake_at }));
  }

  async getEscalation(id: string): Promise<EscalationRecord | undefined> {
    return (await this.#read<{ record: EscalationRecord }>(`read escalation ${id}`, this.#sql.escalationById, [id], [`e:${id}`]))[0]
      ?.record;
  }

  async listEscalations(filter: EscalationFilter = {}): Promise<EscalationRecord[]> {
    return this.#list<EscalationRecord>('list escalations', 'escalations', 'pos DESC', filter);
  }

  async findOpenEscalation(fingerprint: string, since: number): Promise<EscalationRecord | undefined> {
    return (await this.#read<{ record: EscalationRecord }>('find an open escalation', this.#sql.openEscalation, [fingerprint, since]))[0]
      ?.record;
  }

  async findUnresolved(workflow: string, planKey: string): Promise<EscalationRecord[]> {
    const rows = await this.#read<{ record: EscalationRecord }>('find unresolved escalations', this.#sql.unresolved, [workflow, planKey]);
    return rows.map((r) => r.record);
  }

  async dueOutbox(now: number, limit: number): Promise<OutboxRow[]> {
    const n = sqlLimit(limit);
    if (n === 0) return [];
    return (await this.#read<{ body: OutboxRow }>('read the outbox', this.#sql.dueOutbox, [now, n])).map((r) => r.body);
  }

  async nextOutboxAt(): Promise<number | undefined> {
    return (await this.#read<{ at: number | null }>('read the outbox', this.#sql.nextOutbox, []))[0]?.at ?? undefined;
  }

  async outboxOf(escalationId: string): Promise<OutboxRow[]> {
    return (
      await this.#read<{ body: OutboxRow }>(
        `read the outbox of escalation ${escalationId}`,
        this.#sql.outboxOf,
        [escalationId],
        [`e:${escalationId}`],
      )
    ).map((r) => r.body);
  }

  /** Keeps the snapshot with the newest `at`: unlike SQLite's last-write-wins, workers' saves may arrive out of order. */
  async saveBreaker(agent: string, snapshot: unknown, at: number): Promise<void> {
    const row = [agent, JSON.stringify(snapshot) ?? 'null', at];
    await this.#write(`save the breaker of ${agent}`, [`b:${agent}`], false, (client) => client.query(this.#sql.saveBreaker, row));
  }

  async loadBreakers(): Promise<BreakerRecord[]> {
    const rows = await this.#read<{ agent: string; snapshot: unknown; updated_at: number }>('load breakers', this.#sql.loadBreakers, []);
    return rows.map((r) => ({ agent: r.agent, snapshot: r.snapshot, updatedAt: r.updated_at }));
  }

  /**
   * Takes one of `max` slots of `agent`'s global concurrency limit until `expiresAt` (ms), or
   * returns false when all are taken. Leases at or past `now` are free (and deleted). Acquiring
   * a `leaseId` that is already held renews it. Atomic across workers: the count and the insert
   * run under a per-agent advisory lock.
   */
  async acquireLease(agent: string, max: number, leaseId: string, expiresAt: number, now: number): Promise<boolean> {
    for (const [name, v] of Object.entries({ max, expiresAt, now })) {
      if (!Number.isFinite(v))
        throw wardenError('STORE_ERROR', `cannot acquire a lease of ${agent}: ${name} must be a finite number, got ${v}`);
    }
    this.#usable();
    const client = await this.#connect();
    let broken: Error | undefined;
    try {
      // One round trip, so the per-agent lock is held for microseconds rather than across
      // several trips over the network. Statements of a simple query each take a fresh
      // snapshot, so the count sees every lease committed by the lock's previous holder.
      const results = (await client.query(
        this.#sql.acquireLease(client.escapeLiteral(agent), client.escapeLiteral(leaseId), max, expiresAt, now),
      )) as unknown as pg.QueryResult[];
      return results[3]!.rowCount === 1;
    } catch (err) {
      await client.query('ROLLBACK').catch((rollbackErr: unknown) => {
        broken = rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr));
      });
      throw this.#storeError(err, `cannot acquire a lease of ${agent} in store ${this.#url}`);
    } finally {
      client.release(broken);
    }
  }

  /** Frees a lease; a lease that is not held is ignored. */
  async releaseLease(agent: string, leaseId: string): Promise<void> {
    await this.#write(`release a lease of ${agent}`, [], false, (client) => client.query(this.#sql.deleteLease, [agent, leaseId]));
  }

  /** The leases of `agent` unexpired at `now`. */
  async countLeases(agent: string, now: number): Promise<number> {
    return Number((await this.#read<{ n: string }>(`count the leases of ${agent}`, this.#sql.countLeases, [agent, now]))[0]!.n);
  }

  /** Waits for the writes in flight, then ends the pool. Safe to call more than once. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#closed = true;
      await this.#order.settled();
      await this.#pool.end();
    })();
    return this.#closing;
  }

  async #migrate(): Promise<void> {
    const client = await this.#connect();
    let broken: Error | undefined;
    try {
      await migratePostgres(client, this.#schema, this.#url);
      this.#open = true;
    } catch (err) {
      if (!isWardenError(err)) broken = err instanceof Error ? err : new Error(String(err));
      throw this.#storeError(err, `cannot open store ${this.#url}`);
    } finally {
      client.release(broken);
    }
  }

  async #connect(): Promise<pg.PoolClient> {
    try {
      return await this.#pool.connect();
    } catch (err) {
      throw wardenError('STORE_ERROR', `cannot connect to store ${this.#url}: ${this.#reason(err)}`, { cause: err });
    }
  }

  #usable(): void {
    if (this.#closed) throw wardenError('STORE_ERROR', `store ${this.#url} is closed`);
    if (!this.#open) throw wardenError('STORE_ERROR', `store ${this.#url} is not open; call init() first`);
  }

  /**
   * Runs a query, first waiting for the writes made before it to the `after` keys (a task's,
   * an escalation's). Listings wait for nothing: under load some write is always in flight.
   */
  async #read<R>(what: string, text: string, values: Params, after?: readonly string[]): Promise<R[]> {
    this.#usable();
    if (after) await this.#order.settled(after);
    const client = await this.#connect();
    let broken: Error | undefined;
    try {
      return (await client.query(text, values)).rows as R[];
    } catch (err) {
      // The server's refusal leaves the connection usable; anything else may have broken it.
      if (!(err instanceof pg.DatabaseError)) broken = err instanceof Error ? err : new Error(String(err));
      throw this.#storeError(err, `cannot ${what} in store ${this.#url}`);
    } finally {
      client.release(broken);
    }
  }

  /** The records of a table, filtered by status and workflow; at most 100 unless `limit` says otherwise. */
  async #list<T>(
    what: string,
    table: string,
    order: string,
    filter: { status?: string | readonly string[]; workflow?: string; limit?: number },
  ): Promise<T[]> {
    const n = sqlLimit(filter.limit ?? 100);
    if (n === 0) return [];
    const where: string[] = [];
    const params: Params = [];
    // An empty status list matches nothing, as `= ANY ('{}')` is false.
    if (filter.status !== undefined) where.push(`status = ANY ($${params.push([filter.status].flat())}::text[])`);
    if (filter.workflow !== undefined) where.push(`workflow = $${params.push(filter.workflow)}`);
    const text = `SELECT record FROM ${quoteIdent(this.#schema)}.${table}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order} LIMIT $${params.push(n)}`;
    return (await this.#read<{ record: T }>(what, text, params)).map((r) => r.record);
  }

  /**
   * Queues a write behind earlier writes to the same `keys` and runs it in one transaction.
   * `stream` marks the transaction as one writing transitions and passes `run` its xid8.
   */
  #write<T>(what: string, keys: readonly string[], stream: boolean, run: (client: pg.PoolClient, xid: bigint) => Promise<T>): Promise<T> {
    try {
      this.#usable();
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#order.run(keys, () => this.#transaction(what, stream, run));
  }

  async #transaction<T>(what: string, stream: boolean, run: (client: pg.PoolClient, xid: bigint) => Promise<T>): Promise<T> {
    const client = await this.#connect();
    let broken: Error | undefined;
    try {
      let xid = 0n;
      if (stream) {
        // The marker lock before the xid, so a reader never sees this transaction's xid unmarked.
        const results = (await client.query(this.#sql.beginStream)) as unknown as pg.QueryResult<{ xid: string }>[];
        xid = BigInt(results[2]!.rows[0]!.xid);
      } else await client.query('BEGIN');
      const out = await run(client, xid);
      await client.query('COMMIT');
      return out;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackErr) {
        broken = rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr));
      }
      throw this.#storeError(err, `cannot ${what} in store ${this.#url}`);
    } finally {
      client.release(broken);
    }
  }

  /** The xid8 below which every transaction that wrote transitions has ended (see the class notes). */
  async #horizon(): Promise<string> {
    return (await this.#read<{ horizon: string }>('read the transition stream', this.#sql.horizon, []))[0]!.horizon;
  }

  #reason(err: unknown): string {
    let reason = messageOf(err);
    // Some drivers quote the connection string back; the password never reaches a message.
    if (this.#secret) reason = reason.split(this.#secret).join('***');
    return reason;
  }

  #storeError(err: unknown, context: string): unknown {
    if (isWardenError(err)) return err;
    return wardenError('STORE_ERROR', `${context}: ${this.#reason(err)}`, { cause: err });
  }
}

/** The engine's record carries the task's `seq`; a bare {@link TaskRecord} (or a JSON null) may not. */
const seqOf = (task: TaskRecord): number | undefined => (typeof task.seq === 'number' ? task.seq : undefined);

const dbOf = (client: Queryable): PostgresStoreDb => ({ executeSql: (text, values) => client.query(text, values) });

/** `[ids, seqs, ats, bodies]` of transitions `[seq, at, body]`, for `unnest`; ids are `xid × 1024 + index`. */
function transitionColumns(xid: bigint, rows: unknown[][]): [string[], unknown[], unknown[], unknown[]] {
  const base = xid * BigInt(STREAM_SLOTS);
  return [rows.map((_, i) => String(base + BigInt(i))), rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2])];
}

/**
 * A step's timer changes as `[kinds to clear, kinds to set, their wake times]`, for `unnest`.
 * Changes apply in order, so of several to one kind the last wins.
 */
function timerColumns(timers: StepCommit['timers']): [string[], string[], number[]] {
  const last = new Map<string, number | null>();
  for (const t of timers ?? []) last.set(t.kind, t.wakeAt);
  const cleared: string[] = [];
  const kinds: string[] = [];
  const wakes: number[] = [];
  for (const [kind, wakeAt] of last) {
    if (wakeAt === null) {
      cleared.push(kind);
    } else {
      kinds.push(kind);
      wakes.push(wakeAt);
    }
  }
  return [cleared, kinds, wakes];
}

type TimerChange = [owner: string, kind: TimerKind, wakeAt: number | null];

async function applyTimers(client: Queryable, sql: Statements, timers: TimerChange[]): Promise<void> {
  for (const [owner, kind, wakeAt] of timers) {
    if (wakeAt === null) await client.query(sql.clearTimer, [owner, kind]);
    else await client.query(sql.setTimer, [owner, kind, wakeAt]);
  }
}

type EscalationRows = { records: Params[]; outbox: Params[]; timers: TimerChange[] };

function escalationRows(write: EscalationWrite): EscalationRows {
  return {
    records: write.records.map((r) => {
      const createdMs = Date.parse(r.createdAt);
      return [r.id, r.fingerprint, r.workflow, r.planKey, r.status, Number.isNaN(createdMs) ? null : createdMs, JSON.stringify(r)];
    }),
    outbox: write.outbox.map((o) => [
      o.id,
      o.escalationId,
      o.channel,
      o.kind,
      o.status,
      o.attempts,
      o.nextAttemptAt,
      o.createdAt,
      JSON.stringify(o),
    ]),
    timers: (write.timers ?? []).map((t) => [t.ownerId, t.kind, t.wakeAt]),
  };
}

const escalationKeys = (write: EscalationWrite): string[] => [
  ...write.records.map((r) => `e:${r.id}`),
  ...write.outbox.flatMap((o) => [`o:${o.id}`, `e:${o.escalationId}`]),
  ...(write.timers ?? []).map((t) => `e:${t.ownerId}`),
];

async function applyEscalation(client: Queryable, sql: Statements, rows: EscalationRows): Promise<void> {
  for (const r of rows.records) await client.query(sql.upsertEscalation, r);
  for (const o of rows.outbox) await client.query(sql.upsertOutbox, o);
  await applyTimers(client, sql, rows.timers);
}

/** A LIMIT for Postgres: null for none; like the memory store, ≤ 0 means nothing. */
function sqlLimit(limit: number): number | null {
  if (limit === Infinity) return null;
  return Number.isFinite(limit) && limit > 0 ? Math.ceil(limit) : 0;
}

function messageOf(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length) return err.errors.map(messageOf).join('; ');
  if (err instanceof Error) return err.message || String((err as { code?: unknown }).code ?? err.name);
  return String(err);
}

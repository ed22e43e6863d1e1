/**
 * The `postgres://` store, for many workers sharing one database.
 * @module
 */
import pg from 'pg';
import type { EscalationRecord, EscalationWrite, OutboxRow } from '../escalation/types.js';
import { isWardenError, wardenError } from '../errors/index.js';
import type { Transition, TransitionEvent } from '../lifecycle/types.js';
import { migratePostgres, quoteIdent } from './migrations/postgresMigrations.js';
import { PostgresLeases } from './PostgresLeases.js';
import type { PruneBatch, PruneBefore, PruneLimits } from './Prune.js';
import { type PruneStatements, prunePostgres, pruneStatements } from './postgresPrune.js';
import { PostgresQueryRunner } from './PostgresQueryRunner.js';
import { applyEscalation, dbOf, escalationKeys, escalationRows, seqOf, sqlLimit, timerColumns, transitionColumns } from './postgresRows.js';
import { STREAM_SLOTS, statements, type Statements } from './postgresStatements.js';
import type { PostgresStoreHooks } from './PostgresStoreHooks.js';
import { parsePostgresUrl } from './postgresUrl.js';
import {
  type BreakerRecord,
  childIdRange,
  idPrefixRange,
  type EscalationFilter,
  type NewTask,
  type StepCommit,
  type Store,
  type TaskFilter,
  type TaskRecord,
  type TimerKind,
  type TimerRow,
} from './Store.js';

export type { PostgresStoreDb, PostgresStoreHooks } from './PostgresStoreHooks.js';

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
  readonly #sql: Statements;
  readonly #prune: PruneStatements;
  readonly #db: PostgresQueryRunner;
  readonly #leases: PostgresLeases;
  #opening: Promise<void> | undefined;
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
    this.#url = `${parsed.display}${schema === 'warden' ? '' : `?schema=${schema}`}`;
    this.#sql = statements(quoteIdent(schema), schema);
    this.#prune = pruneStatements(quoteIdent(schema));
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
    this.#db = new PostgresQueryRunner(this.#pool, this.#url, parsed.password, this.#sql.beginStream);
    this.#leases = new PostgresLeases(this.#db, this.#sql);
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
    if (this.#db.closed) throw wardenError('STORE_ERROR', `store ${this.#url} is closed`);
    this.#opening ??= this.#migrate().catch((err: unknown) => {
      this.#opening = undefined;
      throw err;
    });
    await this.#opening;
  }

  createTask(task: TaskRecord, first: Transition, timers?: StepCommit['timers']): Promise<{ task: TaskRecord; created: boolean }> {
    const insert = this.#newTask({ task, first, ...(timers ? { timers } : {}) });
    const key = task.idempotencyKey ?? null;
    return this.#db.write(`create task ${task.id}`, [`t:${task.id}`], true, async (client, xid) => {
      if (!(await insert(client, xid))) {
        const existing = await client.query<{ record: TaskRecord }>(this.#sql.taskByKey, [key]);
        return { task: existing.rows[0]!.record, created: false };
      }
      return { task: JSON.parse(insert.record) as TaskRecord, created: true };
    });
  }

  /**
   * The insert of a new task with its first transition and timers, serialised now (the caller
   * may change its objects while the write waits its turn). Resolves false when its idempotency
   * key is taken; runs the createTask hook in the same transaction.
   */
  #newTask(n: NewTask): ((client: pg.PoolClient, xid: bigint, slot?: number) => Promise<boolean>) & { record: string } {
    const { task, first } = n;
    const record = JSON.stringify(task);
    const row = [
      task.id,
      task.workflow,
      task.status,
      task.state,
      task.createdAt,
      task.updatedAt,
      task.idempotencyKey ?? null,
      task.inputHash,
      seqOf(task) ?? first.seq,
      record,
    ];
    const firstRow = [first.seq, first.at, JSON.stringify(first)];
    const timerRows = timerColumns(n.timers);
    const hookTimers = n.timers?.map((t) => ({ ...t }));
    // `slot`: the stream slot of the first transition, after those the same transaction wrote before.
    const insert = async (client: pg.PoolClient, xid: bigint, slot = 0) => {
      const { rows } = await client.query<{ n: number }>(this.#sql.createTask, [
        ...row,
        ...transitionColumns(xid, [firstRow], slot),
        ...timerRows,
      ]);
      if (rows[0]!.n === 0) return false;
      await this.hooks?.createTask?.(dbOf(client), JSON.parse(record) as TaskRecord, hookTimers);
      return true;
    };
    return Object.assign(insert, { record });
  }

  commit(step: StepCommit): Promise<number[]> {
    const sql = this.#sql;
    const { task, transitions } = step;
    const what = `commit a step of task ${task.id}`;
    if (transitions.length + (step.create?.length ?? 0) > STREAM_SLOTS)
      return Promise.reject(
        wardenError('STORE_ERROR', `cannot ${what}: a step may write at most ${STREAM_SLOTS} transitions and new tasks`),
      );
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
    const created = (step.create ?? []).map((c) => ({ id: c.task.id, insert: this.#newTask(c) }));
    const keys = [`t:${task.id}`, ...created.map((c) => `t:${c.id}`), ...(step.escalation ? escalationKeys(step.escalation) : [])];
    return this.#db.write(what, keys, transitions.length > 0, async (client, xid) => {
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
      for (const [i, c] of created.entries()) {
        const exists = await client.query(sql.taskSeq, [c.id]);
        if (exists.rowCount === 0) await c.insert(client, xid, transitions.length + i);
      }
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
    return this.#db.write('write escalations', escalationKeys(write), false, async (client) => {
      await applyEscalation(client, this.#sql, rows);
      if (hookWrite) await this.hooks?.writeEscalations?.(dbOf(client), hookWrite);
    });
  }

  async getTask(id: string): Promise<TaskRecord | undefined> {
    return (await this.#db.read<{ record: TaskRecord }>(`read task ${id}`, this.#sql.taskById, [id], [`t:${id}`]))[0]?.record;
  }

  async listTasks(filter: TaskFilter = {}): Promise<TaskRecord[]> {
    const tasks = await this.#list<TaskRecord>('list tasks', 'tasks', 'created_at DESC, pos DESC', filter);
    if (filter.parent === undefined) return tasks;
    return tasks.filter((t) => t.parentId === filter.parent).slice(0, filter.limit ?? 100);
  }

  async transitions(taskId: string): Promise<Transition[]> {
    const rows = await this.#db.read<{ body: Transition }>(
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
    const rows = await this.#db.read<{ id: string; task_id: string; workflow: string; body: Transition }>(
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
    const rows = await this.#db.read<{ record: TaskRecord }>('list unfinished tasks', this.#sql.liveTasks, []);
    return rows.map((r) => r.record);
  }

  async nextTimerAt(): Promise<number | undefined> {
    return (await this.#db.read<{ at: number | null }>('read timers', this.#sql.nextTimer, []))[0]?.at ?? undefined;
  }

  async dueTimers(now: number, limit: number): Promise<TimerRow[]> {
    const n = sqlLimit(limit);
    if (n === 0) return [];
    const rows = await this.#db.read<{ owner_id: string; kind: TimerKind; wake_at: number }>('read timers', this.#sql.dueTimers, [now, n]);
    return rows.map((r) => ({ taskId: r.owner_id, kind: r.kind, wakeAt: r.wake_at }));
  }

  async getEscalation(id: string): Promise<EscalationRecord | undefined> {
    return (await this.#db.read<{ record: EscalationRecord }>(`read escalation ${id}`, this.#sql.escalationById, [id], [`e:${id}`]))[0]
      ?.record;
  }

  async listEscalations(filter: EscalationFilter = {}): Promise<EscalationRecord[]> {
    return this.#list<EscalationRecord>('list escalations', 'escalations', 'pos DESC', filter);
  }

  async findOpenEscalation(fingerprint: string, since: number): Promise<EscalationRecord | undefined> {
    return (await this.#db.read<{ record: EscalationRecord }>('find an open escalation', this.#sql.openEscalation, [fingerprint, since]))[0]
      ?.record;
  }

  async findUnresolved(workflow: string, planKey: string): Promise<EscalationRecord[]> {
    const rows = await this.#db.read<{ record: EscalationRecord }>('find unresolved escalations', this.#sql.unresolved, [
      workflow,
      planKey,
    ]);
    return rows.map((r) => r.record);
  }

  async dueOutbox(now: number, limit: number): Promise<OutboxRow[]> {
    const n = sqlLimit(limit);
    if (n === 0) return [];
    return (await this.#db.read<{ body: OutboxRow }>('read the outbox', this.#sql.dueOutbox, [now, n])).map((r) => r.body);
  }

  async nextOutboxAt(): Promise<number | undefined> {
    return (await this.#db.read<{ at: number | null }>('read the outbox', this.#sql.nextOutbox, []))[0]?.at ?? undefined;
  }

  async outboxOf(escalationId: string): Promise<OutboxRow[]> {
    return (
      await this.#db.read<{ body: OutboxRow }>(
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
    await this.#db.write(`save the breaker of ${agent}`, [`b:${agent}`], false, (client) => client.query(this.#sql.saveBreaker, row));
  }

  async loadBreakers(): Promise<BreakerRecord[]> {
    const rows = await this.#db.read<{ agent: string; snapshot: unknown; updated_at: number }>('load breakers', this.#sql.loadBreakers, []);
    return rows.map((r) => ({ agent: r.agent, snapshot: r.snapshot, updatedAt: r.updated_at }));
  }

  /**
   * Takes one of `max` slots of `agent`'s global concurrency limit until `expiresAt` (ms), or
   * returns false when all are taken. Leases at or past `now` are free (and deleted). Acquiring
   * a `leaseId` that is already held renews it. Atomic across workers: the count and the insert
   * run under a per-agent advisory lock.
   */
  async acquireLease(agent: string, max: number, leaseId: string, expiresAt: number, now: number): Promise<boolean> {
    return this.#leases.acquire(agent, max, leaseId, expiresAt, now);
  }

  /** Frees a lease; a lease that is not held is ignored. */
  async releaseLease(agent: string, leaseId: string): Promise<void> {
    await this.#leases.release(agent, leaseId);
  }

  /** The leases of `agent` unexpired at `now`. */
  async countLeases(agent: string, now: number): Promise<number> {
    return this.#leases.count(agent, now);
  }

  /** One batch per transaction; concurrent pruners (other workers) skip each other's rows. */
  prune(before: PruneBefore, limits: PruneLimits): Promise<PruneBatch> {
    return this.#db.write('prune', [], false, (client) => prunePostgres(client, this.#prune, before, limits));
  }

  /** Waits for the writes in flight, then ends the pool. Safe to call more than once. */
  close(): Promise<void> {
    this.#closing ??= this.#db.close();
    return this.#closing;
  }

  async #migrate(): Promise<void> {
    const client = await this.#db.connect();
    let broken: Error | undefined;
    try {
      await migratePostgres(client, this.#schema, this.#url);
      this.#db.opened();
    } catch (err) {
      if (!isWardenError(err)) broken = err instanceof Error ? err : new Error(String(err));
      throw this.#db.storeError(err, `cannot open store ${this.#url}`);
    } finally {
      client.release(broken);
    }
  }

  /** The records of a table, filtered by status and workflow; at most 100 unless `limit` says otherwise. */
  async #list<T>(
    what: string,
    table: string,
    order: string,
    filter: {
      status?: string | readonly string[];
      workflow?: string;
      limit?: number;
      parent?: string;
      topLevel?: boolean;
      idPrefix?: string;
    },
  ): Promise<T[]> {
    const n = filter.parent !== undefined ? Number.MAX_SAFE_INTEGER : sqlLimit(filter.limit ?? 100);
    if (n === 0) return [];
    const where: string[] = [];
    const params: unknown[] = [];
    // An empty status list matches nothing, as `= ANY ('{}')` is false.
    if (filter.status !== undefined) where.push(`status = ANY ($${params.push([filter.status].flat())}::text[])`);
    if (filter.workflow !== undefined) where.push(`workflow = $${params.push(filter.workflow)}`);
    if (filter.parent !== undefined) {
      // The primary key serves the range; a nested run's own steps share the prefix.
      const [from, to] = childIdRange(filter.parent);
      where.push(`id > $${params.push(from)} AND id < $${params.push(to)}`);
    }
    if (filter.topLevel) where.push(`strpos(id, '.') = 0`);
    if (filter.idPrefix !== undefined) {
      const [from, to] = idPrefixRange(filter.idPrefix);
      where.push(`id >= $${params.push(from)} AND id < $${params.push(to)}`);
    }
    const text = `SELECT record FROM ${quoteIdent(this.#schema)}.${table}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order} LIMIT $${params.push(n)}`;
    return (await this.#db.read<{ record: T }>(what, text, params)).map((r) => r.record);
  }

  /** The xid8 below which every transaction that wrote transitions has ended (see the class notes). */
  async #horizon(): Promise<string> {
    return (await this.#db.read<{ horizon: string }>('read the transition stream', this.#sql.horizon, []))[0]!.horizon;
  }
}

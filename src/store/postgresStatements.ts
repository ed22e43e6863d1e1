/*
 * The SQL of the Postgres store, one schema at a time. Every table is schema-qualified, so the
 * statements are built per store from its (validated) schema name.
 * @internal
 */
import { LIVE_TASK_PREDICATE } from './migrations/postgresMigrations.js';

/** Stream ids are `xid8 × 1024 + index`, so one transaction may write at most this many transitions. */
export const STREAM_SLOTS = 1024;
/** The first key of the advisory lock that marks a transaction writing transitions ("WARD"). */
export const STREAM_LOCK_CLASS = 0x57415244;

/** The statements of one schema. */
export type Statements = ReturnType<typeof statements>;

/**
 * The CTEs that write a task's transitions and timer changes, for each row of `task` (none when
 * the task's own write matched nothing), from the parameters `$p` … `$p+6`.
 */
const stepWrites = (s: string, task: string, p: number) => `
      transitions AS (
        INSERT INTO ${s}.transitions (id, task_id, seq, at, body)
        SELECT x.id, ${task}.id, x.seq, x.at, x.body
        FROM ${task}, unnest($${p}::bigint[], $${p + 1}::integer[], $${p + 2}::timestamptz[], $${p + 3}::json[]) AS x (id, seq, at, body)),
      cleared AS (
        DELETE FROM ${s}.timers tm USING ${task} WHERE tm.owner_id = ${task}.id AND tm.kind = ANY ($${p + 4}::text[])),
      timers_set AS (
        INSERT INTO ${s}.timers (owner_id, kind, wake_at)
        SELECT ${task}.id, k.kind, k.wake_at FROM ${task}, unnest($${p + 5}::text[], $${p + 6}::float8[]) AS k (kind, wake_at)
        ON CONFLICT (owner_id, kind) DO UPDATE SET wake_at = excluded.wake_at)`;

/** Every statement of the store, for the schema `s` (quoted) named `schema`. */
export function statements(s: string, schema: string) {
  // The marker of transactions writing transitions: a shared advisory lock on (class, schema).
  const streamKey = `${STREAM_LOCK_CLASS}, hashtext('${schema}') & 2147483647`;
  return {
    beginStream: `BEGIN; SELECT pg_advisory_xact_lock_shared(${streamKey}); SELECT pg_current_xact_id()::text AS xid`,
    // The oldest marked transaction in this snapshot, else the snapshot's xmax. A marked
    // transaction not yet in the snapshot gets a later xid, so it cannot be overtaken.
    horizon: `SELECT coalesce(
        (SELECT min(x::text::bigint) FROM pg_snapshot_xip(pg_current_snapshot()) AS x
          WHERE x::text::bigint % 4294967296 IN (
            SELECT t.transactionid::text::bigint FROM pg_locks m JOIN pg_locks t ON t.pid = m.pid
            WHERE m.locktype = 'advisory' AND m.granted AND m.objsubid = 2
              AND m.classid::bigint = ${STREAM_LOCK_CLASS} AND m.objid::bigint = (hashtext('${schema}') & 2147483647)
              AND t.locktype = 'transactionid' AND t.mode = 'ExclusiveLock' AND t.granted)),
        pg_snapshot_xmax(pg_current_snapshot())::text::bigint)::text AS horizon`,
    taskById: `SELECT record FROM ${s}.tasks WHERE id = $1`,
    taskByKey: `SELECT record FROM ${s}.tasks WHERE idempotency_key = $1`,
    taskSeq: `SELECT seq FROM ${s}.tasks WHERE id = $1`,
    // One statement writes the task, its first transition and its timers. A taken
    // idempotency key inserts nothing (n = 0); a taken id is an error.
    createTask: `WITH t AS (
        INSERT INTO ${s}.tasks (id, workflow, status, state, created_at, updated_at, idempotency_key, input_hash, seq, record)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::json) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id),
      ${stepWrites(s, 't', 11)}
      SELECT count(*)::integer AS n FROM t`,
    // One statement writes a step, if the task is still at the expected seq (n = 1).
    commitStep: `WITH u AS (
        UPDATE ${s}.tasks SET status = $2, state = $3, updated_at = $4, seq = coalesce($5::integer, seq), record = $6::json
        WHERE id = $1 AND ($7::integer IS NULL OR seq = $7::integer) RETURNING id),
      ${stepWrites(s, 'u', 8)},
      attempt AS (
        INSERT INTO ${s}.attempts (task_id, agent, attempt, started_at, body)
        SELECT u.id, $15, $16, $17, $18::json FROM u WHERE $15::text IS NOT NULL
        ON CONFLICT (task_id, agent, attempt, started_at) DO UPDATE SET body = excluded.body)
      SELECT count(*)::integer AS n FROM u`,
    setTimer: `INSERT INTO ${s}.timers (owner_id, kind, wake_at) VALUES ($1, $2, $3)
      ON CONFLICT (owner_id, kind) DO UPDATE SET wake_at = excluded.wake_at`,
    clearTimer: `DELETE FROM ${s}.timers WHERE owner_id = $1 AND kind = $2`,
    transitionsOf: `SELECT body FROM ${s}.transitions WHERE task_id = $1 ORDER BY seq`,
    transitionsSince: `SELECT tr.id::text AS id, tr.task_id, t.workflow, tr.body FROM ${s}.transitions tr JOIN ${s}.tasks t ON t.id = tr.task_id
      WHERE tr.id > $1 AND tr.id < $2::bigint * ${STREAM_SLOTS} ORDER BY tr.id LIMIT $3`,
    liveTasks: `SELECT record FROM ${s}.tasks WHERE ${LIVE_TASK_PREDICATE} ORDER BY pos`,
    nextTimer: `SELECT min(wake_at) AS at FROM ${s}.timers`,
    dueTimers: `SELECT owner_id, kind, wake_at FROM ${s}.timers WHERE wake_at <= $1 ORDER BY wake_at, owner_id, kind LIMIT $2`,
    upsertEscalation: `INSERT INTO ${s}.escalations (id, fingerprint, workflow, plan_key, status, created_ms, record) VALUES ($1, $2, $3, $4, $5, $6, $7::json)
      ON CONFLICT (id) DO UPDATE SET fingerprint = excluded.fingerprint, workflow = excluded.workflow, plan_key = excluded.plan_key,
        status = excluded.status, created_ms = excluded.created_ms, record = excluded.record`,
    escalationById: `SELECT record FROM ${s}.escalations WHERE id = $1`,
    openEscalation: `SELECT record FROM ${s}.escalations WHERE fingerprint = $1 AND status <> 'resolved' AND created_ms >= $2 ORDER BY pos DESC LIMIT 1`,
    unresolved: `SELECT record FROM ${s}.escalations WHERE workflow = $1 AND plan_key = $2 AND status <> 'resolved' ORDER BY pos`,
    upsertOutbox: `INSERT INTO ${s}.outbox (id, escalation_id, channel, kind, status, attempts, next_attempt_at, created_at, body)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::json)
      ON CONFLICT (id) DO UPDATE SET escalation_id = excluded.escalation_id, channel = excluded.channel, kind = excluded.kind,
        status = excluded.status, attempts = excluded.attempts, next_attempt_at = excluded.next_attempt_at,
        created_at = excluded.created_at, body = excluded.body`,
    // `status = 'pending'` matches the partial index outbox_due.
    dueOutbox: `SELECT body FROM ${s}.outbox WHERE status = 'pending' AND next_attempt_at <= $1 ORDER BY next_attempt_at, created_at, pos LIMIT $2`,
    nextOutbox: `SELECT min(next_attempt_at) AS at FROM ${s}.outbox WHERE status = 'pending'`,
    outboxOf: `SELECT body FROM ${s}.outbox WHERE escalation_id = $1 ORDER BY pos`,
    saveBreaker: `INSERT INTO ${s}.breakers (agent, snapshot, updated_at) VALUES ($1, $2::json, $3)
      ON CONFLICT (agent) DO UPDATE SET snapshot = excluded.snapshot, updated_at = excluded.updated_at
      WHERE ${s}.breakers.updated_at <= excluded.updated_at`,
    loadBreakers: `SELECT agent, snapshot, updated_at FROM ${s}.breakers ORDER BY pos`,
    // Per agent, not per schema: two deployments sharing a database only wait for each other.
    // Literals, not parameters: a simple query may hold several statements, a parameterised one not.
    acquireLease: (agent: string, id: string, max: number, expiresAt: number, now: number) => `BEGIN;
      SELECT pg_advisory_xact_lock(hashtext('warden-lease:' || ${agent}));
      DELETE FROM ${s}.leases WHERE agent = ${agent} AND expires_at <= ${now};
      INSERT INTO ${s}.leases (agent, lease_id, expires_at)
        SELECT ${agent}, ${id}, ${expiresAt}
        WHERE (SELECT count(*) FROM ${s}.leases WHERE agent = ${agent} AND expires_at > ${now} AND lease_id <> ${id}) < ${max}
        ON CONFLICT (agent, lease_id) DO UPDATE SET expires_at = excluded.expires_at;
      COMMIT`,
    deleteLease: `DELETE FROM ${s}.leases WHERE agent = $1 AND lease_id = $2`,
    countLeases: `SELECT count(*) AS n FROM ${s}.leases WHERE agent = $1 AND expires_at > $2`,
  };
}

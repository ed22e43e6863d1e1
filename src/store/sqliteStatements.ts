/**
 * The SQL of the SQLite store, prepared once per open database.
 * @internal
 */
import type { DatabaseSync } from 'node:sqlite';

/** The prepared statements of one open store. */
export type Statements = ReturnType<typeof prepareSqlite>;
/** Bound parameters of a statement. */
export type Params = (string | number | bigint | null)[];

/** Prepares every statement of the store on `db`, once it is migrated. */
export function prepareSqlite(db: DatabaseSync) {
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

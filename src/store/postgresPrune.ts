/**
 * Retention on the Postgres store: one batch of deletes per transaction, so locks are short and
 * other workers keep committing. Concurrent pruners skip each other's rows (SKIP LOCKED).
 * Postgres gives space back by itself (autovacuum), so there is no reclaim phase.
 * @internal
 */
import type pg from 'pg';
import { TERMINAL_STATUSES } from '../lifecycle/types.js';
import { noCounts, PRUNABLE_STATUSES, type PruneBatch, type PruneBefore, type PruneCounts, type PruneLimits } from './Prune.js';
import { following, type PruneCursor, startOf } from './pruneCursor.js';

/** The statements of retention for the schema `s` (quoted). */
export function pruneStatements(s: string) {
  const ended = [...TERMINAL_STATUSES].map((x) => `'${x}'`).join(', ');
  // A task may go when none of its step tasks is unfinished and none of its escalations is open.
  const keepable = (lock: string) => `SELECT t.id, t.pos::text AS pos, to_json(t.created_at) #>> '{}' AS created_at FROM ${s}.tasks t
      WHERE t.status = $1 AND t.created_at < $2::timestamptz AND t.updated_at < $2::timestamptz AND strpos(t.id, '.') = 0
        AND (t.created_at, t.pos) > ($3::timestamptz, $4::bigint)
        AND NOT EXISTS (SELECT 1 FROM ${s}.tasks c WHERE c.id > (t.id || '.') COLLATE "C" AND c.id < (t.id || '/') COLLATE "C"
                          AND c.status NOT IN (${ended}))
        AND NOT EXISTS (SELECT 1 FROM ${s}.escalations e
                          WHERE e.id IN (SELECT json_array_elements_text(t.record -> 'escalationIds')) AND e.status <> 'resolved')
      ORDER BY t.created_at, t.pos LIMIT $5 ${lock}`;
  // created_ms bounds the scan: an escalation changed before the cut-off was created before it.
  const resolved = (lock: string) => `SELECT id, pos::text AS pos FROM ${s}.escalations
      WHERE status = 'resolved' AND pos > $1::bigint AND created_ms < $2
        AND (record ->> 'updatedAt')::timestamptz < to_timestamp($2 / 1000.0)
      ORDER BY pos LIMIT $3 ${lock}`;
  return {
    candidates: keepable('FOR UPDATE OF t SKIP LOCKED'),
    candidatesDry: keepable(''),
    // A run's step tasks, its steps' steps included.
    children: `SELECT c.id FROM ${s}.tasks c JOIN unnest($1::text[]) AS v (id)
      ON c.id > (v.id || '.') COLLATE "C" AND c.id < (v.id || '/') COLLATE "C"`,
    countTransitions: `SELECT count(*)::integer AS n FROM ${s}.transitions WHERE task_id = ANY ($1::text[])`,
    countAttempts: `SELECT count(*)::integer AS n FROM ${s}.attempts WHERE task_id = ANY ($1::text[])`,
    deleteTransitions: `DELETE FROM ${s}.transitions WHERE task_id = ANY ($1::text[])`,
    deleteAttempts: `DELETE FROM ${s}.attempts WHERE task_id = ANY ($1::text[])`,
    deleteTimers: `DELETE FROM ${s}.timers WHERE owner_id = ANY ($1::text[])`,
    deleteTasks: `DELETE FROM ${s}.tasks WHERE id = ANY ($1::text[])`,
    resolved: resolved('FOR UPDATE SKIP LOCKED'),
    resolvedDry: resolved(''),
    countOutbox: `SELECT count(*)::integer AS n FROM ${s}.outbox WHERE escalation_id = ANY ($1::text[])`,
    deleteOutbox: `DELETE FROM ${s}.outbox WHERE escalation_id = ANY ($1::text[])`,
    deleteEscalations: `DELETE FROM ${s}.escalations WHERE id = ANY ($1::text[])`,
  };
}

/** The statements of retention. */
export type PruneStatements = ReturnType<typeof pruneStatements>;

/** One batch of {@link Store.prune}, in the transaction of `client`. */
export async function prunePostgres(
  client: pg.ClientBase,
  sql: PruneStatements,
  before: PruneBefore,
  limits: PruneLimits,
): Promise<PruneBatch> {
  const dry = limits.dryRun === true;
  const cursor = startOf(before, limits.after, dry, false);
  if (!cursor || 'v' in cursor) return noCounts();
  const counts = noCounts();
  const next =
    's' in cursor
      ? await pruneTasks(client, sql, before, limits, cursor, counts)
      : await pruneEscalations(client, sql, before, limits, cursor, counts);
  const after = next ?? following(before, cursor, dry, false);
  return { ...counts, ...(after ? { next: JSON.stringify(after) } : {}) };
}

async function pruneTasks(
  client: pg.ClientBase,
  sql: PruneStatements,
  before: PruneBefore,
  limits: PruneLimits,
  cursor: { s: number; c: string; p: number | string },
  counts: PruneCounts,
): Promise<PruneCursor | undefined> {
  const dry = limits.dryRun === true;
  const cutoff = new Date(before.tasks[PRUNABLE_STATUSES[cursor.s]!]!).toISOString();
  // A phase starts before every task.
  const from = cursor.c === '' ? '-infinity' : cursor.c;
  const { rows } = await client.query<{ id: string; pos: string; created_at: string }>(dry ? sql.candidatesDry : sql.candidates, [
    PRUNABLE_STATUSES[cursor.s],
    cutoff,
    from,
    String(cursor.p),
    limits.batch,
  ]);
  if (rows.length === 0) return undefined;
  // Unlike SQLite, a run goes whole in one batch: its rows are deleted by the database, not in the event loop.
  const roots = rows.map((r) => r.id);
  const children = (await client.query<{ id: string }>(sql.children, [roots])).rows.map((r) => r.id);
  const ids = [...children, ...roots];
  counts.tasks += ids.length;
  if (dry) {
    counts.transitions += (await client.query<{ n: number }>(sql.countTransitions, [ids])).rows[0]!.n;
    counts.attempts += (await client.query<{ n: number }>(sql.countAttempts, [ids])).rows[0]!.n;
  } else {
    counts.transitions += (await client.query(sql.deleteTransitions, [ids])).rowCount ?? 0;
    counts.attempts += (await client.query(sql.deleteAttempts, [ids])).rowCount ?? 0;
    await client.query(sql.deleteTimers, [ids]);
    await client.query(sql.deleteTasks, [ids]);
  }
  const last = rows.at(-1)!;
  return rows.length === limits.batch ? { s: cursor.s, c: last.created_at, p: last.pos } : undefined;
}

async function pruneEscalations(
  client: pg.ClientBase,
  sql: PruneStatements,
  before: PruneBefore,
  limits: PruneLimits,
  cursor: { e: number | string },
  counts: PruneCounts,
): Promise<PruneCursor | undefined> {
  const { rows } = await client.query<{ id: string; pos: string }>(limits.dryRun ? sql.resolvedDry : sql.resolved, [
    String(cursor.e),
    before.escalations!,
    limits.batch,
  ]);
  if (rows.length === 0) return undefined;
  const ids = rows.map((r) => r.id);
  counts.escalations += ids.length;
  if (limits.dryRun) counts.outbox += (await client.query<{ n: number }>(sql.countOutbox, [ids])).rows[0]!.n;
  else {
    counts.outbox += (await client.query(sql.deleteOutbox, [ids])).rowCount ?? 0;
    await client.query(sql.deleteTimers, [ids]);
    await client.query(sql.deleteEscalations, [ids]);
  }
  return rows.length === limits.batch ? { e: rows.at(-1)!.pos } : undefined;
}

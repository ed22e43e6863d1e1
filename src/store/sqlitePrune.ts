/**
 * Retention on the SQLite store: one batch of deletes in one short transaction per call, and once
 * nothing is left to delete, a step of incremental vacuum per call. Synchronous like every call of
 * this store, so a call holds the event loop for as long as it runs: the caller keeps batches
 * small (see the Pruner).
 *
 * Space is given back only after the deletes: vacuuming between them would first move pages
 * from the end of the file into the holes, pages that the next batches then delete. That doubled
 * the writes, and under write pressure a write() that the kernel throttles holds the event loop.
 * @internal
 */
import type { DatabaseSync } from 'node:sqlite';
import { TERMINAL_STATUSES } from '../lifecycle/types.js';
import { noCounts, PRUNABLE_STATUSES, type PruneBatch, type PruneBefore, type PruneCounts, type PruneLimits } from './Prune.js';
import { following, type PruneCursor, startOf } from './pruneCursor.js';
import { childIdRange } from './Store.js';

/** The prepared statements of retention. */
export type PruneStatements = ReturnType<typeof preparePrune>;

/** Prepares the statements of retention on `db`, once it is migrated. */
export function preparePrune(db: DatabaseSync) {
  const live = `status NOT IN (${[...TERMINAL_STATUSES].map((s) => `'${s}'`).join(', ')})`;
  return {
    // Top-level tasks of one status, oldest first from the cursor. The tasks_status index
    // (status, created_at, pos) bounds the scan: a task changed before the cut-off was created
    // before it too. Step tasks (ids with a dot) go with their run, never alone.
    candidates: db.prepare(
      `SELECT pos, id, created_at, json_extract(record, '$.escalationIds') AS escalations FROM tasks
       WHERE status = ? AND created_at < ? AND updated_at < ? AND instr(id, '.') = 0
         AND created_at >= ? AND (created_at > ? OR pos > ?)
       ORDER BY created_at, pos LIMIT ?`,
    ),
    hasChild: db.prepare('SELECT 1 AS x FROM tasks WHERE id > ? AND id < ? LIMIT 1'),
    liveChild: db.prepare(`SELECT 1 AS x FROM tasks WHERE id > ? AND id < ? AND ${live} LIMIT 1`),
    children: db.prepare('SELECT pos, id FROM tasks WHERE id > ? AND id < ? LIMIT ?'),
    openEscalation: db.prepare(
      `SELECT 1 AS x FROM escalations WHERE id IN (SELECT value FROM json_each(?)) AND status <> 'resolved' LIMIT 1`,
    ),
    countTransitions: db.prepare('SELECT count(*) AS n FROM transitions WHERE task_pos = ?'),
    countAttempts: db.prepare('SELECT count(*) AS n FROM attempts WHERE task_pos = ?'),
    deleteTransitions: db.prepare('DELETE FROM transitions WHERE task_pos = ?'),
    deleteAttempts: db.prepare('DELETE FROM attempts WHERE task_pos = ?'),
    deleteTimers: db.prepare('DELETE FROM timers WHERE owner_id = ?'),
    deleteTask: db.prepare('DELETE FROM tasks WHERE pos = ?'),
    resolved: db.prepare(`SELECT pos, id FROM escalations WHERE status = 'resolved' AND pos > ? AND updated_at < ? ORDER BY pos LIMIT ?`),
    countOutbox: db.prepare('SELECT count(*) AS n FROM outbox WHERE escalation_id = ?'),
    deleteOutbox: db.prepare('DELETE FROM outbox WHERE escalation_id = ?'),
    deleteEscalation: db.prepare('DELETE FROM escalations WHERE pos = ?'),
    freePages: db.prepare('PRAGMA freelist_count'),
  };
}

type Candidate = { pos: number; id: string; created_at: string; escalations: string | null };
type Row = { pos: number; id: string };

/**
 * One batch of {@link Store.prune} on a migrated database: up to `limits.batch` deletes of one
 * phase in one `BEGIN IMMEDIATE` transaction, or (the last phase, never in a dry run) up to
 * `limits.batch` free pages given back.
 */
export function pruneSqlite(db: DatabaseSync, st: PruneStatements, before: PruneBefore, limits: PruneLimits): PruneBatch {
  const dry = limits.dryRun === true;
  const cursor = startOf(before, limits.after, dry, true);
  if (!cursor) return noCounts();
  if ('v' in cursor) return { ...noCounts(), ...(vacuumStep(db, st, limits.batch) ? { next: JSON.stringify(cursor) } : {}) };
  const counts = noCounts();
  let next: PruneCursor | undefined;
  db.exec(dry ? 'BEGIN' : 'BEGIN IMMEDIATE');
  try {
    next = 's' in cursor ? pruneTasks(st, before, limits, cursor, counts) : pruneEscalations(st, before, limits, cursor, counts);
    db.exec(dry ? 'ROLLBACK' : 'COMMIT');
  } catch (err) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw err;
  }
  next ??= following(before, cursor, dry, true);
  return { ...counts, ...(next ? { next: JSON.stringify(next) } : {}) };
}

function pruneTasks(
  st: PruneStatements,
  before: PruneBefore,
  limits: PruneLimits,
  cursor: { s: number; c: string; p: number | string },
  counts: PruneCounts,
): PruneCursor | undefined {
  const cutoff = new Date(before.tasks[PRUNABLE_STATUSES[cursor.s]!]!).toISOString();
  const candidates = st.candidates.all(
    PRUNABLE_STATUSES[cursor.s]!,
    cutoff,
    cutoff,
    cursor.c,
    cursor.c,
    cursor.p,
    limits.batch,
  ) as Candidate[];
  let at: PruneCursor = cursor;
  for (const t of candidates) {
    const [from, to] = childIdRange(t.id);
    if (t.escalations !== null && t.escalations !== '[]' && st.openEscalation.get(t.escalations)) {
      at = { s: cursor.s, c: t.created_at, p: t.pos };
      continue;
    }
    if (st.hasChild.get(from, to)) {
      if (st.liveChild.get(from, to)) {
        at = { s: cursor.s, c: t.created_at, p: t.pos };
        continue;
      }
      const room = limits.dryRun ? -1 : limits.batch - counts.tasks;
      const children = st.children.all(from, to, room) as Row[];
      // A dry run counts a run whole; a real one stops before a run it cannot finish, unless the
      // run comes first, when it deletes a batch of its step tasks and comes back for the rest.
      if (!limits.dryRun && children.length >= room) {
        if (counts.tasks === 0) for (const c of children) dropTask(st, c, counts, false);
        return at;
      }
      if (limits.dryRun && counts.tasks > 0 && counts.tasks + children.length + 1 > limits.batch) return at;
      for (const c of children) dropTask(st, c, counts, limits.dryRun === true);
    }
    dropTask(st, t, counts, limits.dryRun === true);
    at = { s: cursor.s, c: t.created_at, p: t.pos };
    if (counts.tasks >= limits.batch) return at;
  }
  return candidates.length === limits.batch ? at : undefined;
}

/** Deletes (or counts) one task with its transitions, attempts and timers. */
function dropTask(st: PruneStatements, t: Row, counts: PruneCounts, dry: boolean): void {
  counts.tasks++;
  if (dry) {
    counts.transitions += (st.countTransitions.get(t.pos) as { n: number }).n;
    counts.attempts += (st.countAttempts.get(t.pos) as { n: number }).n;
    return;
  }
  counts.transitions += Number(st.deleteTransitions.run(t.pos).changes);
  counts.attempts += Number(st.deleteAttempts.run(t.pos).changes);
  st.deleteTimers.run(t.id);
  st.deleteTask.run(t.pos);
}

function pruneEscalations(
  st: PruneStatements,
  before: PruneBefore,
  limits: PruneLimits,
  cursor: { e: number | string },
  counts: PruneCounts,
): PruneCursor | undefined {
  const rows = st.resolved.all(cursor.e, new Date(before.escalations!).toISOString(), limits.batch) as Row[];
  for (const e of rows) {
    counts.escalations++;
    if (limits.dryRun) counts.outbox += (st.countOutbox.get(e.id) as { n: number }).n;
    else {
      counts.outbox += Number(st.deleteOutbox.run(e.id).changes);
      st.deleteTimers.run(e.id);
      st.deleteEscalation.run(e.pos);
    }
  }
  return rows.length === limits.batch ? { e: rows.at(-1)!.pos } : undefined;
}

/** Gives up to `pages` free pages back to the file system; true while free pages remain. */
function vacuumStep(db: DatabaseSync, st: PruneStatements, pages: number): boolean {
  if ((st.freePages.get() as { freelist_count: number }).freelist_count === 0) return false;
  db.exec(`PRAGMA incremental_vacuum(${Math.max(1, Math.floor(pages))})`);
  return (st.freePages.get() as { freelist_count: number }).freelist_count > 0;
}

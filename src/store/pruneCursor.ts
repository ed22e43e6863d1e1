/**
 * Where a run of {@link Store.prune} calls stands, for the SQL stores: in the tasks of one
 * status (its index in PRUNABLE_STATUSES) after a (created_at, pos) key, in the escalations after
 * a pos, or giving space back. It travels as JSON in `PruneLimits.after` and `PruneBatch.next`.
 * @internal
 */
import { PRUNABLE_STATUSES, type PruneBefore } from './Prune.js';

/** A position in the phases of pruning. `pos` is a string where the store's pos is a bigint. */
export type PruneCursor = { s: number; c: string; p: number | string } | { e: number | string } | { v: true };

/**
 * `after` parsed, or the first phase with something to do (statuses kept for ever are skipped).
 * `reclaims`: the store has a phase that gives space back, after the deletes (never in a dry run).
 */
export function startOf(before: PruneBefore, after: string | undefined, dry: boolean, reclaims: boolean): PruneCursor | undefined {
  if (after !== undefined) return JSON.parse(after) as PruneCursor;
  return following(before, { s: -1, c: '', p: 0 }, dry, reclaims);
}

/** The start of the phase after the one `cursor` is in, or undefined after the last. */
export function following(before: PruneBefore, cursor: PruneCursor, dry: boolean, reclaims: boolean): PruneCursor | undefined {
  if ('s' in cursor) {
    for (let s = cursor.s + 1; s < PRUNABLE_STATUSES.length; s++) {
      if (before.tasks[PRUNABLE_STATUSES[s]!] !== undefined) return { s, c: '', p: 0 };
    }
    if (before.escalations !== undefined) return { e: 0 };
  }
  return dry || !reclaims || 'v' in cursor ? undefined : { v: true };
}

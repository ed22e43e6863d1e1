/**
 * What retention asks of a store ({@link Store.prune}): delete ended tasks and resolved
 * escalations that ended before a cut-off, one small batch per call.
 * @module
 */
import type { TaskStatus } from '../lifecycle/types.js';

/** The ended statuses, each with its own retention, in the order a store goes through them. */
export const PRUNABLE_STATUSES = ['completed', 'degraded', 'failed', 'cancelled'] as const satisfies readonly TaskStatus[];

/** One of {@link PRUNABLE_STATUSES}. */
export type PrunableStatus = (typeof PRUNABLE_STATUSES)[number];

/**
 * Cut-off times, in ms on the engine's clock: a task or escalation whose last change is older
 * goes. An absent cut-off keeps everything of its kind.
 */
export interface PruneBefore {
  /** Ended tasks, by status. */
  tasks: Partial<Record<PrunableStatus, number>>;
  /** Resolved escalations, with their outbox rows. */
  escalations?: number;
}

/** How much one {@link Store.prune} call may do. */
export interface PruneLimits {
  /**
   * At most this many task rows (a run's step tasks count) and this many escalations. A run is
   * never left half deleted by a dry run; a real one may split a big run over several calls,
   * deleting its step tasks first.
   */
  batch: number;
  /** Count what would go and delete nothing. Defaults to false. */
  dryRun?: boolean;
  /** Where the previous call stopped (its `next`); absent starts from the oldest. */
  after?: string;
}

/** Rows deleted (or, in a dry run, that would be). */
export interface PruneCounts {
  tasks: number;
  transitions: number;
  attempts: number;
  escalations: number;
  outbox: number;
}

/** What one {@link Store.prune} call did. */
export interface PruneBatch extends PruneCounts {
  /** Where the next call goes on from; absent once nothing is left to prune (or to reclaim). */
  next?: string;
}

/** The kinds of row retention deletes, as metric labels. */
export const PRUNED_KINDS = ['tasks', 'transitions', 'attempts', 'escalations', 'outbox'] as const satisfies readonly (keyof PruneCounts)[];

/** All zeros. */
export const noCounts = (): PruneCounts => ({ tasks: 0, transitions: 0, attempts: 0, escalations: 0, outbox: 0 });

/** Adds `more` into `into`, and returns it. */
export function addCounts(into: PruneCounts, more: PruneCounts): PruneCounts {
  for (const k of PRUNED_KINDS) into[k] += more[k];
  return into;
}

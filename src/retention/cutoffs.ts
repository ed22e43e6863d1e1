/**
 * From retention periods to the cut-off times a store prunes before.
 * @module
 */
import type { RetentionConfig } from '../config/index.js';
import { PRUNABLE_STATUSES, type PruneBefore } from '../store/Prune.js';

/**
 * The cut-offs at `now` (ms on the engine's clock): for each ended status and for resolved
 * escalations, `now` minus its period; `olderThanMs`, when given, stands for every period (as
 * `warden prune --older-than` does). A period kept for ever (`Infinity`) gives no cut-off.
 *
 * @example
 * cutoffs(config.retention, clock.now()); // { tasks: { completed: now - 7d, … }, escalations: now - 30d }
 */
export function cutoffs(retention: RetentionConfig, now: number, olderThanMs?: number): PruneBefore {
  const before: PruneBefore = { tasks: {} };
  for (const status of PRUNABLE_STATUSES) {
    const at = now - (olderThanMs ?? retention[status]);
    if (at >= EARLIEST) before.tasks[status] = at;
  }
  const escalations = now - (olderThanMs ?? retention.escalations);
  if (escalations >= EARLIEST) before.escalations = escalations;
  return before;
}

/** The earliest time a Date holds: nothing can have ended before it, so a cut-off before it keeps all. */
const EARLIEST = -8.64e15;

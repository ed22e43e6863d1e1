/**
 * How long ended tasks and resolved escalations are kept before the background purge deletes
 * them (CONTRACT.md section 9, Retention).
 */
import { z } from 'zod';
import { duration } from './duration.js';
import { strictObject } from './strict.js';

/**
 * A retention period: a duration more than 0 (`"7d"`, `"12h"`, or ms), or `"forever"` to keep.
 * Parses to ms, and `"forever"` to `Infinity`.
 */
export const retentionPeriodSchema = z
  .union(
    [
      z.literal('forever').transform(() => Number.POSITIVE_INFINITY),
      duration.refine((ms) => ms > 0, { error: 'must be more than 0; use "forever" to keep for ever' }),
    ],
    {
      error: (issue) =>
        `invalid retention period ${JSON.stringify(issue.input)}: use a duration such as "7d", "12h" or "90m" (ms as a number), or "forever"`,
    },
  )
  .describe('How long to keep: a duration such as "7d" or "12h" (ms as a number), or "forever".');

/** A retention period as written in a file. */
export type RetentionPeriodInput = z.input<typeof retentionPeriodSchema>;

/**
 * Retention, every field optional. A task counts from its last change (when it ended), an
 * escalation from when it was resolved. Tasks that have not ended, a run's step tasks while the
 * run is kept, tasks whose escalation is not resolved, and unresolved escalations are never deleted.
 *
 * - `completed`, `degraded`, `failed`, `cancelled`: how long ended tasks of each status are kept,
 *   with their transitions, attempts and a run's step tasks. Default to `"7d"`, `"30d"`, `"30d"` and `"7d"`.
 * - `escalations`: how long resolved escalations are kept, with their outbox rows. Defaults to `"30d"`.
 * - `intervalMs`: time between background purges (the first runs when Warden starts). Defaults to `"1h"`.
 */
export const retentionSchema = strictObject({
  completed: retentionPeriodSchema.prefault('7d').describe('How long completed tasks are kept, or "forever".'),
  degraded: retentionPeriodSchema.prefault('30d').describe('How long degraded tasks are kept, or "forever".'),
  failed: retentionPeriodSchema.prefault('30d').describe('How long failed tasks are kept, or "forever".'),
  cancelled: retentionPeriodSchema.prefault('7d').describe('How long cancelled tasks are kept, or "forever".'),
  escalations: retentionPeriodSchema.prefault('30d').describe('How long resolved escalations are kept, or "forever".'),
  intervalMs: duration
    .refine((ms) => ms > 0, { error: 'must be more than 0' })
    .prefault('1h')
    .describe('Time between background purges of what retention lets go.'),
}).describe('How long ended tasks and resolved escalations are kept; older ones are deleted in the background.');

/** Parsed retention: every period in ms (`Infinity` keeps for ever). */
export type RetentionConfig = z.output<typeof retentionSchema>;
/** Retention as written in a file. */
export type RetentionConfigInput = z.input<typeof retentionSchema>;

/** The budget of one evaluation of a run's JSONata expression (`expressions` in a multi-step workflow). */
import { z } from 'zod';
import { positiveDuration } from './duration.js';
import { strictObject } from './strict.js';

/**
 * How far one expression may go before it fails with `EXPRESSION_FAILED`:
 *
 * - `timeoutMs`: how long one evaluation may run. Defaults to 1000.
 * - `maxDepth`: how deeply evaluation may nest; a recursive function nests once per call. Defaults to 1000.
 */
export const expressionLimitsSchema = strictObject({
  timeoutMs: positiveDuration.default(1000).describe('How long one evaluation of an expression may run (ms or "1s").'),
  maxDepth: z.number().int().min(1).default(1000).describe('How deeply one evaluation may nest (a recursive call nests once).'),
}).describe("The budget of each evaluation of a run's JSONata expressions.");

/** Complete expression limits. */
export type ExpressionLimitsConfig = z.output<typeof expressionLimitsSchema>;

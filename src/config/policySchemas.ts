/**
 * The retry and circuit-breaker options of an agent, with their documented defaults.
 * The policies in `src/policies` take the parsed (normalized) values as they are.
 */
import { z } from 'zod';
import { duration, positiveDuration } from './duration.js';
import { strictObject } from './strict.js';

/** The retry fields without defaults, shared by {@link retrySchema} and {@link retryOverrideSchema}. */
const retryFields = {
  maxAttempts: z.number().int().min(1).describe('Attempts on one agent, the first included, before moving down the fallback chain.'),
  initialDelayMs: duration.describe('The delay after the first failed attempt, before jitter (ms or "1s").'),
  maxDelayMs: duration.describe('No delay is longer than this, except to honour a Retry-After (ms or "30s").'),
  multiplier: z.number().min(1).describe('Each further attempt waits this many times longer.'),
  jitter: z
    .enum(['none', 'full', 'decorrelated'])
    .describe('"none": the exponential delay itself; "full": random in [0, delay]; "decorrelated": AWS-style decorrelated jitter.'),
  errorMultipliers: z
    .record(z.string().min(1), z.number().positive())
    .describe('Extra delay factors by error code, so that some failures back off longer than others.'),
};

/**
 * Retry options of an agent. Every field is optional in the file; the parsed value is complete.
 *
 * - `maxAttempts`: defaults to 3.
 * - `initialDelayMs`: defaults to 1000.
 * - `maxDelayMs`: defaults to 30000; must be ≥ `initialDelayMs`.
 * - `multiplier`: defaults to 2.
 * - `jitter`: defaults to `'full'`.
 * - `errorMultipliers`: defaults to `{ RATE_LIMITED: 2 }`.
 */
export const retrySchema = strictObject({
  maxAttempts: retryFields.maxAttempts.default(3),
  initialDelayMs: retryFields.initialDelayMs.default(1000),
  maxDelayMs: retryFields.maxDelayMs.default(30_000),
  multiplier: retryFields.multiplier.default(2),
  jitter: retryFields.jitter.default('full'),
  errorMultipliers: retryFields.errorMultipliers.default(() => ({ RATE_LIMITED: 2 })),
}).describe('Retry options: attempts and exponential backoff with jitter.');

/**
 * A workflow's retry override: any subset of the retry fields, with no defaults of its own.
 * It is merged over the retry options of whichever agent runs the task ({@link mergeRetry}).
 */
export const retryOverrideSchema = strictObject({
  maxAttempts: retryFields.maxAttempts.optional(),
  initialDelayMs: retryFields.initialDelayMs.optional(),
  maxDelayMs: retryFields.maxDelayMs.optional(),
  multiplier: retryFields.multiplier.optional(),
  jitter: retryFields.jitter.optional(),
  errorMultipliers: retryFields.errorMultipliers.optional(),
}).describe("A partial retry override, merged over the agent's retry options at run time.");

/**
 * Circuit-breaker options of an agent.
 *
 * - `failureThreshold`: failures within `windowMs` that open the circuit. Defaults to 5.
 * - `windowMs`: defaults to 60000.
 * - `openMs`: how long the circuit stays open the first time. Defaults to 30000.
 * - `maxOpenMs`: the cap on the open time as it grows. Defaults to 300000; must be ≥ `openMs`.
 * - `openMultiplier`: growth of the open time after a failed probe. Defaults to 2.
 * - `halfOpenSuccesses`: successful probes in a row that close the circuit. Defaults to 2.
 * - `halfOpenMaxProbes`: probes in flight at once while half-open. Defaults to 1.
 */
export const circuitBreakerSchema = strictObject({
  failureThreshold: z.number().int().min(1).default(5).describe('Failures within windowMs that open the circuit.'),
  failureRate: z
    .number()
    .min(0)
    .max(1)
    .default(0.5)
    .describe('The share of calls in the window that must have failed too (0: the count alone decides).'),
  windowMs: positiveDuration.default(60_000).describe('The sliding window in which failures are counted.'),
  openMs: positiveDuration.default(30_000).describe('How long the circuit stays open the first time.'),
  maxOpenMs: positiveDuration.default(300_000).describe('The cap on the open time as it grows on repeated opens.'),
  openMultiplier: z.number().min(1).default(2).describe('Each open straight after a failed probe lasts this many times longer.'),
  halfOpenSuccesses: z.number().int().min(1).default(2).describe('Successful probes in a row that close the circuit again.'),
  halfOpenMaxProbes: z.number().int().min(1).default(1).describe('Probes allowed in flight at once while half-open.'),
}).describe('Circuit-breaker options.');

/** Complete retry options, as the engine sees them. */
export type RetryOptions = z.output<typeof retrySchema>;
/** Retry options as written in a file: every field optional, durations as numbers or strings. */
export type RetryOptionsInput = z.input<typeof retrySchema>;
/** A workflow's parsed retry override. */
export type RetryOverride = z.output<typeof retryOverrideSchema>;
/** Complete circuit-breaker options. */
export type CircuitBreakerOptions = z.output<typeof circuitBreakerSchema>;
/** Circuit-breaker options as written in a file. */
export type CircuitBreakerOptionsInput = z.input<typeof circuitBreakerSchema>;

/**
 * The retry options a task uses on an agent: the workflow's override merged over the agent's.
 *
 * @example
 * mergeRetry(agent.retry, workflow.retry); // { ...agent.retry, maxAttempts: 2 }
 */
export function mergeRetry(agentRetry: RetryOptions, override: RetryOverride | undefined): RetryOptions {
  if (!override) return agentRetry;
  const merged = { ...agentRetry };
  for (const [key, value] of Object.entries(override) as [keyof RetryOptions, never][]) {
    if (value !== undefined) merged[key] = value;
  }
  return merged;
}

/**
 * Agent health checks, run by the supervisor: an HTTP probe, a command probe, or a passive check
 * that judges the agent by the outcomes of its real calls.
 */
import { z } from 'zod';
import { duration, positiveDuration } from './duration.js';
import { strictObject, taggedUnion } from './strict.js';

/**
 * The timing fields every kind of health check has.
 *
 * - `intervalMs`: time between probes. Defaults to 10000.
 * - `timeoutMs`: a probe that takes longer fails. Defaults to 1000.
 * - `failureThreshold`: failed probes in a row that mark the agent unhealthy. Defaults to 3.
 * - `successThreshold`: passed probes in a row that mark it healthy again. Defaults to 1.
 * - `startupGraceMs`: failures are ignored this long after start. Defaults to 0.
 */
const timing = {
  intervalMs: positiveDuration.default(10_000).describe('Time between probes.'),
  timeoutMs: positiveDuration.default(1000).describe('A probe that takes longer than this fails.'),
  failureThreshold: z.number().int().min(1).default(3).describe('Failed probes in a row that mark the agent unhealthy.'),
  successThreshold: z.number().int().min(1).default(1).describe('Passed probes in a row that mark the agent healthy again.'),
  startupGraceMs: duration.default(0).describe('Failures are ignored for this long after start.'),
};

/** Probes `GET url`; any 2xx passes. */
export const httpHealthCheckSchema = strictObject({
  type: z.literal('http'),
  url: z.url({ protocol: /^https?$/ }).describe('The URL probed with GET; any 2xx passes.'),
  ...timing,
}).describe('An HTTP health probe.');

/** Runs a program (no shell); exit code 0 passes. */
export const commandHealthCheckSchema = strictObject({
  type: z.literal('command'),
  command: z.string().min(1).describe('The program to run, without a shell; exit code 0 passes.'),
  args: z
    .array(z.string())
    .default(() => [])
    .describe('Its arguments.'),
  ...timing,
}).describe('A command health probe.');

/**
 * Judges the agent by its recent real calls: unhealthy when, over `windowMs` and with at least
 * `minSamples` calls, the success rate falls below `minSuccessRate` (defaults to 0.5) or the p95
 * latency exceeds `maxP95LatencyMs` (no limit by default). `windowMs` defaults to 60000 and
 * `minSamples` to 5.
 */
export const passiveHealthCheckSchema = strictObject({
  type: z.literal('passive'),
  minSuccessRate: z.number().min(0).max(1).default(0.5).describe('Below this success rate (0–1) the agent is unhealthy.'),
  maxP95LatencyMs: positiveDuration.optional().describe('Above this p95 latency the agent is unhealthy. No limit by default.'),
  windowMs: positiveDuration.default(60_000).describe('The window of calls judged.'),
  minSamples: z.number().int().min(1).default(5).describe('Fewer calls than this in the window are not judged.'),
  ...timing,
}).describe('A passive health check over real calls.');

/** An agent's health check, discriminated by `type`: `http`, `command` or `passive`. */
export const healthCheckSchema = taggedUnion('type', [httpHealthCheckSchema, commandHealthCheckSchema, passiveHealthCheckSchema]).describe(
  'A health check: http, command or passive.',
);

/** A parsed health check, with every timing field filled in. */
export type HealthCheckConfig = z.output<typeof healthCheckSchema>;
/** A health check as written in a file. */
export type HealthCheckConfigInput = z.input<typeof healthCheckSchema>;

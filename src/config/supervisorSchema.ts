/**
 * The supervisor's settings: how often it looks, the thresholds of the system checks, and the
 * recovery ladders of the system components. Agents carry their own `healthCheck`, `process`
 * and `recovery`.
 */
import { z } from 'zod';
import { severitySchema } from '../errors/index.js';
import { positiveDuration } from './duration.js';
import { recoveryLadderSchema, SYSTEM_CHECKS } from './recoverySchema.js';
import { strictObject } from './strict.js';

const ladder = () => recoveryLadderSchema.default(() => []);

/**
 * Recovery ladders of the system components, by check name. Each defaults to `[]`: an unhealthy
 * component with no ladder is escalated at once.
 */
export const systemRecoverySchema = strictObject({
  'event-loop': ladder(),
  heap: ladder(),
  store: ladder(),
  channels: ladder(),
  queue: ladder(),
}).describe('Recovery ladders of the system checks, by check name.');

/**
 * Supervisor settings, every one optional:
 *
 * - `enabled`: run the supervisor with `warden serve`. Defaults to true.
 * - `intervalMs`: time between system checks, and between liveness looks at managed processes
 *   without a health check. Defaults to 5000.
 * - `timeoutMs`: a system check that takes longer fails. Defaults to 2000.
 * - `failureThreshold` / `successThreshold`: failed (passed) system checks in a row that mark a
 *   system component unhealthy (healthy again). Default to 3 and 1.
 * - `checks`: the system checks to run. Defaults to all: `event-loop`, `heap`, `store`, `channels`, `queue`.
 * - `eventLoopDelayMs`: the longest event-loop delay (the max over an interval, measured with
 *   `perf_hooks.monitorEventLoopDelay`) before the event loop counts as blocked. Defaults to 1000.
 * - `heapUsedRatio`: used heap over V8's heap size limit above which the heap check fails. Defaults to 0.9.
 * - `heapLimitBytes`: an absolute used-heap limit; when set it replaces `heapUsedRatio`.
 * - `maxQueueAgeMs`: the oldest queued task may wait this long. Defaults to 60000.
 * - `channelsIntervalMs`: time between looks at the escalation channels, kept apart from
 *   `intervalMs` so as not to hammer the services. A channel that delivered a message within it
 *   counts as reachable; any other is verified (Slack `auth.test`, SMTP verify). The first look is
 *   at start. Defaults to 300000.
 * - `escalateSeverity`: the severity of a system component's escalation. Defaults to `'high'`.
 * - `historySize`: transitions and check results kept in memory per component. Defaults to 200.
 * - `recovery`: see {@link systemRecoverySchema}.
 */
export const supervisorSchema = strictObject({
  enabled: z.boolean().default(true).describe('Run the supervisor with the engine.'),
  intervalMs: positiveDuration.default(5000).describe('How often the supervisor looks at every system component.'),
  timeoutMs: positiveDuration.default(2000).describe('A system check that takes longer fails.'),
  failureThreshold: z.number().int().min(1).default(3).describe('Failed system checks in a row that mark a system component unhealthy.'),
  successThreshold: z.number().int().min(1).default(1).describe('Passed checks in a row that mark it healthy again.'),
  checks: z
    .array(z.enum(SYSTEM_CHECKS))
    .default(() => [...SYSTEM_CHECKS])
    .describe('The system checks to run: event-loop, heap, store, channels, queue.'),
  eventLoopDelayMs: positiveDuration
    .default(1000)
    .describe('The longest event-loop delay over an interval before the loop counts as blocked.'),
  heapUsedRatio: z.number().gt(0).max(1).default(0.9).describe("Used heap over V8's heap size limit above which the heap check fails."),
  heapLimitBytes: z.number().int().positive().optional().describe('An absolute used-heap limit in bytes; replaces heapUsedRatio when set.'),
  maxQueueAgeMs: positiveDuration.default(60_000).describe('How long the oldest queued task may wait.'),
  channelsIntervalMs: positiveDuration
    .default(300_000)
    .describe('Time between looks at the escalation channels; one that delivered within it is not called.'),
  escalateSeverity: severitySchema.default('high').describe("The severity of a system component's escalation."),
  historySize: z.number().int().min(1).max(10_000).default(200).describe('Transitions and check results kept per component.'),
  recovery: systemRecoverySchema.prefault({}),
}).describe('Supervisor settings: health checks, recovery and escalation of the engine itself.');

/** Parsed supervisor settings. */
export type SupervisorConfig = z.output<typeof supervisorSchema>;
/** Supervisor settings as written in a file. */
export type SupervisorConfigInput = z.input<typeof supervisorSchema>;

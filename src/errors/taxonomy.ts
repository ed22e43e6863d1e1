/**
 * The error taxonomy: five categories, four severities and one frozen table of stable codes.
 * Codes are the public vocabulary of failure: they appear in task attempts, escalation
 * fingerprints, metrics labels and user classifier rules, so a code never changes meaning.
 */
import { z } from 'zod';

/**
 * What kind of failure an error is, after the design notes' five families:
 * `transient` (worth retrying the same agent), `resource` (capacity or protection limits),
 * `logic` (the request or answer is wrong; retrying the same call will not help),
 * `system` (Warden itself, or the task's own limits) and `external` (a dependency refused us).
 */
export const errorCategorySchema = z.enum(['transient', 'resource', 'logic', 'system', 'external']);

/** One of `transient`, `resource`, `logic`, `system`, `external`. See {@link errorCategorySchema}. */
export type ErrorCategory = z.infer<typeof errorCategorySchema>;

/** How urgently a human should hear about an error; it selects the escalation channels. */
export const severitySchema = z.enum(['low', 'medium', 'high', 'critical']);

/** One of `low`, `medium`, `high`, `critical`. See {@link severitySchema}. */
export type Severity = z.infer<typeof severitySchema>;

const RANK: Readonly<Record<Severity, number>> = Object.freeze({ low: 0, medium: 1, high: 2, critical: 3 });

/**
 * The position of a severity in the order `low` < `medium` < `high` < `critical` (0 to 3).
 *
 * @example
 * severityRank('high') > severityRank('medium'); // true
 */
export function severityRank(severity: Severity): number {
  return RANK[severity];
}

/**
 * The highest of the given severities. `undefined` entries are skipped, so an optional
 * workflow severity can be passed as is; with nothing to compare the answer is `low`.
 *
 * @example
 * maxSeverity(workflow.severity, ...attempts.map((a) => a.error.severity));
 */
export function maxSeverity(...severities: (Severity | undefined)[]): Severity {
  let max: Severity = 'low';
  for (const s of severities) if (s !== undefined && RANK[s] > RANK[max]) max = s;
  return max;
}

/** The defaults a code carries: every error built with the code starts from these. */
export interface ErrorCodeInfo {
  readonly category: ErrorCategory;
  readonly severity: Severity;
  /** Whether trying the same agent again may succeed. `false` moves on to the fallback chain. */
  readonly retryable: boolean;
  /** One sentence for docs, dashboards and notifications. */
  readonly description: string;
}

const code = (category: ErrorCategory, severity: Severity, retryable: boolean, description: string): ErrorCodeInfo =>
  Object.freeze({ category, severity, retryable, description });

/**
 * Every stable code Warden produces, with its defaults. User classifier rules may add custom
 * codes; those are not in this table and default to {@link customCodeDefaults}.
 */
export const errorCodes = Object.freeze({
  // transient: the same agent may well answer if asked again
  AGENT_TIMEOUT: code('transient', 'medium', true, 'The agent did not answer within the per-attempt timeout.'),
  AGENT_UNAVAILABLE: code('transient', 'medium', true, 'The agent answered HTTP 502, 503 or 504: it is down or overloaded.'),
  AGENT_HTTP_5XX: code('transient', 'medium', true, 'The agent answered with a 5xx status other than 502, 503, 504 or 507.'),
  RATE_LIMITED: code('transient', 'low', true, 'The agent answered HTTP 429: too many requests.'),
  REQUEST_TIMEOUT: code('transient', 'medium', true, 'The agent answered HTTP 408 or 425: the request should be sent again.'),
  CONNECTION_FAILED: code('transient', 'medium', true, 'No connection to the agent could be made or kept (refused, reset, DNS).'),

  // external: a dependency refused us, and asking again will not change its mind
  AUTH_FAILED: code('external', 'high', false, 'The agent answered HTTP 401 or 403: credentials are missing or wrong.'),
  COMMAND_FAILED: code('external', 'medium', false, 'A command agent exited with a non-zero status.'),

  // logic: the request or the answer is wrong
  INVALID_REQUEST: code('logic', 'medium', false, 'The agent rejected the request as invalid (HTTP 400, 404, 409, 422 or another 4xx).'),
  AGENT_RESPONSE_MALFORMED: code('logic', 'medium', false, 'The agent answered 2xx, but the body was not the JSON the protocol requires.'),
  OUTPUT_INVALID: code('logic', 'medium', false, "The agent's output failed the workflow's output checks."),
  AGENT_ERROR: code('logic', 'medium', false, 'The agent failed in a way no rule recognises.'),
  INPUT_INVALID: code('logic', 'low', false, "The task's input failed the workflow's input schema."),
  WORKFLOW_NOT_FOUND: code('logic', 'low', false, 'No workflow has that name.'),
  TASK_NOT_FOUND: code('logic', 'low', false, 'No task has that id.'),
  AGENT_NOT_FOUND: code('logic', 'low', false, 'No agent has that id.'),
  ESCALATION_NOT_FOUND: code('logic', 'low', false, 'No escalation has that id.'),
  CHANNEL_NOT_FOUND: code('logic', 'low', false, 'No escalation channel has that name.'),
  IDEMPOTENCY_CONFLICT: code('logic', 'low', false, 'The idempotency key was already used with a different input.'),
  PAYLOAD_TOO_LARGE: code('logic', 'low', false, 'The request body is larger than Warden accepts.'),
  // not retryable: the same expression over the same data fails the same way
  EXPRESSION_FAILED: code('logic', 'medium', false, "A run's JSONata expression failed, ran too long or yielded the wrong kind of value."),

  // resource: a capacity limit or a protection Warden itself applies
  RESOURCE_EXHAUSTED: code('resource', 'high', true, 'Memory, file handles or disk ran out (ENOMEM, EMFILE, ENOSPC, HTTP 507).'),
  CIRCUIT_OPEN: code('resource', 'low', false, "The agent's circuit breaker is open, so the call was not made."),
  BULKHEAD_FULL: code('resource', 'low', false, 'The agent is already running its maximum number of concurrent calls.'),
  AGENT_UNHEALTHY: code('resource', 'low', false, "The agent's health check is failing, so the call was not made."),

  // system: Warden itself, or the limits of the task as a whole
  DEADLINE_EXCEEDED: code('system', 'high', false, "The task's deadline passed across all its retries and fallbacks."),
  FALLBACK_EXHAUSTED: code('system', 'high', false, 'The primary agent and every agent of its fallback chain failed.'),
  DEGRADE_FAILED: code('system', 'high', false, "The workflow's degraded response could not be produced."),
  CANCELLED: code('system', 'low', false, 'The task was cancelled.'),
  // high rather than the design notes' critical: a bad config stops one agent or workflow, not Warden
  CONFIG_INVALID: code('system', 'high', false, 'The configuration or a workflow definition is invalid.'),
  // retryable so a caller may try another instance or try again after the restart
  ENGINE_STOPPING: code('system', 'low', true, 'The engine is draining and accepts no new work.'),
  // critical: without the store Warden can neither record progress nor deliver escalations;
  // retryable because busy or dropped database connections usually recover
  STORE_ERROR: code('system', 'critical', true, 'The task store failed to read or write.'),
  // not retryable: the other process keeps the file until it stops
  STORE_IN_USE: code('system', 'critical', false, 'Another live process owns the SQLite store file.'),
  // low and not retryable: the step lost a race to another worker, which now owns the task's next step
  STEP_CONFLICT: code('system', 'low', false, 'Another worker changed the task first, so this step was not written.'),
  INTERNAL: code('system', 'high', false, 'A bug in Warden.'),
} satisfies Record<string, ErrorCodeInfo>);

/** A code from the built-in table. */
export type ErrorCode = keyof typeof errorCodes;

/** The defaults of a custom code (one a user rule introduces that is not in {@link errorCodes}). */
export const customCodeDefaults: Omit<ErrorCodeInfo, 'description'> = Object.freeze({
  category: 'logic',
  severity: 'medium',
  retryable: false,
});

/** True when `code` is in the built-in table. */
export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(errorCodes, code);
}

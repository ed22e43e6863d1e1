/**
 * The zod schemas of the HTTP API: request bodies, query parameters and answers. They validate
 * requests, and `GET /api/openapi.json` is generated from them (house style 5), so the document
 * can never drift from what the handlers accept.
 *
 * The answer shapes mirror types the engine defines by hand (`Task`, `Transition`, `AgentView`,
 * `EscalationRecord`); the `Same` checks at the bottom fail the build if either side drifts.
 * @module
 */
import { z } from 'zod';
import { errorInfoSchema, severitySchema } from '../errors/index.js';
import type { ChannelTestResult } from '../escalation/EscalationService.js';
import type { EscalationRecord } from '../escalation/types.js';
import { healthReportSchema } from '../health/healthReport.js';
import { livenessSchema, readinessSchema } from '../health/probes.js';
import type { AgentView } from '../lifecycle/AgentPool.js';
import type { Task, Transition, TransitionEvent } from '../lifecycle/types.js';

const isoTime = z.string().describe('An ISO 8601 time, e.g. 2025-01-31T12:00:00.000Z');
const comma = <const T extends readonly [string, ...string[]]>(values: T) =>
  z
    .string()
    .optional()
    .describe(`One or more of ${values.join(', ')}, comma-separated`)
    .transform((s) => (s ? s.split(',') : undefined))
    .pipe(z.array(z.enum(values)).optional());

// ---- shared pieces ----

/** Where a task is, as users see it. */
export const TASK_STATUSES = ['queued', 'running', 'waiting', 'completed', 'degraded', 'failed', 'cancelled'] as const;
export const taskStatusSchema = z.enum(TASK_STATUSES);

/** A classified error, as stored with attempts and transitions. */
export const errorSchema = errorInfoSchema;

/** One call to one agent. `running` while the call is in flight (or was abandoned by a cancel). */
export const attemptSchema = z.object({
  agent: z.string(),
  attempt: z.number().int().min(1),
  startedAt: isoTime,
  endedAt: isoTime.optional(),
  outcome: z.enum(['running', 'ok', 'error']),
  error: errorSchema.optional(),
});

/** An agent routing passed over, and why. */
export const skipSchema = z.object({
  agent: z.string(),
  reason: z.enum(['circuit-open', 'rate-limited', 'bulkhead-full', 'unhealthy', 'unknown-agent']),
});

// ---- answers ----

/** A task (CONTRACT.md section 4). */
/** One step of a run. */
export const runStepSchema = z.object({
  status: z.string().describe('pending, ready, running, completed, degraded, failed, skipped or cancelled'),
  taskIds: z.array(z.string()).describe("The step's tasks (one per item under forEach)"),
  output: z.unknown().optional(),
  error: errorSchema.optional(),
});

export const taskSchema = z.object({
  id: z.string(),
  workflow: z.string(),
  status: taskStatusSchema,
  state: z.string().describe("The lifecycle machine's state value"),
  input: z.unknown(),
  output: z.unknown().optional().describe("The answer; for a degraded task, the workflow's degraded response"),
  answeredBy: z.string().optional().describe('The agent whose answer became the output; absent for degraded and failed tasks'),
  severity: severitySchema.optional(),
  error: errorSchema.optional().describe('The error that ended a degraded or failed task'),
  attempts: z.array(attemptSchema),
  escalationIds: z.array(z.string()),
  plan: z.array(z.string()).describe('The agents the task may use, in order: the primary and its fallback chain'),
  deadlineAt: isoTime,
  idempotencyKey: z.string().optional(),
  kind: z.literal('run').optional().describe('`run` for a multi-step workflow; absent for a single-step task'),
  parentId: z.string().optional().describe('The run this task is a step of'),
  step: z.string().optional().describe('The step of the run this task runs'),
  index: z.number().int().optional().describe("The item index of a forEach step's task"),
  steps: z.record(z.string(), runStepSchema).optional().describe("A run's steps by id"),
  createdAt: isoTime,
  updatedAt: isoTime,
});

/** One recorded state change of a task. */
export const transitionSchema = z.object({
  seq: z.number().int().min(1),
  at: isoTime,
  from: z.string().nullable(),
  to: z.string(),
  event: z.string(),
  agent: z.string().optional(),
  attempt: z.number().int().optional(),
  error: errorSchema.optional(),
  detail: z
    .object({
      skipped: z.array(skipSchema).readonly().optional(),
      delayMs: z.number().optional(),
      wakeAt: isoTime.optional(),
      reason: z.string().optional(),
      step: z.string().optional().describe("A run's transition: the step it is about"),
      index: z.number().int().optional().describe("A run's transition: the forEach item of the step"),
      items: z.number().int().optional().describe('A resolved forEach step: how many items it has'),
      status: z.string().optional().describe("A run's transition: how the step or its task ended"),
    })
    .optional(),
});

/** A transition on the event stream: with its task, and the stream id used as the SSE `id`. */
export const transitionEventSchema = transitionSchema.extend({
  taskId: z.string(),
  workflow: z.string(),
  eventId: z.number().int().optional().describe('Store-wide, increasing; the SSE id for Last-Event-ID'),
});

/** An agent with its circuit, health and load. */
export const agentSchema = z.object({
  id: z.string(),
  capabilities: z.array(z.string()),
  circuit: z.object({ state: z.enum(['closed', 'open', 'half-open']), openUntil: isoTime.optional() }),
  health: z.object({ status: z.enum(['healthy', 'unhealthy', 'unknown']) }),
  inFlight: z.number().int(),
  queued: z.number().int(),
  maxConcurrency: z.number().int(),
  recentErrorRate: z.number().min(0).max(1),
  drained: z.boolean().optional(),
});

/** One channel of an escalation. */
export const channelDeliverySchema = z.object({
  channel: z.string(),
  delivered: z.boolean(),
  attempts: z.number().int(),
  status: z.enum(['pending', 'sent', 'failed']),
  ref: z.string().optional(),
  lastError: z.string().optional(),
  fallbackFor: z.string().optional(),
  sentAt: isoTime.optional(),
});

/** An escalation: one or more degraded or failed tasks with one fingerprint, and who was told. */
export const escalationSchema = z.object({
  id: z.string(),
  fingerprint: z.string(),
  workflow: z.string(),
  planKey: z.string(),
  severity: severitySchema,
  initialSeverity: severitySchema,
  previousSeverity: severitySchema.optional(),
  status: z.enum(['open', 'acknowledged', 'resolved']),
  outcome: z.enum(['degraded', 'failed']),
  taskId: z.string(),
  taskIds: z.array(z.string()),
  count: z.number().int(),
  errorCodes: z.array(z.string()),
  finalErrorCode: z.string(),
  agentsTried: z.array(z.string()),
  channels: z.array(channelDeliverySchema),
  createdAt: isoTime,
  updatedAt: isoTime,
  ackedAt: isoTime.optional(),
  ackedBy: z.string().optional(),
  resolvedAt: isoTime.optional(),
  resolvedBy: z.string().optional(),
  resolvedByTask: z.string().optional(),
  repeats: z.number().int(),
  timeline: z.array(transitionSchema).optional().describe("For incidents not tied to a task (the supervisor's)"),
  details: z.unknown().optional(),
});

/** A message of an escalation's outbox. */
export const outboxRowSchema = z.object({
  id: z.string(),
  escalationId: z.string(),
  channel: z.string(),
  kind: z.string(),
  status: z.enum(['pending', 'sent', 'dead']),
  attempts: z.number().int(),
  nextAttemptAt: z.number(),
  createdAt: z.number(),
  ref: z.string().optional(),
  lastError: z.string().optional(),
});

/** The body of every 4xx and 5xx answer. */
export const problemSchema = z.object({
  error: z.object({
    code: z.string().describe('A stable code, e.g. INPUT_INVALID, TASK_NOT_FOUND, UNAUTHORIZED'),
    message: z.string(),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    status: taskStatusSchema.optional().describe('TASK_ENDED: the status the task ended with'),
  }),
});

/** What a test notification answered. */
export const channelTestResultSchema = z.object({
  channel: z.string(),
  type: z.enum(['slack', 'email', 'log']),
  ref: z.string().describe("Where the message can be found: Slack's channel:ts, the email's Message-ID"),
  sentAt: isoTime,
});

/** The health report: the engine, the store, each agent, each channel, the supervisor and its system checks. */
export const healthSchema = healthReportSchema;
export { livenessSchema, readinessSchema };

/**
 * A supervised component (`GET /api/supervisor/:name`). Open-ended: the supervisor owns this shape;
 * only what a client relies on is named here.
 */
export const supervisedComponentSchema = z.looseObject({
  name: z.string().describe('`agent:<id>` or `system:<check>`'),
  kind: z.enum(['agent', 'system']),
  state: z.string().describe("The supervisor machine's state: starting, healthy, suspect, unhealthy, recovering, verifying or escalated"),
  health: z.enum(['healthy', 'unhealthy', 'unknown']),
  transitions: z.array(
    z.looseObject({ seq: z.number().int(), at: isoTime, component: z.string(), from: z.string(), to: z.string(), event: z.string() }),
  ),
});
export const supervisedComponentListSchema = z.object({ components: z.array(supervisedComponentSchema) });

export const submitResultSchema = z.object({ id: z.string(), status: taskStatusSchema });
export const taskListSchema = z.object({ tasks: z.array(taskSchema) });
export const transitionListSchema = z.object({ transitions: z.array(transitionSchema) });
export const agentListSchema = z.object({ agents: z.array(agentSchema) });
export const escalationListSchema = z.object({ escalations: z.array(escalationSchema) });
export const escalationDetailSchema = escalationSchema.extend({ outbox: z.array(outboxRowSchema) });
export const workflowListSchema = z.object({
  workflows: z.array(
    z.object({
      name: z.string(),
      kind: z.enum(['task', 'run']).describe('"run" for a multi-step workflow, "task" for a single-step one'),
      steps: z.array(z.string()).optional().describe("A run's step ids, in the order of its file"),
      description: z.string().optional(),
      agent: z.string().optional(),
      capability: z.string().optional(),
      severity: severitySchema.optional(),
      deadlineMs: z.number().optional(),
      inputSchema: z.unknown().optional(),
      hasDegraded: z.boolean(),
    }),
  ),
});

/** A point of the run graph's drawing, in its pixels. */
export const graphPointSchema = z.object({ x: z.number(), y: z.number() });

/** One step of a run, placed: its box, what it runs and the fields that shape it. */
export const runGraphNodeSchema = z.object({
  id: z.string().describe('The step id'),
  kind: z.enum(['agent', 'capability', 'workflow']).describe('What the step runs'),
  target: z.string().describe('The agent id, the capability, or the workflow name'),
  x: z.number().describe("The box's left edge"),
  y: z.number().describe("The box's top edge"),
  width: z.number(),
  height: z.number(),
  needs: z.array(z.string()).describe('The steps that must end first'),
  forEach: z.string().optional().describe('The JSONata expression that yields the items, for a forEach step'),
  maxParallel: z.number().int().optional().describe('Children running at once, for a forEach step'),
  when: z.string().optional().describe('The JSONata condition of the step, if it has one'),
  onFailure: z.enum(['fail', 'continue']),
});

/** One arrow of the run graph: from a step to a step that needs it. */
export const runGraphEdgeSchema = z.object({
  from: z.string().describe('The step that must end first'),
  to: z.string().describe('The step that needs it'),
  points: z.array(graphPointSchema).describe("The arrow's polyline, from the edge of `from`'s box to the edge of `to`'s"),
});

/** `GET /api/workflows/:name/graph`: the steps of a multi-step workflow, laid out left to right. */
export const runGraphSchema = z.object({
  workflow: z.string(),
  nodes: z.array(runGraphNodeSchema).describe('One per step, in topological order'),
  edges: z.array(runGraphEdgeSchema).describe("One per entry of a step's needs"),
  width: z.number().describe('The size of the drawing: every box and arrow lies within it'),
  height: z.number(),
});

// ---- requests ----

/** `POST /api/tasks`. Unknown fields are refused, so a typo is not silently ignored. */
export const submitBodySchema = z.strictObject({
  workflow: z.string().min(1).max(200),
  input: z.unknown().optional().describe("Validated against the workflow's inputSchema"),
  idempotencyKey: z
    .string()
    .min(1)
    .max(256)
    .optional()
    .describe('The same key with the same input returns the first task (200); with other input, 409'),
  deadlineMs: z
    .number()
    .int()
    .positive()
    .max(365 * 24 * 3600 * 1000)
    .optional()
    .describe("Overrides the workflow's deadlineMs"),
});

/** `POST /api/escalations/:id/ack`; the body is optional. */
export const ackBodySchema = z.strictObject({ by: z.string().min(1).max(200).optional().describe('Who acknowledges; defaults to "api"') });

/** `GET /api/tasks` query. */
export const taskQuerySchema = z.object({
  status: comma(TASK_STATUSES),
  workflow: z.string().max(200).optional(),
  parent: z.string().max(400).optional().describe('Only the step tasks of this run'),
  topLevel: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true')
    .describe("`true`: hide runs' step tasks"),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

/** `GET /api/escalations` query. */
export const escalationQuerySchema = z.object({
  status: comma(['open', 'acknowledged', 'resolved']),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

/** `GET /api/supervisor` query (documentation: the supervisor routes parse it themselves). */
export const supervisorQuerySchema = z.object({
  limit: z.coerce.number().int().min(0).max(10_000).default(50).describe('Recent transitions shown per component'),
});

/** `GET /api/events` query: `lastEventId` stands in for the header where a client cannot set it. */
export const eventsQuerySchema = z.object({
  lastEventId: z.string().optional().describe('Same as the Last-Event-ID header'),
});

/** The `{ path, message }` issues of a failed parse, as the error body carries them. */
export function issuesOf(e: z.ZodError): { path: string; message: string }[] {
  return e.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message }));
}

// ---- drift checks: the build fails if a schema and the engine's type part ways ----

// Mutual assignability, plus the same keys: an optional field missing on one side is caught too.
type Same<A, B> = [A, keyof A] extends [B, keyof B] ? ([B, keyof B] extends [A, keyof A] ? true : false) : false;
type Assert<T extends true> = T;
/** @internal */
export type SchemaChecks = [
  Assert<Same<z.output<typeof taskSchema>, Task>>,
  Assert<Same<z.output<typeof transitionSchema>, Transition>>,
  Assert<Same<z.output<typeof transitionEventSchema>, TransitionEvent>>,
  Assert<Same<z.output<typeof agentSchema>, AgentView>>,
  Assert<Same<z.output<typeof escalationSchema>, EscalationRecord>>,
  Assert<Same<z.output<typeof channelTestResultSchema>, ChannelTestResult>>,
];

/** One agent of the fleet: how to reach it, what it can do, and the policies that guard it. */
import { z } from 'zod';
import { severitySchema } from '../errors/index.js';
import { adapterSchema } from './adapterSchema.js';
import { positiveDuration } from './duration.js';
import { healthCheckSchema } from './healthCheckSchema.js';
import { circuitBreakerSchema, retrySchema } from './policySchemas.js';
import { processSchema } from './processSchema.js';
import { recoveryLadderSchema } from './recoverySchema.js';
import { strictObject } from './strict.js';

/**
 * An agent. Every field but `adapter` is optional in the file; partial `retry` and
 * `circuitBreaker` objects get the remaining defaults.
 *
 * - `capabilities`: what the agent can do, matched by workflows' `capability`. Defaults to `[]`.
 * - `timeoutMs`: the limit of one attempt. Defaults to 30000.
 * - `maxConcurrency`: calls in flight at once (the bulkhead). Defaults to 4.
 * - `maxQueue`: calls waiting for a slot before new ones are refused. Defaults to 1000.
 * - `retry`: see {@link retrySchema}. `circuitBreaker`: see {@link circuitBreakerSchema}.
 * - `healthCheck`: none by default.
 * - `process`: a program Warden runs for the agent (see {@link processSchema}). None by default.
 * - `recovery`: the ordered strategies tried when the agent turns unhealthy. Defaults to
 *   `[{ strategy: 'restart-process' }]` for an agent with a `process`, and to `[]` (escalate at
 *   once) otherwise.
 * - `escalateSeverity`: the severity of the escalation when recovery fails. Defaults to `'high'`.
 */
export const agentSchema = strictObject({
  adapter: adapterSchema,
  capabilities: z
    .array(z.string().min(1))
    .default(() => [])
    .describe('What the agent can do, matched by a workflow\'s "capability".'),
  timeoutMs: positiveDuration.default(30_000).describe('The time limit of one attempt.'),
  maxConcurrency: z.number().int().min(1).default(4).describe('Calls in flight at once (the bulkhead).'),
  maxQueue: z.number().int().min(0).default(1000).describe('Calls waiting for a slot before new ones are refused.'),
  retry: retrySchema.prefault({}),
  circuitBreaker: circuitBreakerSchema.prefault({}),
  healthCheck: healthCheckSchema.optional(),
  process: processSchema.optional(),
  recovery: recoveryLadderSchema.optional(),
  escalateSeverity: severitySchema.default('high').describe('The severity of the escalation when recovery fails.'),
  description: z.string().optional().describe('What the agent is for, shown by `warden agents`.'),
}).describe('An agent: how to reach it, what it can do, and its retry, breaker and health-check policies.');

/** A parsed agent, with every policy field filled in. */
export type AgentConfig = z.output<typeof agentSchema>;
/** An agent as written in a file. */
export type AgentConfigInput = z.input<typeof agentSchema>;

/**
 * The zod schemas of `agents.config.json` and `workflows/*.json`: the single source of the config
 * types (house style 5). Parsing fills in every default, so the engine sees only normalized values.
 * @module
 */
import { z } from 'zod';
import { classifierRuleSchema } from '../errors/index.js';
import { agentSchema } from './agentSchema.js';
import { escalationSchema } from './escalationSchema.js';
import { retentionSchema } from './retentionSchema.js';
import { idSchema, strictObject } from './strict.js';
import { supervisorSchema } from './supervisorSchema.js';

export * from './adapterSchema.js';
export * from './agentSchema.js';
export * from './escalationSchema.js';
export * from './expressionLimitsSchema.js';
export * from './healthCheckSchema.js';
export * from './policySchemas.js';
export * from './processSchema.js';
export * from './recoverySchema.js';
export * from './retentionSchema.js';
export * from './supervisorSchema.js';
export * from './stepSchema.js';
export * from './workflowSchema.js';
export { duration, positiveDuration } from './duration.js';

const STORE_URL = /^(?:sqlite:|memory:|postgres(?:ql)?:\/\/)/;

/**
 * The whole of `agents.config.json`. Unknown top-level keys are errors, so typos are caught.
 *
 * - `agents`: at least one, keyed by id.
 * - `fallbackChains`: primary agent → the agents tried after it, in order. Defaults to `{}`.
 * - `workflowsDir`: the folder of workflow files, relative to the config file. Defaults to `'./workflows'`.
 * - `escalation`: see {@link escalationSchema}.
 * - `supervisor`: see {@link supervisorSchema}.
 * - `retention`: see {@link retentionSchema}.
 * - `store`: `sqlite:PATH` (a relative PATH resolves against the config file's folder), `memory:` or
 *   `postgres://…`. Defaults to `'sqlite:./warden.db'`.
 * - `errors.rules`: extra error classification rules, tried before the built-in table. Defaults to `[]`.
 *
 * @example
 * const config = configSchema.parse({ agents: { a: { adapter: { type: 'simulated' } } } });
 * config.agents.a.retry.maxAttempts; // 3
 */
export const configSchema = strictObject({
  $schema: z.string().optional().describe('The JSON Schema of this file, for editors.'),
  agents: z
    .record(idSchema, agentSchema)
    .refine((agents) => Object.keys(agents).length > 0, { error: 'needs at least one agent' })
    .describe('The agents, keyed by id.'),
  fallbackChains: z
    .record(idSchema, z.array(idSchema))
    .default(() => ({}))
    .describe('Primary agent → the agents tried after it fails, in order.'),
  workflowsDir: z.string().min(1).default('./workflows').describe('The folder of workflow files, relative to this file.'),
  escalation: escalationSchema.prefault({}),
  supervisor: supervisorSchema.prefault({}),
  store: z
    .string()
    .regex(STORE_URL, { error: 'must start with "sqlite:", "memory:" or "postgres://"' })
    .default('sqlite:./warden.db')
    .describe('Where tasks live: "sqlite:PATH" (a relative PATH is relative to this file), "memory:" or "postgres://…".'),
  errors: strictObject({
    rules: z
      .array(classifierRuleSchema)
      .default(() => [])
      .describe('Classification rules tried before the built-in table.'),
  })
    .prefault({})
    .describe('Error classification settings.'),
  retention: retentionSchema.prefault({}),
}).describe('Warden configuration: agents, fallback chains, escalation and store.');

/** The parsed config: every default filled in, every duration in ms. */
export type Config = z.output<typeof configSchema>;
/** The config as written in `agents.config.json` or passed to the library. */
export type ConfigInput = z.input<typeof configSchema>;

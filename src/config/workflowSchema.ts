/** A workflow definition (`workflows/<name>.json`): which agents run it and what happens when they all fail. */
import { Ajv } from 'ajv';
import { z } from 'zod';
import { severitySchema } from '../errors/index.js';
import { duration } from './duration.js';
import { retryOverrideSchema } from './policySchemas.js';
import { idSchema, strictObject } from './strict.js';

/** A JSON Schema (draft-07, as Ajv reads it by default) that must compile. */
const jsonSchemaObject = z
  .record(z.string(), z.unknown())
  .superRefine((schema, ctx) => {
    const problem = jsonSchemaProblem(schema);
    if (problem) ctx.addIssue({ code: 'custom', message: `is not a valid JSON Schema: ${problem}` });
  })
  .describe('A JSON Schema (draft-07).');

/**
 * Why `schema` does not compile, or `undefined` when it does.
 * A fresh Ajv each time, so a schema's `$id` never clashes with one compiled before.
 * @internal
 */
export function jsonSchemaProblem(schema: object): string | undefined {
  try {
    new Ajv({ allErrors: true, strict: false, logger: false }).compile(schema);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/**
 * The answer of a task when every agent failed: a static `response`, or a `module` (resolved
 * relative to the workflow file) whose `export` (defaults to `'default'`) is called as
 * `(task, failures) => response`.
 */
export const degradedSchema = strictObject({
  response: z.unknown().optional().describe('A static degraded response.'),
  module: z.string().min(1).optional().describe('A module, relative to the workflow file, whose export builds the response.'),
  export: z.string().min(1).optional().describe('The exported function of module. Defaults to "default".'),
})
  .superRefine((d, ctx) => {
    const hasResponse = 'response' in d;
    const hasModule = d.module !== undefined;
    if (hasResponse === hasModule) {
      ctx.addIssue({
        code: 'custom',
        message: 'needs exactly one of "response" (a static answer) or "module" (a function that builds it)',
      });
    } else if (hasResponse && d.export !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['export'], message: 'is only allowed with "module"' });
    }
  })
  .transform((d): { response: unknown } | { module: string; export: string } =>
    d.module !== undefined ? { module: d.module, export: d.export ?? 'default' } : { response: d.response },
  )
  .describe('The degraded response: { "response": … } or { "module": "./file.js", "export"?: "default" }.');

/**
 * A workflow.
 *
 * - `agent` or `capability` (exactly one): the primary agent (its fallback chain comes from
 *   `fallbackChains`), or any agent with that capability, in config order.
 * - `inputSchema` / `outputSchema`: JSON Schemas the input and output must satisfy.
 * - `timeoutMs`: overrides the agent's per-attempt timeout.
 * - `deadlineMs`: the whole task, across every retry and fallback. Defaults to 600000.
 * - `retry`: a partial override merged over the running agent's retry options; no defaults of its own.
 * - `severity`: the least severity an escalation of this workflow gets. Defaults to `'medium'`.
 * - `degraded`: see {@link degradedSchema}.
 */
export const workflowSchema = strictObject({
  $schema: z.string().optional().describe('The JSON Schema of this file, for editors.'),
  name: idSchema.describe('The workflow name; equals the file name without .json.'),
  agent: idSchema.optional().describe('The primary agent; its fallback chain comes from fallbackChains.'),
  capability: z.string().min(1).optional().describe('Run on any agent with this capability, in config order.'),
  inputSchema: jsonSchemaObject.optional().describe('The JSON Schema the task input must satisfy.'),
  outputSchema: jsonSchemaObject.optional().describe('The JSON Schema the agent output must satisfy.'),
  timeoutMs: duration.optional().describe("Overrides the agent's per-attempt timeout."),
  deadlineMs: duration.default(600_000).describe('The whole task, across every retry and fallback.'),
  retry: retryOverrideSchema.optional(),
  severity: severitySchema.default('medium').describe('The least severity an escalation of this workflow gets.'),
  degraded: degradedSchema.optional(),
  description: z.string().optional().describe('What the workflow does.'),
})
  .superRefine((w, ctx) => {
    if (w.agent === undefined && w.capability === undefined) {
      ctx.addIssue({ code: 'custom', message: 'needs either "agent" (the primary agent) or "capability"' });
    } else if (w.agent !== undefined && w.capability !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['capability'], message: 'give either "agent" or "capability", not both' });
    }
  })
  .describe('A Warden workflow definition.');

/** A parsed workflow. */
export type Workflow = z.output<typeof workflowSchema>;
/** A workflow as written in a file or passed to the library. */
export type WorkflowInput = z.input<typeof workflowSchema>;
/** A parsed degraded-response definition. */
export type DegradedConfig = z.output<typeof degradedSchema>;

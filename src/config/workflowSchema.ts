/**
 * A workflow definition (`workflows/<name>.json`): single-step (which agents run it and what
 * happens when they all fail) or multi-step (a run: a graph of `steps`), never both.
 */
import { z } from 'zod';
import { severitySchema } from '../errors/index.js';
import { positiveDuration } from './duration.js';
import { expressionLimitsSchema } from './expressionLimitsSchema.js';
import { jsonSchemaObject } from './jsonSchemaObject.js';
import { type Step, expressionSchema, stepSchema, taskOverrideFields } from './stepSchema.js';
import { idSchema, strictObject } from './strict.js';

export { degradedSchema } from './degradedSchema.js';
export type { DegradedConfig } from './degradedSchema.js';
export { jsonSchemaProblem } from './jsonSchemaObject.js';

/** The fields a multi-step workflow leaves to its steps. */
const SINGLE_STEP_ONLY = ['timeoutMs', 'retry', 'outputSchema'] as const;

/**
 * A workflow.
 *
 * Single-step:
 * - `agent` or `capability` (exactly one): the primary agent (its fallback chain comes from
 *   `fallbackChains`), or any agent with that capability, in config order.
 * - `outputSchema`: the JSON Schema the output must satisfy.
 * - `timeoutMs`: overrides the agent's per-attempt timeout.
 * - `retry`: a partial override merged over the running agent's retry options; no defaults of its own.
 *
 * Multi-step (a run):
 * - `steps`: the steps by id (see {@link stepSchema}); at least one. Neither `agent` nor
 *   `capability`, and `timeoutMs`, `retry` and `outputSchema` belong on the steps.
 * - `output`: a JSONata expression for the run's output. Defaults to `{ <stepId>: output }` of every step.
 * - `expressions`: the budget of each evaluation of its expressions; see {@link expressionLimitsSchema}.
 *
 * Both:
 * - `inputSchema`: the JSON Schema the input must satisfy.
 * - `deadlineMs`: the whole task (or run, every step included), across every retry and fallback. Defaults to 600000.
 * - `severity`: the least severity an escalation of this workflow gets. Defaults to `'medium'`.
 * - `degraded`: see {@link degradedSchema}.
 */
export const workflowSchema = strictObject({
  $schema: z.string().optional().describe('The JSON Schema of this file, for editors.'),
  name: idSchema.describe('The workflow name; equals the file name without .json.'),
  agent: idSchema.optional().describe('The primary agent; its fallback chain comes from fallbackChains.'),
  capability: z.string().min(1).optional().describe('Run on any agent with this capability, in config order.'),
  steps: z.record(idSchema, stepSchema).optional().describe('The steps of a multi-step workflow, by id. Not with "agent" or "capability".'),
  output: expressionSchema.optional().describe("A multi-step workflow's output. Defaults to { <stepId>: output } of every step."),
  expressions: expressionLimitsSchema.optional(),
  inputSchema: jsonSchemaObject.optional().describe('The JSON Schema the task input must satisfy.'),
  ...taskOverrideFields,
  deadlineMs: positiveDuration.default(600_000).describe('The whole task, across every retry and fallback (a run: every step).'),
  severity: severitySchema.default('medium').describe('The least severity an escalation of this workflow gets.'),
  description: z.string().optional().describe('What the workflow does.'),
})
  .superRefine((w, ctx) => {
    if (w.steps !== undefined) {
      for (const key of ['agent', 'capability'] as const) {
        if (w[key] !== undefined) {
          ctx.addIssue({ code: 'custom', path: [key], message: `give either "steps" (a multi-step workflow) or "${key}", not both` });
        }
      }
      for (const key of SINGLE_STEP_ONLY) {
        if (w[key] !== undefined)
          ctx.addIssue({ code: 'custom', path: [key], message: 'is for single-step workflows; give it on the steps' });
      }
      if (Object.keys(w.steps).length === 0) ctx.addIssue({ code: 'custom', path: ['steps'], message: 'needs at least one step' });
      return;
    }
    for (const key of ['output', 'expressions'] as const) {
      if (w[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: 'is for multi-step workflows (with "steps")' });
    }
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
/** A parsed multi-step workflow: one with `steps`. */
export type MultiStepWorkflow = Workflow & { readonly steps: Record<string, Step> };

/**
 * True for a multi-step workflow (a run).
 *
 * @example
 * if (isMultiStep(workflow)) for (const id of Object.keys(workflow.steps)) console.log(id);
 */
export function isMultiStep(workflow: Pick<Workflow, 'steps'>): workflow is MultiStepWorkflow {
  return workflow.steps !== undefined;
}

/**
 * A step of a multi-step workflow (a run): what it runs (an agent, a capability or a whole
 * workflow), which steps it needs, and the JSONata expressions that shape it. The expressions are
 * checked and compiled once, at load, by `compileRun`; here they are plain strings.
 */
import { z } from 'zod';
import { severitySchema } from '../errors/index.js';
import { degradedSchema } from './degradedSchema.js';
import { positiveDuration } from './duration.js';
import { jsonSchemaObject } from './jsonSchemaObject.js';
import { retryOverrideSchema } from './policySchemas.js';
import { idSchema, strictObject } from './strict.js';

/** A JSONata expression, evaluated over `{ input, steps, item, index, run }`. */
export const expressionSchema = z
  .string()
  .min(1, { error: 'is an empty expression' })
  .describe('A JSONata expression over { input, steps: { <id>: { status, output, error } }, item, index, run: { id } }.');

/**
 * The fields a single-step workflow and an agent or capability step share: overrides of what the
 * running agent would otherwise decide.
 * @internal
 */
export const taskOverrideFields = {
  outputSchema: jsonSchemaObject.optional().describe('The JSON Schema the agent output must satisfy.'),
  timeoutMs: positiveDuration.optional().describe("Overrides the agent's per-attempt timeout."),
  retry: retryOverrideSchema.optional(),
  degraded: degradedSchema.optional(),
};

/** The fields that name what a step runs; exactly one is given. */
export const STEP_KINDS = ['agent', 'capability', 'workflow'] as const;
/** What a step runs: an agent, any agent with a capability, or a whole workflow. */
export type StepKind = (typeof STEP_KINDS)[number];

const OVERRIDES = ['timeoutMs', 'retry', 'outputSchema', 'degraded', 'severity'] as const;

/**
 * A step of a run.
 *
 * - `agent`, `capability` or `workflow` (exactly one): what the step runs. A `workflow` step runs
 *   that workflow, single-step or multi-step, as a child.
 * - `needs`: the steps that must end first. Defaults to `[]` (the step starts with the run).
 * - `input`: a JSONata expression for the step's input. Defaults to the run's input.
 * - `when`: a JSONata expression; false (or nothing) skips the step.
 * - `forEach`: a JSONata expression that yields an array: one child per item.
 * - `maxParallel`: children of a `forEach` step running at once. Defaults to 10.
 * - `onFailure`: `'fail'` ends the run when the step fails; `'continue'` records the failure and
 *   the steps after it still run. Defaults to `'fail'`.
 * - `timeoutMs`, `retry`, `outputSchema`, `degraded`, `severity`: overrides, for agent and
 *   capability steps only, with the same meaning as in a single-step workflow.
 */
export const stepSchema = strictObject({
  agent: idSchema.optional().describe('The primary agent; its fallback chain comes from fallbackChains.'),
  capability: z.string().min(1).optional().describe('Run on any agent with this capability, in config order.'),
  workflow: idSchema.optional().describe('Run this workflow (single-step or multi-step) as a child.'),
  needs: z
    .array(idSchema)
    .default(() => [])
    .describe('The steps that must end before this one starts.'),
  input: expressionSchema.optional().describe("A JSONata expression for the step's input. Defaults to the run's input."),
  when: expressionSchema.optional().describe('A JSONata expression; false (or nothing) skips the step.'),
  forEach: expressionSchema.optional().describe('A JSONata expression that yields an array: one child per item.'),
  maxParallel: z.number().int().positive().max(1000).default(10).describe('Children of a forEach step running at once (at most 1000).'),
  onFailure: z
    .enum(['fail', 'continue'])
    .default('fail')
    .describe('"fail": a failure of this step ends the run; "continue": it is recorded and later steps still run.'),
  ...taskOverrideFields,
  severity: severitySchema.optional().describe("The least severity of this step's failures. Defaults to the workflow's."),
  description: z.string().optional().describe('What the step does.'),
})
  .superRefine((step, ctx) => {
    const kinds = STEP_KINDS.filter((kind) => step[kind] !== undefined);
    if (kinds.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'needs exactly one of "agent", "capability" or "workflow"' });
    } else if (kinds.length > 1) {
      ctx.addIssue({
        code: 'custom',
        path: [kinds[1]!],
        message: `give only one of "agent", "capability" or "workflow" (found ${kinds.map((k) => `"${k}"`).join(' and ')})`,
      });
    }
    if (step.workflow !== undefined) {
      for (const key of OVERRIDES) {
        if (step[key] !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: 'is only for agent and capability steps; a workflow step takes it from its workflow',
          });
        }
      }
    }
    const seen = new Set<string>();
    step.needs.forEach((need, i) => {
      if (seen.has(need)) ctx.addIssue({ code: 'custom', path: ['needs', i], message: `"${need}" appears more than once` });
      seen.add(need);
    });
  })
  .describe('A step of a multi-step workflow.');

/** A parsed step: defaults filled in, durations in ms, expressions still as source text. */
export type Step = z.output<typeof stepSchema>;
/** A step as written in a workflow file. */
export type StepInput = z.input<typeof stepSchema>;

/**
 * JSON Schema for editors, generated from the zod schemas (house style 5): the files named by
 * `"$schema"` in `agents.config.json` and `workflows/*.json`. `npm run build` writes them to
 * `schemas/` through `scripts/write-schemas.js`.
 */
import { z } from 'zod';
import { configSchema, workflowSchema } from './schema.js';

// The input side, so that fields with defaults are optional and durations accept number | string.
// Draft-07, because it is the draft editors (VS Code's JSON service among them) support best.
const OPTIONS: Parameters<typeof z.toJSONSchema>[1] = {
  io: 'input',
  target: 'draft-07',
  override: ({ zodSchema, jsonSchema }) => {
    // zod leaves out the defaults of transformed fields (durations) on the input side, since a
    // default is an output value; ours are plain numbers, valid inputs too, and editors show them.
    const def = zodSchema._zod.def;
    if (def.type === 'default' && jsonSchema.default === undefined) jsonSchema.default = def.defaultValue as never;
  },
};

/** The JSON Schema of `agents.config.json`. */
export function configJsonSchema(): Record<string, unknown> {
  return { title: 'Warden agents config', ...z.toJSONSchema(configSchema, OPTIONS) };
}

/** The JSON Schema of a workflow file. */
export function workflowJsonSchema(): Record<string, unknown> {
  return { title: 'Warden workflow', ...z.toJSONSchema(workflowSchema, OPTIONS) };
}

/** The schema files written to `schemas/`, by file name. */
export const jsonSchemaFiles: Readonly<Record<string, () => Record<string, unknown>>> = Object.freeze({
  'agents.config.schema.json': configJsonSchema,
  'workflow.schema.json': workflowJsonSchema,
});

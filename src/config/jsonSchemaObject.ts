/** A JSON Schema field of a workflow or step (`inputSchema`, `outputSchema`): any object Ajv can compile. */
import { z } from 'zod';
import { createAjv } from './createAjv.js';

/**
 * Why `schema` does not compile, or `undefined` when it does.
 * A fresh Ajv each time, so a schema's `$id` never clashes with one compiled before.
 * @internal
 */
export function jsonSchemaProblem(schema: object): string | undefined {
  try {
    createAjv().compile(schema);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** A JSON Schema (draft-07, as Ajv reads it by default) that must compile. @internal */
export const jsonSchemaObject = z
  .record(z.string(), z.unknown())
  .superRefine((schema, ctx) => {
    const problem = jsonSchemaProblem(schema);
    if (problem) ctx.addIssue({ code: 'custom', message: `is not a valid JSON Schema: ${problem}` });
  })
  .describe('A JSON Schema (draft-07).');

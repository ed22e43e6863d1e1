/** The degraded response of a workflow or step: what a task answers when every agent failed. */
import { z } from 'zod';
import { strictObject } from './strict.js';

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

/** A parsed degraded-response definition. */
export type DegradedConfig = z.output<typeof degradedSchema>;

/**
 * The one Ajv set-up for the JSON Schemas of workflows (`inputSchema`, `outputSchema`), both
 * where the config is checked and where input and output are validated, so the two never
 * disagree about what a schema means.
 * @module
 */
import { Ajv } from 'ajv';
import formatsPlugin from 'ajv-formats';

/**
 * A fresh Ajv that enforces the `format` keywords of ajv-formats (`email`, `uri`, `date-time`,
 * `uuid`, …). A format it does not know is ignored, as before, so that schemas written for form
 * builders (`format: "textarea"`) still compile.
 * @internal
 */
export function createAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false, logger: false });
  // ajv-formats is CommonJS: under NodeNext the default import is `module.exports`, and the
  // plugin is also its own `.default`, which is what the typings can name.
  formatsPlugin.default(ajv);
  return ajv;
}

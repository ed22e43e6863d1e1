import type { ErrorObject, ValidateFunction } from 'ajv';
import { createAjv } from '../config/createAjv.js';
import type { Workflow } from '../config/index.js';
import { wardenError } from '../errors/index.js';

/** A problem with a value, at a dotted path. */
export interface Issue {
  path: string;
  message: string;
}

/**
 * Checks task input and agent output against a workflow's JSON Schemas (ajv, compiled once
 * per workflow at start).
 * @internal
 */
export class InputValidator {
  readonly #input = new Map<string, ValidateFunction>();
  readonly #output = new Map<string, ValidateFunction>();

  constructor(workflows: ReadonlyMap<string, Workflow>) {
    const ajv = createAjv();
    for (const [name, wf] of workflows) {
      if (wf.inputSchema) this.#input.set(name, ajv.compile(wf.inputSchema as object));
      if (wf.outputSchema) this.#output.set(name, ajv.compile(wf.outputSchema as object));
    }
  }

  /** Issues with `input`, with paths under `input`, or undefined when it is valid. */
  validate(workflow: string, input: unknown): Issue[] | undefined {
    return check(this.#input.get(workflow), input, 'input');
  }

  /**
   * The workflow a submission names, once its input and deadline are valid.
   * @throws WardenError WORKFLOW_NOT_FOUND, or INPUT_INVALID (with `issues`).
   */
  admit<W extends Workflow>(workflows: ReadonlyMap<string, W>, name: string, input: unknown, deadlineMs: number | undefined): W {
    const wf = workflows.get(name);
    if (!wf) throw wardenError('WORKFLOW_NOT_FOUND', `unknown workflow "${name}"`);
    const issues = this.validate(name, input);
    if (issues) throw wardenError('INPUT_INVALID', `input does not match the ${name} inputSchema`, { issues });
    if (deadlineMs !== undefined && !(deadlineMs > 0)) {
      const issues = [{ path: 'deadlineMs', message: 'must be > 0' }];
      throw wardenError('INPUT_INVALID', 'deadlineMs must be a positive number of milliseconds', { issues });
    }
    return wf;
  }

  /** Issues with an agent's output, or undefined when it is valid (or there is no outputSchema). */
  validateOutput(workflow: string, output: unknown): Issue[] | undefined {
    return check(this.#output.get(workflow), output, 'output');
  }
}

function check(fn: ValidateFunction | undefined, value: unknown, root: string): Issue[] | undefined {
  if (!fn || fn(value)) return undefined;
  return (fn.errors ?? []).map((e) => toIssue(e, root));
}

function toIssue(e: ErrorObject, root: string): Issue {
  const parts = e.instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (e.keyword === 'required') parts.push(String((e.params as { missingProperty: string }).missingProperty));
  if (e.keyword === 'additionalProperties') parts.push(String((e.params as { additionalProperty: string }).additionalProperty));
  const path = [root, ...parts].join('.');
  const message = e.keyword === 'required' ? 'is required' : (e.message ?? 'is invalid');
  return { path, message };
}

/**
 * The workflows' degraded responses: a fixed response from the workflow file, or a degrader
 * module's function `(task, failures) => response`, imported once at start so that a broken
 * module stops the start, not a task.
 * @module
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Workflow } from '../config/index.js';
import { type ErrorInfo, wardenError } from '../errors/index.js';

/** A workflow's degraded-response function. */
export type Degrader = (task: { id: string; workflow: string; input: unknown }, failures: ErrorInfo[]) => unknown;

/** The degraded responses of every workflow of a config. */
export class DegradedResponses {
  readonly #degraders = new Map<string, Degrader>();

  /** `specs`: what each task runs, by key (see `taskSpecs`); `configDir` resolves relative module paths. */
  constructor(
    private readonly specs: ReadonlyMap<string, Workflow>,
    private readonly configDir: string,
  ) {}

  /** Imports every degrader module. @throws WardenError CONFIG_INVALID naming the module and workflow. */
  async prepare(): Promise<void> {
    for (const [key, wf] of this.specs) {
      const spec = wf.degraded;
      if (!spec || !('module' in spec)) continue;
      const file = resolve(this.configDir, spec.module);
      let mod: Record<string, unknown>;
      try {
        mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
      } catch (err) {
        throw wardenError(
          'CONFIG_INVALID',
          `degraded module ${file} of workflow ${key} could not be imported: ${err instanceof Error ? err.message : String(err)}`,
          { cause: err },
        );
      }
      const fn = mod[spec.export ?? 'default'];
      if (typeof fn !== 'function') {
        throw wardenError(
          'CONFIG_INVALID',
          `degraded module ${file} of workflow ${key} has no function export "${spec.export ?? 'default'}"`,
        );
      }
      this.#degraders.set(key, fn as Degrader);
    }
  }

  /** Whether the workflow (or step, by its spec key) has a degraded response. */
  has(key: string): boolean {
    return this.specs.get(key)?.degraded !== undefined;
  }

  /**
   * The degraded response of a task. Rejects with the degrader's own error when it throws, or
   * when the workflow has none.
   */
  async produce(task: { id: string; workflow: string; input: unknown }, failures: ErrorInfo[], key = task.workflow): Promise<unknown> {
    const spec = this.specs.get(key)?.degraded;
    if (!spec) throw new Error('the workflow has no degraded response');
    if ('response' in spec) return spec.response;
    return this.#degraders.get(key)!(task, failures);
  }
}

/**
 * What a task runs, by key: every workflow by its name, and every agent or capability step of a
 * multi-step workflow as `<workflow>#<step>`, spelled out as the single-step workflow it amounts
 * to (its agent or capability and its overrides, the run's deadline and severity). The lifecycle
 * of a task reads its agent plan, timeouts, retries, output schema and degraded response here.
 * @module
 */
import type { LoadedConfig, Workflow } from '../config/index.js';
import type { TaskRecord } from '../store/Store.js';

/** The key of a run's agent or capability step. */
export const stepSpecKey = (workflow: string, step: string): string => `${workflow}#${step}`;

/** The key of what a task runs: its own spec, or its workflow's. */
export const specKeyOf = (record: Pick<TaskRecord, 'spec' | 'workflow'>): string => record.spec ?? record.workflow;

/** The single-step specs of a config, by key. */
export function taskSpecs(loaded: LoadedConfig): Map<string, Workflow> {
  const specs = new Map<string, Workflow>();
  for (const [name, wf] of loaded.workflows) {
    specs.set(name, wf);
    if (!wf.run) continue;
    for (const step of Object.values(wf.run.steps)) {
      if (step.kind === 'workflow') continue;
      const spec: Workflow = {
        name,
        deadlineMs: wf.deadlineMs,
        severity: step.severity ?? wf.severity,
        ...(step.kind === 'agent' ? { agent: step.target } : { capability: step.target }),
        ...(step.timeoutMs !== undefined ? { timeoutMs: step.timeoutMs } : {}),
        ...(step.retry !== undefined ? { retry: step.retry } : {}),
        ...(step.outputSchema !== undefined ? { outputSchema: step.outputSchema } : {}),
        ...(step.degraded !== undefined ? { degraded: step.degraded } : {}),
      } as Workflow;
      specs.set(stepSpecKey(name, step.id), spec);
    }
  }
  return specs;
}

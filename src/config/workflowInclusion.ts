/**
 * The check that no workflow runs itself, directly (a step of `a` runs `a`) or through others
 * (`a` runs `b`, which runs `a`): such a run would start children without end.
 * @internal
 */
import type { ConfigProblem } from './ConfigError.js';
import { dottedPath } from './ConfigError.js';
import { forEachCycle } from './cycles.js';
import type { Workflow } from './schema.js';

/**
 * Reports every workflow on a cycle of workflow steps, in its own file, at the step that runs the
 * next workflow of the cycle: `steps.review.workflow: workflow "a" includes itself: a → b → a`.
 * Steps naming unknown workflows are left to the reference check.
 */
export function checkWorkflowInclusion(
  entries: readonly { readonly workflow: Pick<Workflow, 'name' | 'steps'>; readonly file: string }[],
): ConfigProblem[] {
  const byName = new Map<string, (typeof entries)[number]>();
  for (const entry of entries) if (!byName.has(entry.workflow.name)) byName.set(entry.workflow.name, entry);
  const children = (name: string): string[] => {
    const steps = Object.values(byName.get(name)?.workflow.steps ?? {});
    return [...new Set(steps.flatMap((step) => (step.workflow !== undefined && byName.has(step.workflow) ? [step.workflow] : [])))];
  };
  const problems: ConfigProblem[] = [];
  forEachCycle(byName.keys(), children, (cycle) => {
    const members = cycle.slice(0, -1);
    members.forEach((name, i) => {
      const next = cycle[i + 1];
      const entry = byName.get(name)!;
      const step = Object.entries(entry.workflow.steps ?? {}).find(([, s]) => s.workflow === next)?.[0] ?? '';
      const chain = [...members.slice(i), ...members.slice(0, i), name];
      problems.push({
        file: entry.file,
        path: dottedPath(['steps', step, 'workflow']),
        message: `workflow "${name}" includes itself: ${chain.join(' → ')}`,
      });
    });
  });
  return problems;
}

/**
 * The wording of a run's failed and degraded steps, shared by every channel like
 * {@link summaryFields}: the step's heading and facts, each step task's heading, and the lines
 * that count what was left out. Values here are raw; each renderer redacts and escapes them.
 * @module
 */
import type { NotificationFacts, FailedStepFacts, StepTaskFacts } from './NotificationFacts.js';
import type { SummaryField } from './summary.js';

/** The heading of the step sections, e.g. `Failed or degraded steps (2)`. */
export function stepsHeading(facts: Pick<NotificationFacts, 'steps' | 'moreSteps'>): string {
  return `Failed or degraded steps (${(facts.steps?.length ?? 0) + (facts.moreSteps ?? 0)})`;
}

/** A step's heading, e.g. `Step build — degraded`. */
export function stepHeading(s: FailedStepFacts): string {
  return `Step ${s.step} — ${s.status}`;
}

/** Whether the step is told as its one task (a step without `forEach` whose task ended badly). */
export function isSingleTaskStep(s: FailedStepFacts): boolean {
  return s.tasks.length === 1 && s.tasks[0]!.index === undefined && s.moreTasks === 0;
}

/**
 * A step's facts, in order: its task (or how many of its tasks failed or degraded), the error
 * codes, the agents tried, and its own error when it has one.
 */
export function stepFields(s: FailedStepFacts): SummaryField[] {
  const fields: SummaryField[] = [
    isSingleTaskStep(s) ? { label: 'Task', value: s.tasks[0]!.taskId } : { label: 'Tasks', value: stepTasksValue(s) },
  ];
  fields.push({ label: 'Error codes', value: s.errorCodes.length > 0 ? s.errorCodes.join(', ') : '—' });
  fields.push({ label: 'Agents tried', value: s.agentsTried.length > 0 ? s.agentsTried.join(' → ') : '—' });
  if (s.error) fields.push({ label: 'Error', value: `${s.error.code}: ${s.error.message}` });
  return fields;
}

/**
 * A step task's heading with its own facts, e.g.
 * `Task r1.build.4 (item 4) — degraded · AGENT_TIMEOUT, FALLBACK_EXHAUSTED · builder → builder-b`.
 */
export function stepTaskHeading(t: StepTaskFacts): string {
  const parts = [`Task ${t.taskId}${t.index !== undefined ? ` (item ${t.index})` : ''} — ${t.status}`];
  if (t.errorCodes.length > 0) parts.push(t.errorCodes.join(', '));
  if (t.agentsTried.length > 0) parts.push(t.agentsTried.join(' → '));
  return parts.join(' · ');
}

/** The line in place of a step's tasks left out, e.g. `… and 37 more failed or degraded tasks of build`. */
export function moreTasksLine(step: string, n: number): string {
  return `… and ${n} more failed or degraded task${n === 1 ? '' : 's'} of ${step}`;
}

/** The line in place of the steps left out, e.g. `… and 2 more failed or degraded steps`. */
export function moreStepsLine(n: number): string {
  return `… and ${n} more failed or degraded step${n === 1 ? '' : 's'}`;
}

function stepTasksValue(s: FailedStepFacts): string {
  if (s.tasks.length === 0 && s.moreTasks === 0) return 'none started';
  const bad = s.tasks.length + s.moreTasks;
  return `${bad} of ${Math.max(s.taskCount, bad)} failed or degraded`;
}

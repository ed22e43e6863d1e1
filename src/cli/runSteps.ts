/**
 * How the CLI shows a run's steps: one row per step, in the run's step order, summed over the
 * step's tasks (one, or one per item under `forEach`), and the short progress of a running run.
 */
import { TERMINAL_STATUSES, type Task, type Transition } from '../lifecycle/types.js';
import { duration, table } from './format.js';

/** Step statuses that will not change again (the run machine's ended statuses). */
const ENDED = new Set(['completed', 'degraded', 'failed', 'skipped', 'cancelled']);

/** One step of a run, summed over its tasks. */
export interface StepRow {
  step: string;
  status: string;
  /** The item count of a `forEach` step; absent for a plain step, or before its items are known. */
  items?: number;
  /** Who answered, then who else was tried: "builder", "good (tried flaky)", "(tried a, b)". */
  agents: string;
  /** Every attempt of every task of the step. */
  attempts: number;
  /** First task created → last task ended (or `now`, while one still runs); absent before the step has a task. */
  tookMs?: number;
  /** The code of the error that ended the step. */
  error?: string;
}

/**
 * The rows of a run's steps. `stepTasks` are the run's step tasks (`GET /api/tasks?parent=`), in
 * any order; `transitions` are the run's own, which say how many items a `forEach` step has.
 */
export function stepRows(run: Task, stepTasks: readonly Task[], transitions: readonly Transition[], now: number): StepRow[] {
  const byId = new Map(stepTasks.map((t) => [t.id, t]));
  const items = new Map<string, number>();
  for (const t of transitions) if (t.detail?.step !== undefined && t.detail.items !== undefined) items.set(t.detail.step, t.detail.items);
  return Object.entries(run.steps ?? {}).map(([step, view]) => {
    // Tasks are matched by the run's own list first, so a step task the listing cut off is only missed, never misfiled.
    const tasks = view.taskIds.map((id) => byId.get(id)).filter((t): t is Task => t !== undefined);
    for (const t of stepTasks) if (t.step === step && !view.taskIds.includes(t.id)) tasks.push(t);
    const row: StepRow = { step, status: view.status, agents: agentsOf(tasks), attempts: tasks.reduce((n, t) => n + t.attempts.length, 0) };
    const count = items.get(step);
    if (count !== undefined) row.items = count;
    const took = spanOf(tasks, now);
    if (took !== undefined) row.tookMs = took;
    if (view.error) row.error = view.error.code;
    return row;
  });
}

/** The steps as a table: step, status, items, agents, attempts, took, error. */
export function stepsTable(rows: readonly StepRow[]): string {
  return table(
    ['step', 'status', 'items', 'agents', 'attempts', 'took', 'error'],
    rows.map((r) => [r.step, r.status, r.items, r.agents, r.attempts, r.tookMs === undefined ? undefined : duration(r.tookMs), r.error]),
  );
}

/** A run's progress for the live line: "running · 1/4 steps ended · build, docs". */
export function runStateLine(run: Task): string {
  const steps = Object.entries(run.steps ?? {});
  const ended = steps.filter(([, s]) => ENDED.has(s.status)).length;
  const active = steps.filter(([, s]) => s.status === 'running' || s.status === 'ready').map(([id]) => id);
  return `${run.status} · ${ended}/${steps.length} steps ended${active.length ? ` · ${active.join(', ')}` : ''}`;
}

/** How many steps a run has; absent for a task that is not a run. */
export function stepCount(task: Task): number | undefined {
  return task.kind === 'run' ? Object.keys(task.steps ?? {}).length : undefined;
}

function agentsOf(tasks: readonly Task[]): string {
  const child = tasks.find((t) => t.kind === 'run');
  // A workflow step whose workflow is itself a run: its agents are its own steps' business.
  if (child) return `run ${child.workflow}`;
  const answered = unique(tasks.flatMap((t) => (t.answeredBy ? [t.answeredBy] : [])));
  const tried = unique(tasks.flatMap((t) => t.attempts.map((a) => a.agent))).filter((a) => !answered.includes(a));
  const also = tried.length ? `(tried ${tried.join(', ')})` : '';
  return [answered.join(', '), also].filter(Boolean).join(' ');
}

function spanOf(tasks: readonly Task[], now: number): number | undefined {
  if (tasks.length === 0) return undefined;
  const start = Math.min(...tasks.map((t) => Date.parse(t.createdAt)));
  const end = tasks.every((t) => TERMINAL_STATUSES.has(t.status)) ? Math.max(...tasks.map((t) => Date.parse(t.updatedAt))) : now;
  return end - start;
}

function unique<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

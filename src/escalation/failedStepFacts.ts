/**
 * The failed and degraded steps of a run, as its escalation tells them: each step with its own
 * tasks' timelines, read from the store within fixed bounds so that a run of a thousand items
 * cannot make one notification read a thousand timelines.
 * @internal
 */
import type { AttemptRecord, TaskStatus, Transition } from '../lifecycle/types.js';
import type { Store, TaskRecord } from '../store/Store.js';
import type { AttemptFailure, FailedStepFacts, StepTaskFacts } from './render/NotificationFacts.js';

/** At most this many failed or degraded step tasks are read for one notification. */
export const MAX_LISTED_STEP_TASKS = 500;

/** At most this many failed or degraded steps are listed; the rest are counted. */
export const MAX_STEPS = 8;

/** At most this many tasks of one step are listed with their timelines; the rest are counted. */
export const MAX_TASKS_PER_STEP = 3;

const BAD: readonly TaskStatus[] = ['failed', 'degraded'];
type Bad = FailedStepFacts['status'];

const isBad = (status: string | undefined): status is Bad => status === 'failed' || status === 'degraded';

/** What {@link failedStepFacts} found. */
export interface FailedStepsFound {
  steps: FailedStepFacts[];
  /** Failed or degraded steps beyond {@link MAX_STEPS}. */
  moreSteps: number;
}

/**
 * The failed or degraded steps of `run`, in the order of the run's `steps`, with the step tasks'
 * own timelines. `runTimeline` is the run's own transitions: their `CHILD_ENDED` records count
 * the bad items of a step whose tasks were not all listed.
 */
export async function failedStepFacts(store: Store, run: TaskRecord, runTimeline: readonly Transition[]): Promise<FailedStepsFound> {
  const badTasks = await store.listTasks({ parent: run.id, status: BAD, limit: MAX_LISTED_STEP_TASKS });
  const byStep = new Map<string, TaskRecord[]>();
  for (const t of badTasks) {
    if (t.step === undefined) continue;
    byStep.set(t.step, [...(byStep.get(t.step) ?? []), t]);
  }

  // the run's own view first, for its order and for steps that failed before any task ran
  const views = run.steps ?? {};
  const ids = Object.keys(views).filter((id) => isBad(views[id]?.status) || byStep.has(id));
  for (const id of [...byStep.keys()].sort()) if (!ids.includes(id)) ids.push(id);

  const endedBad = badItemsEnded(runTimeline);
  const steps = await Promise.all(
    ids.slice(0, MAX_STEPS).map(async (id): Promise<FailedStepFacts> => {
      const view = views[id];
      const tasks = (byStep.get(id) ?? []).sort((a, b) => (a.index ?? 0) - (b.index ?? 0) || a.id.localeCompare(b.id));
      const shown = await Promise.all(tasks.slice(0, MAX_TASKS_PER_STEP).map((t) => stepTaskFacts(store, t)));
      const badCount = Math.max(tasks.length, endedBad.get(id) ?? 0);
      const status: Bad = isBad(view?.status) ? view.status : tasks.some((t) => t.status === 'failed') ? 'failed' : 'degraded';
      const taskCodes = distinct(shown.flatMap((t) => t.errorCodes));
      // the step's error is most often its task's end again; it is news only when its code is new
      const own = view?.error && !taskCodes.includes(view.error.code) ? view.error : undefined;
      return {
        step: id,
        status,
        taskCount: Math.max(view?.taskIds.length ?? 0, tasks.length),
        errorCodes: own ? [...taskCodes, own.code] : taskCodes,
        agentsTried: distinct(shown.flatMap((t) => t.agentsTried)),
        ...(own ? { error: { code: own.code, message: own.message } } : {}),
        tasks: shown,
        moreTasks: Math.max(0, badCount - shown.length),
      };
    }),
  );
  return { steps, moreSteps: Math.max(0, ids.length - MAX_STEPS) };
}

async function stepTaskFacts(store: Store, t: TaskRecord): Promise<StepTaskFacts> {
  const failures = attemptFailures(t.attempts);
  return {
    taskId: t.id,
    ...(t.index !== undefined ? { index: t.index } : {}),
    status: t.status === 'failed' ? 'failed' : 'degraded',
    errorCodes: distinct([...failures.map((f) => f.code), ...(t.error ? [t.error.code] : [])]),
    agentsTried: distinct(t.attempts.map((a) => a.agent)),
    ...(failures.length > 0 ? { failures } : {}),
    timeline: await store.transitions(t.id),
  };
}

/** The failed attempts of a task, in order, with the error each ended with. */
export function attemptFailures(attempts: readonly AttemptRecord[]): AttemptFailure[] {
  return attempts.flatMap((a) => (a.error ? [{ agent: a.agent, attempt: a.attempt, code: a.error.code, message: a.error.message }] : []));
}

/** How many of each step's tasks ended failed or degraded, by the run's `CHILD_ENDED` transitions. */
function badItemsEnded(runTimeline: readonly Transition[]): Map<string, number> {
  // a recovered run may record an item's end twice, so items are counted once each
  const items = new Map<string, Set<number>>();
  for (const t of runTimeline) {
    const step = t.detail?.step;
    if (t.event !== 'CHILD_ENDED' || step === undefined || !isBad(t.detail?.status)) continue;
    items.set(step, (items.get(step) ?? new Set()).add(t.detail?.index ?? 0));
  }
  return new Map([...items].map(([step, set]) => [step, set.size]));
}

/** `values` without repeats, in first-seen order. */
export function distinct(values: readonly string[]): string[] {
  return [...new Set(values)];
}

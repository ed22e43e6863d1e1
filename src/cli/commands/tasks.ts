/** `warden tasks`: recent tasks as a table; runs with their step count, step tasks on request. */
import type { Task } from '../../lifecycle/types.js';
import { stepRef, table } from '../format.js';
import { stepCount } from '../runSteps.js';

/** The options of `warden tasks`. */
export interface TasksOptions {
  status?: string;
  workflow?: string;
  limit: number;
  /** Also list runs' step tasks, which are hidden by default. */
  steps?: boolean;
  /** Only the step tasks of this run. */
  parent?: string;
}

/** The `GET /api/tasks` query of the options: step tasks hidden unless `steps` or `parent` asks for them. */
export function tasksQuery(o: TasksOptions): URLSearchParams {
  return new URLSearchParams({
    limit: String(o.limit),
    ...(o.status ? { status: o.status } : {}),
    ...(o.workflow ? { workflow: o.workflow } : {}),
    ...(o.parent ? { parent: o.parent } : o.steps ? {} : { topLevel: 'true' }),
  });
}

/**
 * The tasks as a table. A `steps` column (how many steps a run has) appears when a run is
 * listed, and a `step` column (which step of its run) when a step task is, so a list of plain
 * tasks reads as it always did.
 */
export function renderTasks(tasks: readonly Task[]): string {
  const hasRuns = tasks.some((t) => t.kind === 'run');
  const hasSteps = tasks.some((t) => t.parentId !== undefined);
  return table(
    [
      'id',
      'workflow',
      'status',
      'state',
      'answered by',
      'attempts',
      ...(hasRuns ? ['steps'] : []),
      ...(hasSteps ? ['step'] : []),
      'created',
    ],
    tasks.map((t) => [
      t.id,
      t.workflow,
      t.status,
      t.state,
      t.answeredBy,
      t.attempts.length,
      ...(hasRuns ? [stepCount(t)] : []),
      ...(hasSteps ? [t.parentId !== undefined ? stepRef(t.step ?? '?', t.index) : undefined] : []),
      t.createdAt,
    ]),
  );
}

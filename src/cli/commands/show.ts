/** `warden show`: a task, or a run with the table of its steps, and its transition timeline. */
import type { Task, Transition } from '../../lifecycle/types.js';
import type { ApiClient } from '../client.js';
import { duration, noun, stepRef, table, timelineTable } from '../format.js';
import { stepRows, stepsTable } from '../runSteps.js';

/** Step tasks read for a run's table; a forEach step may have many. */
const LIST_LIMIT = 1000;

/** What `show` prints: the task, its own transitions and, for a run, its step tasks. */
export interface ShowView {
  task: Task;
  transitions: Transition[];
  /** A run's step tasks (`GET /api/tasks?parent=`); absent for a task that is not a run. */
  stepTasks?: Task[];
}

/** Reads what `show` prints. */
export async function readShowView(client: Pick<ApiClient, 'request'>, id: string): Promise<ShowView> {
  const path = `/api/tasks/${encodeURIComponent(id)}`;
  const task = await client.request<Task>('GET', path);
  const { transitions } = await client.request<{ transitions: Transition[] }>('GET', `${path}/transitions`);
  if (task.kind !== 'run') return { task, transitions };
  const q = new URLSearchParams({ parent: task.id, limit: String(LIST_LIMIT) });
  const { tasks } = await client.request<{ tasks: Task[] }>('GET', `/api/tasks?${q}`);
  return { task, transitions, stepTasks: tasks };
}

/**
 * `show` as text: the header (a step task's names its run and step); for a run, the table of its
 * steps and then the run's own timeline; for a task, its timeline and its attempts; the output.
 * `now` is how long a step still running has taken so far.
 */
export function renderShow({ task, transitions, stepTasks }: ShowView, now: number): string {
  const lines: string[] = [];
  lines.push(`${noun(task).padEnd(10)}${task.id}`);
  lines.push(`workflow  ${task.workflow}`);
  if (task.parentId !== undefined) lines.push(`step      ${stepRef(task.step ?? '?', task.index)} of run ${task.parentId}`);
  lines.push(
    `status    ${task.status}${task.answeredBy ? ` (answered by ${task.answeredBy})` : ''}${task.severity ? `, severity ${task.severity}` : ''}`,
  );
  lines.push(`created   ${task.createdAt}   total ${duration(Date.parse(task.updatedAt) - Date.parse(task.createdAt))}`);
  if (task.kind === 'run') {
    lines.push('', stepsTable(stepRows(task, stepTasks ?? [], transitions, now)));
    lines.push('', timelineTable(transitions, { run: true }));
  } else {
    lines.push('', timelineTable(transitions));
    if (task.attempts.length) {
      lines.push(
        '',
        table(
          ['agent', 'attempt', 'outcome', 'error', 'took'],
          task.attempts.map((a) => [
            a.agent,
            a.attempt,
            a.outcome,
            a.error?.code,
            a.endedAt ? duration(Date.parse(a.endedAt) - Date.parse(a.startedAt)) : '',
          ]),
        ),
      );
    }
  }
  if (task.output !== undefined) lines.push(`\noutput: ${JSON.stringify(task.output, null, 2)}`);
  return lines.join('\n');
}

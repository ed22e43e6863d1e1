/** `warden submit`: submits a task or a run and, with `--wait`, follows it live to its end. */
import type { Task } from '../../lifecycle/types.js';
import { duration, noun, timelineTable, transitionLine } from '../format.js';
import { type FollowClient, type FollowOptions, type FollowResult, followTask } from '../followTask.js';
import { LiveLine, type LiveOutput } from '../live.js';
import { runStateLine, stepRows, stepsTable } from '../runSteps.js';

/** Exit codes of `submit --wait` by final status. */
export const EXIT_CODES: Record<string, number> = { completed: 0, degraded: 3, failed: 4, cancelled: 5 };

/** The label of a run's own lines, where a step task's line carries its step. */
const RUN_LABEL = 'run';

export interface SubmitCommandOptions {
  input: unknown;
  wait?: boolean;
  idempotencyKey?: string;
  deadline?: number;
  json?: boolean;
  /** How `--wait` follows the task (poll interval, injected sleep). */
  follow?: FollowOptions;
}

/**
 * `warden submit`: prints the task id; with `--wait`, follows the task (a live state line on a
 * TTY, one line per transition everywhere), then prints the timeline as a table and the outcome,
 * and returns the exit code of its final status. A run's lines carry the step they are about
 * (`[plan]`, `[build#2]`, `[run]` for the run's own), and its summary is the table of its steps.
 */
export async function submitCommand(
  client: FollowClient,
  workflow: string,
  o: SubmitCommandOptions,
  out: LiveOutput = process.stdout,
): Promise<number> {
  const res = await client.request<{ id: string; status: string }>('POST', '/api/tasks', {
    workflow,
    input: o.input,
    ...(o.idempotencyKey ? { idempotencyKey: o.idempotencyKey } : {}),
    ...(o.deadline ? { deadlineMs: o.deadline } : {}),
  });
  const say = (line: string) => out.write(`${line}\n`);
  if (!o.wait) {
    say(o.json ? JSON.stringify(res) : res.id);
    return 0;
  }
  if (o.json) {
    const { task, transitions, stepTasks } = await followTask(client, res.id, {}, o.follow);
    say(JSON.stringify({ task, transitions, ...(task.kind === 'run' ? { stepTasks } : {}) }, null, 2));
    return EXIT_CODES[task.status] ?? 1;
  }

  let prefix: ((label: string) => string) | undefined;
  const live = new LiveLine(out);
  live.update(`${res.status} · ${workflow}`);
  let result: FollowResult;
  try {
    result = await followTask(
      client,
      res.id,
      {
        state: (task) => {
          if (!prefix) {
            prefix = labeller(task);
            live.print(`${noun(task)} ${res.id} submitted (${workflow})`);
          }
          live.update(task.kind === 'run' ? runStateLine(task) : stateLine(task));
        },
        transition: (label, t, forEach) => live.print(`${prefix!(label)}${transitionLine(t, forEach)}`),
      },
      o.follow,
    );
  } finally {
    live.stop();
  }
  const { task, transitions, stepTasks } = result;
  say('');
  say(task.kind === 'run' ? stepsTable(stepRows(task, stepTasks, transitions, Date.now())) : timelineTable(transitions));
  say('');
  const by = task.answeredBy ? ` by ${task.answeredBy}` : '';
  const took = duration(Date.parse(task.updatedAt) - Date.parse(task.createdAt));
  say(`${noun(task)} ${task.id} ${task.status}${by}${task.severity ? ` (severity ${task.severity})` : ''} in ${took}`);
  if (task.output !== undefined) say(JSON.stringify(task.output, null, 2));
  return EXIT_CODES[task.status] ?? 1;
}

/**
 * How lines are prefixed: not at all for a task; for a run, `[step]` padded so the times line up:
 * to its longest step id with room for an item's `#n`, and wider if a label needs it (`#12`, a
 * child run's `/step`).
 */
function labeller(task: Task): (label: string) => string {
  if (task.kind !== 'run') return () => '';
  let width = Math.max(RUN_LABEL.length, ...Object.keys(task.steps ?? {}).map((s) => s.length + '#n'.length)) + '[]'.length;
  return (label) => {
    const tag = `[${label || RUN_LABEL}]`;
    width = Math.max(width, tag.length);
    return `${tag.padEnd(width)}  `;
  };
}

/** "running · attempting reviewer#2 (3 attempts so far)". */
function stateLine(task: Task): string {
  const current = task.attempts.at(-1);
  const who = current && current.outcome === 'running' ? ` ${current.agent}#${current.attempt}` : '';
  const tried = task.attempts.length > 1 ? ` (${task.attempts.length} attempts so far)` : '';
  return `${task.status} · ${task.state}${who}${tried}`;
}

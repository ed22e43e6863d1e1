import type { Task, Transition } from '../../lifecycle/types.js';
import type { ApiClient } from '../client.js';
import { duration, timelineTable, transitionLine } from '../format.js';
import { LiveLine, type LiveOutput } from '../live.js';

/** Exit codes of `submit --wait` by final status. */
export const EXIT_CODES: Record<string, number> = { completed: 0, degraded: 3, failed: 4, cancelled: 5 };

const TERMINAL = new Set(['completed', 'degraded', 'failed', 'cancelled']);

export interface SubmitCommandOptions {
  input: unknown;
  wait?: boolean;
  idempotencyKey?: string;
  deadline?: number;
  json?: boolean;
  /** How often `--wait` asks for news. Defaults to 150 ms. */
  pollMs?: number;
}

/**
 * `warden submit`: prints the task id; with `--wait`, follows the task (a live state line on a
 * TTY, one line per transition everywhere), then prints the timeline as a table and the outcome,
 * and returns the exit code of its final status.
 */
export async function submitCommand(
  client: ApiClient,
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
    const { task, transitions } = await follow(client, res.id, o.pollMs, () => {});
    say(JSON.stringify({ task, transitions }, null, 2));
    return EXIT_CODES[task.status] ?? 1;
  }

  say(`task ${res.id} submitted (${workflow})`);
  const live = new LiveLine(out);
  live.update(`${res.status} · ${workflow}`);
  let task: Task;
  let transitions: Transition[];
  try {
    ({ task, transitions } = await follow(client, res.id, o.pollMs, (t, current) => {
      if (t) live.print(transitionLine(t));
      if (current) live.update(stateLine(current));
    }));
  } finally {
    live.stop();
  }
  say('');
  say(timelineTable(transitions));
  say('');
  const by = task.answeredBy ? ` by ${task.answeredBy}` : '';
  const took = duration(Date.parse(task.updatedAt) - Date.parse(task.createdAt));
  say(`task ${task.id} ${task.status}${by}${task.severity ? ` (severity ${task.severity})` : ''} in ${took}`);
  if (task.output !== undefined) say(JSON.stringify(task.output, null, 2));
  return EXIT_CODES[task.status] ?? 1;
}

/** "running · attempting reviewer#2 (3 attempts so far)". */
function stateLine(task: Task): string {
  const current = task.attempts.at(-1);
  const who = current && current.outcome === 'running' ? ` ${current.agent}#${current.attempt}` : '';
  const tried = task.attempts.length > 1 ? ` (${task.attempts.length} attempts so far)` : '';
  return `${task.status} · ${task.state}${who}${tried}`;
}

/**
 * Follows a task until it is terminal, calling `onNews` with each new transition in order (and
 * the task as last read), and resolves with the final task and its whole timeline.
 */
async function follow(
  client: ApiClient,
  id: string,
  pollMs = 150,
  onNews: (t: Transition | undefined, task: Task | undefined) => void,
): Promise<{ task: Task; transitions: Transition[] }> {
  const path = `/api/tasks/${encodeURIComponent(id)}`;
  let seen = 0;
  const news = async (task?: Task) => {
    const { transitions } = await client.request<{ transitions: Transition[] }>('GET', `${path}/transitions`);
    for (const t of transitions.slice(seen)) onNews(t, undefined);
    seen = Math.max(seen, transitions.length);
    if (task) onNews(undefined, task);
    return transitions;
  };
  for (;;) {
    await news();
    const task = await client.request<Task>('GET', path);
    // Read the timeline after the task: a terminal task's last transition is then already listed.
    if (TERMINAL.has(task.status)) return { task, transitions: await news(task) };
    onNews(undefined, task);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

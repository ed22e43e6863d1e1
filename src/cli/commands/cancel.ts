/**
 * `warden cancel TASK_ID`: cancels a task or a run (its running steps too), aborting calls in
 * flight. The id may be the short one that `warden tasks` and the dashboard show. A task that has
 * ended is refused by the server (409 TASK_ENDED), and the command says how it ended and exits 1.
 * @module
 */
import type { Command } from 'commander';
import type { Task } from '../../lifecycle/types.js';
import { ApiClient } from '../client.js';

/** Adds `warden cancel` to the program. */
export function registerCancelCommand(program: Command): void {
  program
    .command('cancel')
    .description('cancel a task or a run; a task that has already ended is refused with its status (exit 1)')
    .argument('<taskId>', 'the task id, or a unique prefix of it (8 characters or more)')
    .option('--json', 'print JSON')
    .option('--url <url>', 'Warden URL (default: WARDEN_URL or http://127.0.0.1:8080)')
    .action(async (id: string, o: { json?: boolean; url?: string }) => {
      const task = await new ApiClient(o.url).request<Task>('POST', `/api/tasks/${encodeURIComponent(id)}/cancel`);
      console.log(o.json ? JSON.stringify(task, null, 2) : `task ${task.id} ${task.status} (${task.workflow})`);
    });
}

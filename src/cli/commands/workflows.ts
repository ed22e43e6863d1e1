/**
 * `warden workflows`: the workflows a Warden runs, each a task (single-step, on an agent or a
 * capability) or a run (its steps, in order).
 * @module
 */
import type { Command } from 'commander';
import type { z } from 'zod';
import type { workflowListSchema } from '../../http/schemas.js';
import { ApiClient } from '../client.js';
import { duration, table } from '../format.js';

type WorkflowList = z.output<typeof workflowListSchema>;

/** What a workflow runs: `agent a`, `capability c`, or a run's steps. */
function runsOn(w: WorkflowList['workflows'][number]): string {
  if (w.steps) return `steps ${w.steps.join(', ')}`;
  return w.agent ? `agent ${w.agent}` : w.capability ? `capability ${w.capability}` : '';
}

/** The workflows as an aligned table: name, kind, what it runs, deadline, severity. */
export function workflowsTable(list: WorkflowList['workflows']): string {
  return table(
    ['workflow', 'kind', 'runs', 'deadline', 'severity'],
    list.map((w) => [w.name, w.kind, runsOn(w), w.deadlineMs === undefined ? '' : duration(w.deadlineMs), w.severity]),
  );
}

/** Adds `warden workflows` to the program. */
export function registerWorkflowsCommand(program: Command): void {
  program
    .command('workflows')
    .description('the workflows Warden runs: kind (task or run), agent, capability or steps, deadline and severity')
    .option('--json', 'print JSON')
    .option('--url <url>', 'Warden URL (default: WARDEN_URL or http://127.0.0.1:8080)')
    .action(async (o: { json?: boolean; url?: string }) => {
      const { workflows } = await new ApiClient(o.url).request<WorkflowList>('GET', '/api/workflows');
      console.log(o.json ? JSON.stringify(workflows, null, 2) : workflowsTable(workflows));
    });
}

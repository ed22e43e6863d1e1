/**
 * The `warden` command line (CONTRACT.md section 3).
 * @module
 */
import { readFile } from 'node:fs/promises';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import type { EscalationRecord } from '../escalation/types.js';
import type { Task } from '../lifecycle/types.js';
import { ApiClient, ApiError } from './client.js';
import { table } from './format.js';
import { registerPruneCommand } from './commands/prune.js';
import { registerChannelsCommand } from './commands/channels.js';
import { registerCancelCommand } from './commands/cancel.js';
import { serveCommand } from './commands/serve.js';
import { readShowView, renderShow } from './commands/show.js';
import { submitCommand } from './commands/submit.js';
import { renderTasks, tasksQuery, type TasksOptions } from './commands/tasks.js';
import { workerCommand } from './commands/worker.js';
import { registerWorkflowsCommand } from './commands/workflows.js';
import { validateCommand } from './commands/validate.js';

export { EXIT_CODES } from './commands/submit.js';

const program = new Command();
program
  .name('warden')
  .description('Warden: a workflow engine for fleets of AI agents.')
  .version(await packageVersion(), '-v, --version')
  .showHelpAfterError()
  .exitOverride();

program
  .command('validate')
  .description('check agents.config.json and every workflow; exit 1 with FILE: path: message lines on problems')
  .option('-c, --config <file>', 'config file (default: WARDEN_CONFIG or ./agents.config.json)')
  .action(async (o: { config?: string }) => {
    process.exitCode = await validateCommand(o.config);
  });

program
  .command('serve')
  .description('run the engine, the HTTP API and the dashboard')
  .option('-c, --config <file>', 'config file (default: WARDEN_CONFIG or ./agents.config.json)')
  .option('--host <host>', 'address to bind', '127.0.0.1')
  .option('-p, --port <port>', 'port to bind (0 picks one)', parsePort, 8080)
  .option('--store <url>', 'store URL: sqlite:PATH, memory: or postgres://… (default: the config\'s "store")')
  .option('--drain-timeout <ms>', 'how long SIGTERM lets in-flight attempts finish', parsePositive, 30_000)
  .option('--no-worker', 'with a Postgres store: serve the API and dashboard only, and leave tasks to `warden worker` processes')
  .option('--concurrency <n>', 'with a Postgres store: tasks this process runs at once', parsePositive, 50)
  .action(
    async (o: {
      config?: string;
      host: string;
      port: number;
      store?: string;
      drainTimeout: number;
      worker: boolean;
      concurrency: number;
    }) => {
      await serveCommand(o);
    },
  );

program
  .command('worker')
  .description('run lifecycle steps for a distributed Warden on Postgres (no HTTP); SIGTERM drains it')
  .option('-c, --config <file>', 'config file (default: WARDEN_CONFIG or ./agents.config.json)')
  .option('--store <url>', 'postgres://user:pass@host/db (default: the config\'s "store")')
  .option('--concurrency <n>', 'tasks this worker runs at once', parsePositive, 50)
  .option('--drain-timeout <ms>', 'how long SIGTERM lets running tasks reach a step boundary', parsePositive, 30_000)
  .action(async (o: { config?: string; store?: string; concurrency: number; drainTimeout: number }) => {
    await workerCommand(o);
  });

program
  .command('submit')
  .description(
    "submit a task; prints its id (with --wait: its transitions, a run's prefixed with their step, and exits 0 completed, 3 degraded, 4 failed, 5 cancelled)",
  )
  .argument('<workflow>', 'workflow name')
  .option('-i, --input <json>', 'task input as JSON, or @file to read it from a file', 'null')
  .option('-w, --wait', "follow the task until it ends, printing each transition (a run's: its steps' too)")
  .option('-k, --idempotency-key <key>', 'submitting again with the same key returns the same task')
  .option('--deadline <ms>', "overrides the workflow's deadlineMs", parsePositive)
  .option('--json', 'print JSON instead of text')
  .option('--url <url>', 'Warden URL (default: WARDEN_URL or http://127.0.0.1:8080)')
  .action(
    async (
      workflow: string,
      o: { input: string; wait?: boolean; idempotencyKey?: string; deadline?: number; json?: boolean; url?: string },
    ) => {
      const input = await parseInput(o.input);
      const { url, input: _raw, ...rest } = o;
      process.exitCode = await submitCommand(new ApiClient(url), workflow, { ...rest, input });
    },
  );

program
  .command('show')
  .description('a task and its transition timeline; for a run, the table of its steps first')
  .argument('<taskId>')
  .option('--json', 'print JSON')
  .option('--url <url>', 'Warden URL (default: WARDEN_URL or http://127.0.0.1:8080)')
  .action(async (id: string, o: { json?: boolean; url?: string }) => {
    const view = await readShowView(new ApiClient(o.url), id);
    console.log(o.json ? JSON.stringify(view, null, 2) : renderShow(view, Date.now()));
  });

program
  .command('tasks')
  .description("recent tasks, newest first (runs' step tasks only with --steps or --parent)")
  .option('-s, --status <status>', 'only these statuses (comma-separated)')
  .option('--workflow <name>', 'only this workflow')
  .option('--steps', "also list runs' step tasks")
  .option('--parent <runId>', 'only the step tasks of this run')
  .option('-n, --limit <n>', 'how many', parsePositive, 20)
  .option('--json', 'print JSON')
  .option('--url <url>', 'Warden URL (default: WARDEN_URL or http://127.0.0.1:8080)')
  .action(async (o: TasksOptions & { json?: boolean; url?: string }) => {
    const { tasks } = await new ApiClient(o.url).request<{ tasks: Task[] }>('GET', `/api/tasks?${tasksQuery(o)}`);
    console.log(o.json ? JSON.stringify(tasks, null, 2) : renderTasks(tasks));
  });

program
  .command('agents')
  .description('agents with their circuit, health and load')
  .option('--json', 'print JSON')
  .option('--url <url>', 'Warden URL (default: WARDEN_URL or http://127.0.0.1:8080)')
  .action(async (o: { json?: boolean; url?: string }) => {
    const { agents } = await new ApiClient(o.url).request<{ agents: import('../lifecycle/AgentPool.js').AgentView[] }>(
      'GET',
      '/api/agents',
    );
    if (o.json) return console.log(JSON.stringify(agents, null, 2));
    console.log(
      table(
        ['agent', 'health', 'circuit', 'in flight', 'queued', 'error rate', 'capabilities'],
        agents.map((a) => [
          a.id,
          `${a.health.status}${a.drained ? ' (drained)' : ''}`,
          `${a.circuit.state}${a.circuit.openUntil ? ` until ${a.circuit.openUntil.slice(11, 19)}` : ''}`,
          `${a.inFlight}/${a.maxConcurrency}`,
          a.queued,
          `${Math.round(a.recentErrorRate * 100)}%`,
          a.capabilities.join(','),
        ]),
      ),
    );
  });

program
  .command('escalations')
  .description('escalations, newest first')
  .option('-s, --status <status>', 'open, acknowledged or resolved (comma-separated)')
  .option('-n, --limit <n>', 'how many', parsePositive, 20)
  .option('--json', 'print JSON')
  .option('--url <url>', 'Warden URL (default: WARDEN_URL or http://127.0.0.1:8080)')
  .action(async (o: { status?: string; limit: number; json?: boolean; url?: string }) => {
    const q = new URLSearchParams({ limit: String(o.limit), ...(o.status ? { status: o.status } : {}) });
    const { escalations } = await new ApiClient(o.url).request<{ escalations: EscalationRecord[] }>('GET', `/api/escalations?${q}`);
    if (o.json) return console.log(JSON.stringify(escalations, null, 2));
    console.log(
      table(
        ['id', 'severity', 'status', 'workflow', 'count', 'error', 'channels', 'created'],
        escalations.map((e) => [
          e.id,
          e.severity,
          e.status,
          e.workflow,
          e.count,
          e.finalErrorCode,
          e.channels.map((c) => `${c.channel}:${c.delivered ? 'sent' : c.status}`).join(',') || 'log',
          e.createdAt,
        ]),
      ),
    );
  });

program
  .command('ack')
  .description('acknowledge an escalation: stops its repeats and re-escalation')
  .argument('<escalationId>')
  .option('--by <name>', 'who acknowledges', process.env.USER ?? 'cli')
  .option('--json', 'print JSON')
  .option('--url <url>', 'Warden URL (default: WARDEN_URL or http://127.0.0.1:8080)')
  .action(async (id: string, o: { by: string; json?: boolean; url?: string }) => {
    const e = await new ApiClient(o.url).request<EscalationRecord>('POST', `/api/escalations/${encodeURIComponent(id)}/ack`, { by: o.by });
    console.log(o.json ? JSON.stringify(e, null, 2) : `escalation ${e.id} ${e.status}${e.ackedBy ? ` by ${e.ackedBy}` : ''}`);
  });

registerWorkflowsCommand(program);
registerCancelCommand(program);

async function parseInput(raw: string): Promise<unknown> {
  let text = raw;
  if (raw.startsWith('@')) {
    try {
      text = await readFile(raw.slice(1), 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read input file ${raw.slice(1)}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--input is not valid JSON: ${(err as Error).message}`);
  }
}

function parsePort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number 0–65535');
  return n;
}

function parsePositive(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number');
  return n;
}

async function packageVersion(): Promise<string> {
  const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** A mistake in how the command was called. */
class UsageError extends Error {}

program
  .command('drill')
  .description('run your config against simulated faults on a simulated clock (nothing is called, nobody is paged)')
  .option('-c, --config <file>', 'config file (default: WARDEN_CONFIG or ./agents.config.json)')
  .requiredOption('-s, --scenario <name>', 'outage, rate-limit, flaky or latency-spike')
  .option('--seed <n>', 'seeds the faults and the jitter: the same seed gives the same report', '1')
  .option('-n, --tasks <n>', 'tasks submitted per workflow', '100')
  .option('--json', 'print the report as JSON')
  .action(async (o: import('./commands/drill.js').DrillCommandOptions) => {
    const { drillCommand } = await import('./commands/drill.js');
    process.exitCode = await drillCommand(o);
  });

registerPruneCommand(program);
registerChannelsCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode === 0 ? 0 : 1;
  } else if (err instanceof ApiError) {
    console.error(`error: ${err.message}${err.code && err.status ? ` (${err.code})` : ''}`);
    for (const i of err.issues ?? []) console.error(`  ${i.path}: ${i.message}`);
    process.exitCode = 1;
  } else {
    // Never a stack trace to the user: the message says what went wrong.
    console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  }
}

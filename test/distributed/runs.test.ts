import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshSchema, requireDatabaseUrl, type FreshSchema } from '../helpers/postgres.js';
import { type TempConfig, writeTempConfig } from '../helpers/tempConfig.js';
import { BIN, ROOT, api, startWarden, until, type WardenProcess } from '../helpers/warden.js';

// Runs (multi-step workflows) in distributed mode against a real Postgres: one
// `warden serve --no-worker` and two `warden worker` processes, real HTTP agents. Every worker
// names itself to the agents in an `x-worker` header, so the agents see which worker ran which
// step task.

const DATABASE_URL = requireDatabaseUrl();
const TERMINAL = ['completed', 'degraded', 'failed', 'cancelled'];

interface Worker {
  name: string;
  proc: ChildProcess;
  out: () => string;
  exited: Promise<unknown>;
}

function startWorker(name: string, config: string, store: string): Promise<Worker> {
  const proc = spawn(process.execPath, [BIN, 'worker', '--config', config, '--store', store, '--concurrency', '40'], {
    cwd: ROOT,
    env: { ...process.env, WARDEN_LOG_LEVEL: 'warn', WORKER_NAME: name },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise((r) => proc.on('exit', r));
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`worker ${name} did not start:\n${out}`)), 30_000);
    proc.stdout!.on('data', () => {
      if (out.includes('worker ready')) {
        clearTimeout(t);
        resolve({ name, proc, out: () => out, exited });
      }
    });
    void exited.then(() => reject(new Error(`worker ${name} exited before ready:\n${out}`)));
  });
}

/** One call an agent received. */
interface Call {
  agent: string;
  taskId: string;
  runId: string;
  worker: string;
  /** How the call ended: answered, or closed by the worker before the answer (aborted). */
  end?: 'answered' | 'aborted';
}

/**
 * The agents of the runs, one HTTP server with a path per agent. Their answers depend on the input:
 * - planner: `{ files: [f0.ts, …] }`, `input.files` of them;
 * - builder: `{ built: file }`; fails for good with `fail`; with `hang`, answers only after
 *   `hangMs` (unless the worker closes the call first); otherwise waits (at most `overlapMs`)
 *   for `overlap` builder calls of its run to be open at once, so that the run's parallelism shows;
 * - writer: fails for good with `docsFail`;
 * - degrader (called by the degraded-response module of the `fragile` workflow): the first call
 *   of a run is held open until its worker goes away, the next ones answer at once;
 * - anything else: `{ ok: agent }`.
 * It counts the calls open at once per agent and run.
 */
async function startAgents(opts: { hangMs: number; overlap: number; overlapMs: number }) {
  const calls: Call[] = [];
  const open = new Map<string, number>();
  const maxOpen = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', async () => {
      const agent = (req.url ?? '/').slice(1);
      const taskId = String(req.headers['x-warden-task-id']);
      const runId = taskId.split('.')[0]!;
      const call: Call = { agent, taskId, runId, worker: String(req.headers['x-worker']) };
      calls.push(call);
      const key = `${agent}:${runId}`;
      open.set(key, (open.get(key) ?? 0) + 1);
      maxOpen.set(key, Math.max(maxOpen.get(key) ?? 0, open.get(key)!));
      let closed = false;
      res.on('close', () => {
        if (!res.writableFinished) call.end = 'aborted';
        if (!closed) open.set(key, open.get(key)! - 1);
        closed = true;
      });
      const reply = (status: number, payload: unknown) => {
        if (res.destroyed) return;
        call.end = 'answered';
        if (!closed) open.set(key, open.get(key)! - 1);
        closed = true;
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
      };
      const wait = async (ms: number, done: () => boolean = () => false) => {
        const end = Date.now() + ms;
        while (Date.now() < end && !done() && !res.destroyed) await new Promise((r) => setTimeout(r, 10));
      };
      const input = (JSON.parse(body) as { input?: Record<string, unknown> }).input ?? {};
      const refuse = (message: string) => reply(422, { error: { code: 'REFUSED', message } });
      switch (agent) {
        case 'planner':
          return reply(200, { output: { files: Array.from({ length: Number(input.files ?? 3) }, (_, i) => `f${i}.ts`) } });
        case 'builder':
          if (input.fail) return refuse(`cannot build ${String(input.file)}`);
          if (input.hang) await wait(opts.hangMs);
          else await wait(opts.overlapMs, () => (open.get(key) ?? 0) >= opts.overlap);
          return reply(200, { output: { built: input.file } });
        case 'writer':
          if (input.docsFail) return refuse('docs are down');
          return reply(200, { output: { docs: 'written' } });
        case 'degrader':
          if (calls.filter((c) => c.agent === 'degrader' && c.runId === runId).length === 1) await wait(120_000);
          return reply(200, { output: { status: 'degraded', by: call.worker } });
        default:
          await wait(20);
          return reply(200, { output: { ok: agent } });
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    url,
    calls,
    /** The most builder calls of one run open at once. */
    maxOpen: (agent: string, runId: string) => maxOpen.get(`${agent}:${runId}`) ?? 0,
    close: () => new Promise((r) => server.close(r)),
  };
}

type Agents = Awaited<ReturnType<typeof startAgents>>;

interface StepView {
  status: string;
  taskIds: string[];
}
interface TaskView {
  id: string;
  kind?: string;
  status: string;
  step?: string;
  parentId?: string;
  steps?: Record<string, StepView>;
  output?: unknown;
  error?: { code: string };
}
interface TransitionView {
  seq: number;
  to: string;
  event: string;
  detail?: Record<string, unknown>;
}

const review = {
  name: 'review',
  inputSchema: { type: 'object', required: ['path'] },
  steps: {
    lint: { agent: 'reviewer' },
    sign: { agent: 'signer', needs: ['lint'] },
  },
};
const ship = {
  name: 'ship',
  inputSchema: { type: 'object' },
  steps: {
    plan: { agent: 'planner', input: "{ 'files': input.files }" },
    build: {
      agent: 'builder',
      needs: ['plan'],
      forEach: 'steps.plan.output.files',
      maxParallel: 4,
      input: "{ 'file': item, 'fail': item in $$.input.failFiles, 'hang': item in $$.input.hangFiles }",
    },
    docs: { agent: 'writer', needs: ['plan'], onFailure: 'continue', input: "{ 'docsFail': input.docsFail }" },
    review: { workflow: 'review', needs: ['build'], input: "{ 'path': steps.build.output[0].built }" },
    deploy: { agent: 'deployer', needs: ['review', 'docs'], when: "steps.review.status = 'completed'" },
    announce: { agent: 'deployer', needs: ['deploy'], when: 'input.announce = true' },
  },
  degraded: { response: { status: 'degraded', message: 'release automation unavailable' } },
};
/** A run whose one step fails, and whose degraded response comes from a module that asks the agents' server. */
const fragile = (degrader: string) => ({
  name: 'fragile',
  steps: { build: { agent: 'builder', input: "{ 'file': 'x.ts', 'fail': true }" } },
  degraded: { module: degrader },
});
const degraderModule = (agentsUrl: string) => `// The degraded response of the fragile workflow, asked of the test's agents' server.
export default async function degrade(task) {
  const res = await fetch('${agentsUrl}/degrader', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-warden-task-id': task.id, 'x-worker': process.env.WORKER_NAME ?? '' },
    body: '{}',
  });
  return (await res.json()).output;
}
`;

let db: FreshSchema;
let cfg: TempConfig;
let agents: Agents;
let serve: WardenProcess;
const workers: Worker[] = [];

async function submit(input: object, workflow = 'ship'): Promise<string> {
  const { status, body } = await api(serve.url, 'POST', '/api/tasks', { workflow, input });
  expect(status).toBe(202);
  return body.id as string;
}

const getTask = async (id: string) => (await api<TaskView>(serve.url, 'GET', `/api/tasks/${id}`)).body;
const transitions = async (id: string) =>
  (await api<{ transitions: TransitionView[] }>(serve.url, 'GET', `/api/tasks/${id}/transitions`)).body.transitions;
/** A run's step tasks, and those of the runs among them, all the way down. */
async function stepTasks(runId: string): Promise<TaskView[]> {
  const { body } = await api<{ tasks: TaskView[] }>(serve.url, 'GET', `/api/tasks?parent=${runId}&limit=1000`);
  const nested = await Promise.all(body.tasks.filter((t) => t.kind === 'run').map((t) => stepTasks(t.id)));
  return [...body.tasks, ...nested.flat()];
}

/** Waits until the run and every task under it have ended. */
async function ended(runId: string, timeoutMs = 90_000): Promise<{ run: TaskView; steps: TaskView[] }> {
  return until(
    async () => {
      const run = await getTask(runId);
      if (!TERMINAL.includes(run.status)) return undefined;
      const steps = await stepTasks(runId);
      return steps.every((t) => TERMINAL.includes(t.status)) ? { run, steps } : undefined;
    },
    timeoutMs,
    200,
  );
}

/** Each task ends once, with transitions numbered without gaps. */
async function expectEndedOnce(id: string): Promise<TransitionView[]> {
  const trs = await transitions(id);
  expect(
    trs.filter((t) => TERMINAL.includes(t.to)),
    `ends of ${id}`,
  ).toHaveLength(1);
  expect(trs.map((t) => t.seq)).toEqual(trs.map((_, i) => i + 1));
  return trs;
}

/** A run's story, for a failing assertion's message: its transitions and each task under it. */
async function explain(runId: string): Promise<string> {
  const trs = await transitions(runId);
  const steps = await stepTasks(runId);
  const story = trs.map(
    (t) => `${t.seq} ${t.event} ${t.to} ${JSON.stringify(t.detail ?? {})} ${JSON.stringify((t as { error?: unknown }).error ?? '')}`,
  );
  return [...story, ...steps.map((t) => `${t.id} ${t.status} ${t.error?.code ?? ''}`)].join('\n');
}

const statuses = (run: TaskView) => Object.fromEntries(Object.entries(run.steps ?? {}).map(([id, s]) => [id, s.status]));

beforeAll(async () => {
  db = await freshSchema(DATABASE_URL);
  agents = await startAgents({ hangMs: 8_000, overlap: 4, overlapMs: 3_000 });
  const agent = (name: string) => ({
    adapter: { type: 'http', url: `${agents.url}/${name}`, headersEnv: { 'x-worker': 'WORKER_NAME' } },
    retry: { maxAttempts: 1 },
    timeoutMs: 60_000,
    maxConcurrency: 50,
    circuitBreaker: { failureThreshold: 100_000 },
  });
  cfg = await writeTempConfig(
    {
      agents: Object.fromEntries(['planner', 'builder', 'writer', 'reviewer', 'signer', 'deployer'].map((n) => [n, agent(n)])),
      escalation: { channels: { console: { type: 'log' } }, severities: { medium: { channels: ['console'] } }, dedupWindowMs: 0 },
    },
    [review, ship],
  );
  await cfg.write('degrader.mjs', degraderModule(agents.url));
  await cfg.write('workflows/fragile.json', fragile(path.join(cfg.dir, 'degrader.mjs')));
  serve = await startWarden(['--config', cfg.configPath, '--store', db.url, '--no-worker'], { env: { WORKER_NAME: 'serve' } });
  workers.push(await startWorker('a', cfg.configPath, db.url), await startWorker('b', cfg.configPath, db.url));
}, 120_000);

afterAll(async () => {
  for (const w of workers) w.proc.kill('SIGKILL');
  await serve?.stop('SIGKILL');
  await agents?.close();
  await cfg?.remove();
  await db?.drop();
});

describe('runs in distributed mode', () => {
  it('completes a run of parallel, forEach, when, onFailure continue and workflow steps, with its steps spread over both workers', async () => {
    const id = await submit({ files: 20, failFiles: [], hangFiles: [], announce: false });
    const { run, steps } = await ended(id);
    expect(run.status, await explain(id)).toBe('completed');
    expect(statuses(run)).toEqual({
      plan: 'completed',
      build: 'completed',
      docs: 'completed',
      review: 'completed',
      deploy: 'completed',
      announce: 'skipped',
    });
    expect(run.steps!.build!.taskIds).toEqual(Array.from({ length: 20 }, (_, i) => `${id}.build.${i}`));
    expect(run.output).toMatchObject({
      plan: { files: Array.from({ length: 20 }, (_, i) => `f${i}.ts`) },
      build: Array.from({ length: 20 }, (_, i) => ({ built: `f${i}.ts` })),
      docs: { docs: 'written' },
      review: { lint: { ok: 'reviewer' }, sign: { ok: 'signer' } },
      deploy: { ok: 'deployer' },
    });
    // The workflow step ran as a run of its own, under this one.
    const nested = steps.find((t) => t.id === `${id}.review`)!;
    expect(nested).toMatchObject({ kind: 'run', parentId: id, status: 'completed' });
    expect(steps.filter((t) => t.parentId === nested.id).map((t) => t.step)).toEqual(expect.arrayContaining(['lint', 'sign']));

    // Every step task was called once, by one worker; both workers ran some.
    const mine = agents.calls.filter((c) => c.runId === id);
    expect(mine.map((c) => c.taskId).sort()).toEqual(
      steps
        .filter((t) => t.kind !== 'run')
        .map((t) => t.id)
        .sort(),
    );
    const byWorker = new Map<string, string[]>();
    for (const c of mine) byWorker.set(c.worker, [...(byWorker.get(c.worker) ?? []), c.taskId]);
    expect([...byWorker.keys()].sort()).toEqual(['a', 'b']);
    // The forEach had four builds open at once, never more.
    expect(agents.maxOpen('builder', id)).toBe(4);

    for (const t of [run, ...steps]) await expectEndedOnce(t.id);
    const trs = await transitions(id);
    expect(trs.filter((t) => t.event === 'CHILD_ENDED' && t.detail?.step === 'build')).toHaveLength(20);
    expect(trs.find((t) => t.event === 'STEP_RESOLVED' && t.detail?.step === 'announce')?.detail?.status).toBe('skipped');
  });

  it('degrades a run whose onFailure continue step fails, and still runs the steps after it', async () => {
    const id = await submit({ files: 2, failFiles: [], hangFiles: [], docsFail: true, announce: true });
    const { run } = await ended(id);
    expect(run.status).toBe('degraded');
    expect(statuses(run)).toMatchObject({ docs: 'failed', deploy: 'completed', announce: 'completed' });
    expect(run.output).toMatchObject({ build: [{ built: 'f0.ts' }, { built: 'f1.ts' }] });
  });

  it('degrades a run when a step fails under onFailure fail, cancelling its running steps', async () => {
    // f3 fails at once; f0–f2 hang. Only four builds start (maxParallel), the rest never do.
    const id = await submit({ files: 8, failFiles: ['f3.ts'], hangFiles: ['f0.ts', 'f1.ts', 'f2.ts'] });
    const { run, steps } = await ended(id).catch(async (err) => {
      throw new Error(`${err}\n${await explain(id)}`);
    });
    expect(run.status).toBe('degraded');
    expect(run.output).toEqual({ status: 'degraded', message: 'release automation unavailable' });
    expect(run.steps!.build!.status).toBe('failed');
    expect(run.steps!.build!.taskIds).toHaveLength(4);
    const builds = steps.filter((t) => t.step === 'build');
    expect(Object.fromEntries(builds.map((t) => [t.id, t.status]))).toEqual({
      [`${id}.build.0`]: 'cancelled',
      [`${id}.build.1`]: 'cancelled',
      [`${id}.build.2`]: 'cancelled',
      [`${id}.build.3`]: 'failed',
    });
    expect(run.steps!.review!.status).toBe('cancelled');
    // The hanging calls were closed by their workers, not answered.
    const hanging = await until(async () => {
      const cs = agents.calls.filter((c) => c.runId === id && c.agent === 'builder' && !c.taskId.endsWith('.3'));
      return cs.length === 3 && cs.every((c) => c.end) ? cs : undefined;
    }, 20_000);
    expect(hanging.map((c) => c.end)).toEqual(['aborted', 'aborted', 'aborted']);
    for (const t of [run, ...steps]) await expectEndedOnce(t.id);
  });

  it('cancels a run through the API, cancelling its running steps and closing their calls', async () => {
    const id = await submit({ files: 4, failFiles: [], hangFiles: ['f0.ts', 'f1.ts', 'f2.ts', 'f3.ts'] });
    await until(async () => {
      const open = agents.calls.filter((c) => c.runId === id && c.agent === 'builder' && !c.end);
      return open.length === 4;
    }, 30_000);
    const { status, body } = await api<TaskView>(serve.url, 'POST', `/api/tasks/${id}/cancel`);
    expect(status).toBe(200);
    expect(body.status, await explain(id)).toBe('cancelled');
    const { run, steps } = await ended(id);
    expect(run.status).toBe('cancelled');
    expect(steps.filter((t) => t.step === 'build').map((t) => t.status)).toEqual(['cancelled', 'cancelled', 'cancelled', 'cancelled']);
    const calls = await until(async () => {
      const cs = agents.calls.filter((c) => c.runId === id && c.agent === 'builder');
      return cs.every((c) => c.end) ? cs : undefined;
    }, 20_000);
    expect(calls.map((c) => c.end)).toEqual(['aborted', 'aborted', 'aborted', 'aborted']);
    for (const t of [run, ...steps]) await expectEndedOnce(t.id);
  });

  it('escalates once per run that ended degraded or failed, and never for its step tasks', async () => {
    const runs = (await api<{ tasks: TaskView[] }>(serve.url, 'GET', '/api/tasks?topLevel=true&limit=1000')).body.tasks;
    const bad = runs.filter((t) => t.status === 'degraded' || t.status === 'failed').map((t) => t.id);
    expect(bad).toHaveLength(2);
    const escalations = await until(async () => {
      const { body } = await api<{ escalations: { taskIds: string[] }[] }>(serve.url, 'GET', '/api/escalations?limit=1000');
      return body.escalations.length >= bad.length ? body.escalations : undefined;
    }, 30_000);
    expect(escalations.map((e) => e.taskIds)).toEqual(expect.arrayContaining(bad.map((id) => [id])));
    expect(escalations).toHaveLength(bad.length);
  });

  it('loses nothing when a worker is killed while steps run: every run and step ends once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push(await submit({ files: 20, failFiles: [], hangFiles: [] }));
    // Kill a worker once it has calls open for these runs, then start another in its place.
    const victim = workers[0]!;
    await until(async () => agents.calls.some((c) => ids.includes(c.runId) && c.worker === victim.name && c.agent === 'builder' && !c.end));
    victim.proc.kill('SIGKILL');
    await victim.exited;
    workers[0] = await startWorker('c', cfg.configPath, db.url);

    let recovered = 0;
    for (const id of ids) {
      const { run, steps } = await ended(id, 150_000);
      expect(run.status).toBe('completed');
      expect(run.steps!.build!.taskIds).toHaveLength(20);
      for (const t of [run, ...steps]) {
        const trs = await expectEndedOnce(t.id);
        recovered += trs.filter((x) => x.event === 'RECOVERED').length;
      }
    }
    // The kill landed mid-flight: some task was picked up again by another worker.
    expect(recovered).toBeGreaterThan(0);
  });

  it("recovers a run whose worker died while it held the run: another worker does the run's own work again", async () => {
    const id = await submit({}, 'fragile');
    // The step failed; the run is degrading, held by the worker whose degraded-response call hangs.
    const held = await until(async () => agents.calls.find((c) => c.runId === id && c.agent === 'degrader'), 30_000);
    const victim = workers.find((w) => w.name === held.worker)!;
    victim.proc.kill('SIGKILL');
    await victim.exited;
    // pg-boss hands the dead worker's job to the other worker once its heartbeat lapses.
    const { run } = await ended(id, 60_000);
    expect(run.status).toBe('degraded');
    const survivor = workers.find((w) => w !== victim)!.name;
    expect(run.output).toEqual({ status: 'degraded', by: survivor });
    const trs = await expectEndedOnce(id);
    expect(trs.map((t) => `${t.event} ${t.to}`)).toEqual([
      'SUBMIT queued',
      'START running',
      'STEP_RESOLVED running',
      'CHILD_ENDED degrading',
      'RECOVERED degrading',
      'DEGRADED degraded',
    ]);
  });
});

import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { freshSchema, requireDatabaseUrl } from '../helpers/postgres.js';
import { seededRandom } from '../helpers/seededRandom.js';
import { writeTempConfig } from '../helpers/tempConfig.js';
import { BIN, ROOT, api, startWarden, until } from '../helpers/warden.js';
import { SlackStandIn } from '../helpers/slackStandIn.js';

// Distributed mode against a real Postgres: one `warden serve --no-worker` and several
// `warden worker` processes, killed with SIGKILL while they work.

const DATABASE_URL = requireDatabaseUrl();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Worker {
  proc: ChildProcess;
  out: () => string;
  exited: Promise<unknown>;
}

function startWorker(config: string, store: string, env: Record<string, string> = {}): Promise<Worker> {
  const proc = spawn(process.execPath, [BIN, 'worker', '--config', config, '--store', store, '--concurrency', '40'], {
    cwd: ROOT,
    env: { ...process.env, WARDEN_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise((r) => proc.on('exit', r));
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`worker did not start:\n${out}`)), 30_000);
    proc.stdout!.on('data', () => {
      if (out.includes('worker ready')) {
        clearTimeout(t);
        resolve({ proc, out: () => out, exited });
      }
    });
    void exited.then(() => reject(new Error(`worker exited before ready:\n${out}`)));
  });
}

/** An HTTP agent with a deterministic fault per task: some fail transiently, some permanently. */
function faultyAgent(name: string, fault: (n: number) => 'ok' | 'transient' | 'permanent', latencyMs = 30) {
  const executions = new Map<string, number>();
  const calls: string[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const key = String(req.headers['idempotency-key']);
      calls.push(key);
      const { input, attempt } = JSON.parse(body) as { input: { n: number }; attempt: number };
      setTimeout(() => {
        const f = fault(input.n);
        if (f === 'permanent')
          return res.writeHead(422, { 'content-type': 'application/json' }).end('{"error":{"code":"BAD","message":"no"}}');
        if (f === 'transient' && attempt === 1) return res.writeHead(503).end();
        executions.set(key, (executions.get(key) ?? 0) + 1);
        return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ output: { by: name, n: input.n } }));
      }, latencyMs);
    });
  });
  return new Promise<{ url: string; calls: string[]; executions: Map<string, number>; server: Server }>((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`, calls, executions, server }),
    ),
  );
}

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('distributed mode', () => {
  it('loses nothing when workers are killed: every task ends once, and escalations match failures one for one', async () => {
    const db = await freshSchema(DATABASE_URL);
    cleanups.push(() => db.drop());
    // n % 10 === 0: the primary refuses for good, and so does the backup → degraded (and escalated).
    // n % 3 === 0: one transient failure first. Otherwise: fine.
    const primary = await faultyAgent('primary', (n) => (n % 10 === 0 ? 'permanent' : n % 3 === 0 ? 'transient' : 'ok'));
    const backup = await faultyAgent('backup', (n) => (n % 10 === 0 ? 'permanent' : 'ok'));
    cleanups.push(
      () => new Promise((r) => primary.server.close(r)),
      () => new Promise((r) => backup.server.close(r)),
    );
    const cfg = await writeTempConfig(
      {
        agents: {
          primary: {
            adapter: { type: 'http', url: primary.url },
            maxConcurrency: 30,
            retry: { maxAttempts: 2, initialDelayMs: 50, maxDelayMs: 200 },
            circuitBreaker: { failureThreshold: 100000 },
          },
          backup: { adapter: { type: 'http', url: backup.url }, maxConcurrency: 30, circuitBreaker: { failureThreshold: 100000 } },
        },
        fallbackChains: { primary: ['backup'] },
        escalation: { channels: { console: { type: 'log' } }, severities: { medium: { channels: ['console'] } }, dedupWindowMs: 0 },
      },
      [{ name: 'job', agent: 'primary', degraded: { response: { degraded: true } } }],
    );
    cleanups.push(() => cfg.remove());

    const serve = await startWarden(['--config', cfg.configPath, '--store', db.url, '--no-worker'], { env: { WARDEN_LOG_LEVEL: 'warn' } });
    cleanups.push(() => serve.stop('SIGKILL'));
    const workers: Worker[] = [];
    for (let i = 0; i < 3; i++) workers.push(await startWorker(cfg.configPath, db.url));
    cleanups.push(async () => {
      for (const w of workers) w.proc.kill('SIGKILL');
    });

    const N = 1000;
    const ids: string[] = [];
    const submitting = (async () => {
      for (let i = 0; i < N; i++) ids.push((await api(serve.url, 'POST', '/api/tasks', { workflow: 'job', input: { n: i } })).body.id);
    })();
    // Kill a random worker every few seconds, and start a new one in its place.
    const random = seededRandom('distributed kills');
    for (let kill = 0; kill < 4; kill++) {
      await sleep(1_500 + random.next() * 1_500);
      const i = random.below(workers.length);
      workers[i]!.proc.kill('SIGKILL');
      await workers[i]!.exited;
      workers[i] = await startWorker(cfg.configPath, db.url);
    }
    await submitting;
    expect(new Set(ids).size).toBe(N);

    const tasks = await until(
      async () => {
        const r = await api(serve.url, 'GET', `/api/tasks?limit=1000`);
        const list = r.body.tasks as { id: string; status: string; input: { n: number } }[];
        const done = list.length === N && list.every((t) => ['completed', 'degraded', 'failed'].includes(t.status));
        return done ? list : undefined;
      },
      240_000,
      500,
    );
    let ended = 0;
    let recovered = 0;
    for (const t of tasks) {
      expect(t.status).toBe(t.input.n % 10 === 0 ? 'degraded' : 'completed');
      const { body } = await api(serve.url, 'GET', `/api/tasks/${t.id}/transitions`);
      const trs = body.transitions as { seq: number; to: string; event: string }[];
      expect(trs.filter((x) => ['completed', 'degraded', 'failed'].includes(x.to))).toHaveLength(1);
      expect(trs.map((x) => x.seq)).toEqual(trs.map((_, i) => i + 1));
      recovered += trs.filter((x) => x.event === 'RECOVERED').length;
      ended++;
    }
    expect(ended).toBe(N);
    // The kills landed mid-flight: some tasks were picked up again by another worker.
    expect(recovered).toBeGreaterThan(0);
    // One escalation per degraded task, no more, no fewer.
    const { body } = await api(serve.url, 'GET', '/api/escalations?limit=1000');
    const escalations = body.escalations as { taskIds: string[] }[];
    const degraded = tasks
      .filter((t) => t.status === 'degraded')
      .map((t) => t.id)
      .sort();
    expect(escalations.flatMap((e) => e.taskIds).sort()).toEqual(degraded);
    expect(escalations).toHaveLength(degraded.length);
  }, 300_000);

  it('fails over the leader: another worker takes over escalation sending, and no notification is lost or sent twice', async () => {
    const db = await freshSchema(DATABASE_URL);
    cleanups.push(() => db.drop());
    const slack = await SlackStandIn.start();
    cleanups.push(() => slack.close());
    const dead = await faultyAgent('dead', () => 'permanent');
    cleanups.push(() => new Promise((r) => dead.server.close(r)));
    const cfg = await writeTempConfig(
      {
        agents: { dead: { adapter: { type: 'http', url: dead.url } } },
        escalation: {
          channels: { slack: { type: 'slack', channel: '#ops', tokenEnv: 'SLACK_BOT_TOKEN', apiUrl: slack.url } },
          severities: { medium: { channels: ['slack'] }, high: { channels: ['slack'] } },
          dedupWindowMs: 0,
        },
      },
      [{ name: 'job', agent: 'dead' }],
    );
    cleanups.push(() => cfg.remove());
    const env = { SLACK_BOT_TOKEN: 'xoxb-test-token' };
    // Any node may lead; the workers start first, so worker A takes the lock.
    const a = await startWorker(cfg.configPath, db.url, env);
    await until(async () => a.out().includes('now the leader'), 20_000);
    const b = await startWorker(cfg.configPath, db.url, env);
    cleanups.push(
      () => a.proc.kill('SIGKILL'),
      () => b.proc.kill('SIGKILL'),
    );
    const serve = await startWarden(['--config', cfg.configPath, '--store', db.url, '--no-worker'], {
      env: { ...env, WARDEN_LOG_LEVEL: 'info' },
    });
    cleanups.push(() => serve.stop('SIGKILL'));
    const leads = (out: string) => out.includes('now the leader');
    expect(leads(b.out())).toBe(false);
    expect(leads(serve.stderr())).toBe(false);

    const submit = async (n: number) => {
      const out: string[] = [];
      for (let i = 0; i < n; i++) out.push((await api(serve.url, 'POST', '/api/tasks', { workflow: 'job', input: { n: i } })).body.id);
      return out;
    };
    const first = await submit(10);
    const sentAll = async (count: number) =>
      until(
        async () => {
          const { body } = await api(serve.url, 'GET', '/api/escalations?limit=1000');
          const es = body.escalations as { channels: { delivered: boolean }[] }[];
          return es.length === count && es.every((e) => e.channels.every((c) => c.delivered)) ? es : undefined;
        },
        60_000,
        200,
      );
    await sentAll(first.length);

    // The leader dies while idle; another node (worker B or the serve node) takes the lock within its retry interval.
    a.proc.kill('SIGKILL');
    await a.exited;
    await until(async () => leads(b.out()) || leads(serve.stderr()), 20_000, 50);

    const second = await submit(10);
    const escalations = await sentAll(first.length + second.length);
    // Each escalation's page was posted exactly once.
    const parents = slack.parents();
    expect(parents).toHaveLength(escalations.length);
    const perTask = new Map<string, number>();
    for (const p of parents) {
      const id = [...first, ...second].find((t) => JSON.stringify(p.params).includes(t));
      expect(id).toBeDefined();
      perTask.set(id!, (perTask.get(id!) ?? 0) + 1);
    }
    expect([...perTask.values()].every((n) => n === 1)).toBe(true);
    expect(perTask.size).toBe(20);
  }, 180_000);

  it('shares the circuit breaker: once one worker opens the circuit, no worker calls the dead agent', async () => {
    const db = await freshSchema(DATABASE_URL);
    cleanups.push(() => db.drop());
    const dead = await faultyAgent('dead', () => 'transient', 5);
    const backup = await faultyAgent('backup', () => 'ok', 5);
    cleanups.push(
      () => new Promise((r) => dead.server.close(r)),
      () => new Promise((r) => backup.server.close(r)),
    );
    const cfg = await writeTempConfig(
      {
        agents: {
          // Every call to "dead" is its first attempt for that task (maxAttempts 1), so it always fails.
          dead: {
            adapter: { type: 'http', url: dead.url },
            retry: { maxAttempts: 1 },
            circuitBreaker: { failureThreshold: 1, windowMs: '10m', openMs: '10m', maxOpenMs: '1h' },
          },
          backup: { adapter: { type: 'http', url: backup.url } },
        },
        fallbackChains: { dead: ['backup'] },
      },
      [{ name: 'job', agent: 'dead' }],
    );
    cleanups.push(() => cfg.remove());
    const serve = await startWarden(['--config', cfg.configPath, '--store', db.url, '--no-worker']);
    cleanups.push(() => serve.stop('SIGKILL'));
    // Two workers, both running before the circuit opens: whichever takes the first task opens it,
    // and the other must adopt that from the database.
    const a = await startWorker(cfg.configPath, db.url);
    const b = await startWorker(cfg.configPath, db.url);
    cleanups.push(
      () => a.proc.kill('SIGKILL'),
      () => b.proc.kill('SIGKILL'),
    );
    const { body } = await api(serve.url, 'POST', '/api/tasks', { workflow: 'job', input: { n: 0 } });
    await until(async () => (await api(serve.url, 'GET', `/api/tasks/${body.id}`)).body.status === 'completed', 30_000);
    expect(dead.calls).toHaveLength(1);
    // The serve node adopts it through the same poll as the workers.
    await until(
      async () =>
        (await api(serve.url, 'GET', '/api/agents')).body.agents.find((x: { id: string }) => x.id === 'dead').circuit.state === 'open',
      5_000,
    );
    // Each worker holds the open circuit: the one that opened it logged the change, and the other
    // logged adopting it from the database (the same words, so one search finds both).
    await until(async () => [a, b].every((w) => w.out().includes('circuit of dead open')), 10_000, 50);
    const later: string[] = [];
    for (let i = 0; i < 30; i++)
      later.push((await api(serve.url, 'POST', '/api/tasks', { workflow: 'job', input: { n: 100 + i } })).body.id);
    for (const id of later) {
      const task = await until(async () => {
        const t = (await api(serve.url, 'GET', `/api/tasks/${id}`)).body;
        return t.status === 'completed' ? t : undefined;
      }, 30_000);
      expect(task.answeredBy).toBe('backup');
      expect(task.attempts.map((x: { agent: string }) => x.agent)).toEqual(['backup']);
    }
    // Neither worker called the dead agent again.
    expect(dead.calls).toHaveLength(1);
  }, 180_000);
});

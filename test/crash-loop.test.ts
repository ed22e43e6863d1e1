import { createServer, type Server } from 'node:http';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { createServer as netServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { api, startWarden, until, type WardenProcess } from './helpers/warden.js';

// kill -9 at random moments must lose nothing: every accepted task ends exactly once, and the
// agent, which deduplicates on the idempotency key as a well-behaved agent does, never has
// to run a key twice.

const TASKS = 500;
const KILLS = 6;

/** A slow agent that deduplicates: a repeated idempotency key gets the first answer back. */
function startAgent() {
  const executions = new Map<string, { output: unknown; runs: number; replays: number }>();
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const key = String(req.headers['idempotency-key']);
      const known = executions.get(key);
      if (known) {
        known.replays++;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ output: known.output }));
        return;
      }
      setTimeout(
        () => {
          const again = executions.get(key);
          if (again) {
            // A concurrent duplicate raced the first run: answer with the first result.
            again.replays++;
            res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ output: again.output }));
            return;
          }
          const output = { key, run: Math.random().toString(36).slice(2), input: JSON.parse(body).input };
          executions.set(key, { output, runs: 1, replays: 0 });
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ output }));
        },
        20 + Math.random() * 130,
      );
    });
  });
  return new Promise<{ url: string; executions: typeof executions; close: () => Promise<void> }>((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({ url: `http://127.0.0.1:${port}/run`, executions, close: () => new Promise((r) => server.close(() => r())) });
    }),
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = netServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('crash loop', () => {
  let dir: string;
  let warden: WardenProcess | undefined;
  let agent: Awaited<ReturnType<typeof startAgent>>;

  afterAll(async () => {
    await warden?.stop('SIGKILL');
    await agent?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('finishes every accepted task exactly once across repeated kill -9', async () => {
    dir = await mkdtemp(join(tmpdir(), 'warden-crash-'));
    agent = await startAgent();
    await mkdir(join(dir, 'workflows'));
    await writeFile(
      join(dir, 'agents.config.json'),
      JSON.stringify({
        agents: {
          slow: {
            adapter: { type: 'http', url: agent.url },
            maxConcurrency: 25,
            maxQueue: 10_000,
            timeoutMs: 5_000,
            retry: { maxAttempts: 5, initialDelayMs: 20, maxDelayMs: 200 },
          },
        },
        store: 'sqlite:./warden.db',
      }),
    );
    await writeFile(join(dir, 'workflows', 'job.json'), JSON.stringify({ name: 'job', agent: 'slow' }));
    const port = await freePort();
    const args = ['--config', join(dir, 'agents.config.json'), '--port', String(port)];
    const start = () => startWarden(args);
    warden = await start();
    const base = warden.url;

    // The client: submits every task with an idempotency key, and on a connection failure
    // simply tries the same key again, as a real client would.
    const ids = new Map<number, string>();
    const submitter = (async () => {
      for (let i = 0; i < TASKS; i++) {
        for (;;) {
          try {
            const r = await api(base, 'POST', '/api/tasks', { workflow: 'job', input: { n: i }, idempotencyKey: `job-${i}` });
            if (r.status === 202 || r.status === 200) {
              if (ids.has(i)) expect(ids.get(i)).toBe(r.body.id);
              ids.set(i, r.body.id);
              break;
            }
            await sleep(20);
          } catch {
            await sleep(20);
          }
        }
      }
    })();

    // The killer.
    let kills = 0;
    for (; kills < KILLS; kills++) {
      await sleep(150 + Math.random() * 600);
      const exit = await warden!.stop('SIGKILL');
      expect(exit.signal).toBe('SIGKILL');
      warden = await start();
    }
    await submitter;
    expect(ids.size).toBe(TASKS);

    const all = await until(
      async () => {
        const r = await api(base, 'GET', `/api/tasks?limit=1000`);
        const tasks = r.body.tasks as { id: string; status: string; output: unknown }[];
        return tasks.length === TASKS && tasks.every((t) => ['completed', 'degraded', 'failed', 'cancelled'].includes(t.status))
          ? tasks
          : undefined;
      },
      60_000,
      100,
    );

    expect(kills).toBeGreaterThanOrEqual(5);
    expect(new Set(all.map((t) => t.id))).toEqual(new Set(ids.values()));
    let recovered = 0;
    for (const task of all) {
      expect(task.status).toBe('completed');
      const { body } = await api(base, 'GET', `/api/tasks/${task.id}/transitions`);
      const transitions = body.transitions as { seq: number; event: string; to: string }[];
      // Completed exactly once, and the log has no gaps or repeats.
      expect(transitions.filter((t) => t.to === 'completed')).toHaveLength(1);
      expect(transitions.map((t) => t.seq)).toEqual(transitions.map((_, i) => i + 1));
      recovered += transitions.filter((t) => t.event === 'RECOVERED').length;
      // The output is the agent's one and only execution for this task's key.
      const execution = agent.executions.get(`${task.id}:slow`);
      expect(execution?.runs).toBe(1);
      expect(task.output).toEqual(execution?.output);
    }
    // The kills did land mid-flight.
    expect(recovered).toBeGreaterThan(0);
    expect(agent.executions.size).toBe(TASKS);
  }, 180_000);
});

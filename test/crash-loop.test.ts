import { createServer, type Server, type ServerResponse } from 'node:http';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { createServer as netServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { seededRandom, type SeededRandom } from './helpers/seededRandom.js';
import { api, startWarden, until, type WardenProcess } from './helpers/warden.js';

// kill -9 at random moments must lose nothing: every accepted task ends exactly once, and the
// agent, which deduplicates on the idempotency key as a well-behaved agent does, never has
// to run a key twice.

const TASKS = 500;
const KILLS = 6;

/** What the agent did for one idempotency key. */
interface Execution {
  /** Times the agent started the work for this key: a well-behaved client makes it one. */
  runs: number;
  /** Times it answered a repeated key with the first answer, without running again. */
  replays: number;
  /** The answer, once the first run has finished. */
  output?: unknown;
}

/**
 * A slow agent that deduplicates: a repeated idempotency key gets the first answer back. It
 * also notes the calls cut off before it could answer (the caller died mid-call).
 */
function startAgent(random: SeededRandom) {
  const executions = new Map<string, Execution>();
  const cutOff = new Set<string>();
  let finished = 0;
  const answer = (res: ServerResponse, output: unknown) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ output }));
  const server: Server = createServer((req, res) => {
    const key = String(req.headers['idempotency-key']);
    res.on('close', () => {
      if (!res.writableFinished) cutOff.add(key);
    });
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const execution = executions.get(key) ?? { runs: 0, replays: 0 };
      executions.set(key, execution);
      if (execution.output !== undefined) {
        execution.replays++;
        answer(res, execution.output);
        return;
      }
      execution.runs++;
      setTimeout(
        () => {
          // A concurrent duplicate that finished first has set the output: answer with that.
          execution.output ??= { key, run: ++finished, input: JSON.parse(body).input };
          answer(res, execution.output);
        },
        20 + random.next() * 130,
      );
    });
  });
  return new Promise<{ url: string; executions: typeof executions; cutOff: typeof cutOff; close: () => Promise<void> }>((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({
        url: `http://127.0.0.1:${port}/run`,
        executions,
        cutOff,
        close: () => new Promise((r) => server.close(() => r())),
      });
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
    const random = seededRandom('crash loop');
    dir = await mkdtemp(join(tmpdir(), 'warden-crash-'));
    agent = await startAgent(random);
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

    // The client: submits every task with an idempotency key, and when the connection fails
    // (refused while Warden is down, or cut off by a kill) simply tries the same key again, as a
    // real client would. Any answer but 202 or 200 is a failure of the test, not a retry.
    const ids = new Map<number, string>();
    const submitter = (async () => {
      for (let i = 0; i < TASKS; i++) {
        for (;;) {
          const r = await api(base, 'POST', '/api/tasks', { workflow: 'job', input: { n: i }, idempotencyKey: `job-${i}` }).catch(
            () => undefined,
          );
          if (r === undefined) {
            await sleep(20);
            continue;
          }
          expect([200, 202], `job-${i}: ${r.text}`).toContain(r.status);
          ids.set(i, r.body.id);
          break;
        }
      }
    })();
    // Awaited after the kills; until then a failed expectation must not count as unhandled.
    submitter.catch(() => {});

    // The killer: at random moments, kill -9 and start again on the same file.
    for (let kill = 0; kill < KILLS; kill++) {
      await sleep(150 + random.next() * 600);
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

    expect(new Set(all.map((t) => t.id))).toEqual(new Set(ids.values()));
    const recoveredTasks = new Set<string>();
    for (const task of all) {
      expect(task.status).toBe('completed');
      const { body } = await api(base, 'GET', `/api/tasks/${task.id}/transitions`);
      const transitions = body.transitions as { seq: number; event: string; to: string }[];
      // Completed exactly once, and the log has no gaps or repeats.
      expect(transitions.filter((t) => t.to === 'completed')).toHaveLength(1);
      expect(transitions.map((t) => t.seq)).toEqual(transitions.map((_, i) => i + 1));
      if (transitions.some((t) => t.event === 'RECOVERED')) recoveredTasks.add(task.id);
      // The output is the agent's one and only execution for this task's key.
      const execution = agent.executions.get(`${task.id}:slow`);
      expect(execution?.runs, task.id).toBe(1);
      expect(task.output).toEqual(execution?.output);
    }
    // The kills did land mid-flight: calls were cut off, and each of their tasks was recovered.
    expect(agent.cutOff.size).toBeGreaterThan(0);
    for (const key of agent.cutOff) expect(recoveredTasks, key).toContain(key.replace(/:slow$/, ''));
    expect(agent.executions.size).toBe(TASKS);

    // Every key still names its first task: submitting it again is a 200 with the same id.
    for (const [i, id] of ids) {
      const again = await api(base, 'POST', '/api/tasks', { workflow: 'job', input: { n: i }, idempotencyKey: `job-${i}` });
      expect(again.status, `job-${i}`).toBe(200);
      expect(again.body.id, `job-${i}`).toBe(id);
    }
  }, 180_000);
});

/**
 * The HTTP API against bad and awkward input: one `warden serve` (memory store) over simulated
 * agents. Every error answer is JSON `{ error: { code, message, issues? } }` and never a stack trace.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STACK_FRAME, writeTempConfig, type TempConfig } from './helpers/tempConfig.js';
import { api, startWarden, until, type WardenProcess } from './helpers/warden.js';

interface ErrorBody {
  error: { code: string; message: string; issues?: { path: string; message: string }[] };
}
interface Task {
  id: string;
  workflow: string;
  status: string;
  state: string;
  input: unknown;
  output?: unknown;
  answeredBy?: string;
  attempts: unknown[];
  createdAt: string;
  updatedAt: string;
}

const TERMINAL = new Set(['completed', 'degraded', 'failed', 'cancelled']);

let tmp: TempConfig;
let warden: WardenProcess;
/** Every response body seen, to check at the end that none carries a stack trace. */
const bodies: string[] = [];

async function call<T = ErrorBody>(method: string, path: string, body?: unknown, headers?: Record<string, string>) {
  const res = await api<T>(warden.url, method, path, body, headers);
  bodies.push(res.text);
  return res;
}

/** Sends a raw body (no JSON encoding by the helper). */
async function raw(path: string, body: string | Uint8Array, contentType = 'application/json') {
  const res = await fetch(warden.url + path, { method: 'POST', headers: { 'content-type': contentType }, body });
  const text = await res.text();
  bodies.push(text);
  let json: ErrorBody | undefined;
  try {
    json = JSON.parse(text) as ErrorBody;
  } catch {
    json = undefined;
  }
  return { status: res.status, body: json, text, headers: res.headers };
}

/** One request through `agent` (a keep-alive `node:http` agent), resolving with the status and text. */
function request(agent: http.Agent, method: string, path: string, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${warden.url}${path}`,
      { method, agent, headers: body ? { 'content-type': 'application/json' } : {} },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => {
          bodies.push(text);
          resolve({ status: res.statusCode ?? 0, text });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const overOneMiB = () => JSON.stringify({ workflow: 'echo', input: { blob: 'x'.repeat(1024 * 1024) } });

async function submit(workflow: string, input: unknown, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await call<{ id: string; status: string }>('POST', '/api/tasks', { workflow, input, ...extra });
  expect(res.status, res.text).toBe(202);
  return res.body.id;
}

async function finished(id: string): Promise<Task> {
  return until(async () => {
    const res = await call<Task>('GET', `/api/tasks/${id}`);
    return TERMINAL.has(res.body.status) ? res.body : undefined;
  });
}

beforeAll(async () => {
  const content = { type: 'object', required: ['content'], properties: { content: { type: 'string' } } };
  tmp = await writeTempConfig(
    {
      agents: {
        reviewer: { adapter: { type: 'simulated', latencyMs: 0 }, capabilities: ['code-review'], maxConcurrency: 3 },
        broken: {
          adapter: { type: 'simulated', latencyMs: 0, failureRate: 0, permanentFailureRate: 1 },
          retry: { maxAttempts: 1 },
        },
        sleeper: { adapter: { type: 'simulated', latencyMs: '1h' }, timeoutMs: '2h' },
      },
      store: 'memory:',
    },
    [
      { name: 'code-review', agent: 'reviewer', inputSchema: content },
      { name: 'echo', agent: 'reviewer' },
      { name: 'hopeless', agent: 'broken' },
      { name: 'slow', agent: 'sleeper', deadlineMs: '3h' },
    ],
  );
  warden = await startWarden(['--config', tmp.configPath, '--store', 'memory:']);
});

afterAll(async () => {
  await warden?.stop();
  await tmp?.remove();
});

describe('POST /api/tasks with a bad body', () => {
  it('answers 400 INVALID_JSON with a message for malformed JSON', async () => {
    const res = await raw('/api/tasks', '{"workflow": "echo", ');
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.body?.error.code).toBe('INVALID_JSON');
    expect(res.body?.error.message).toMatch(/not valid JSON/);
  });

  it('answers 400 INVALID_JSON for an empty body', async () => {
    const res = await raw('/api/tasks', '');
    expect(res.status).toBe(400);
    expect(res.body?.error.code).toBe('INVALID_JSON');
    expect(res.body?.error.message).toMatch(/empty/);
  });

  it('answers 400 with a (root) issue when the body is not an object', async () => {
    for (const body of ['[1,2]', '"code-review"', '42', 'null']) {
      const res = await raw('/api/tasks', body);
      expect(res.status, body).toBe(400);
      expect(res.body?.error.code, body).toBe('INPUT_INVALID');
      expect(
        res.body?.error.issues?.map((i) => i.path),
        body,
      ).toEqual(['(root)']);
    }
  });

  it('answers 400 naming the workflow field when it is missing or not a string', async () => {
    const missing = await call('POST', '/api/tasks', { input: { content: 'x' } });
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe('INPUT_INVALID');
    expect(missing.body.error.issues).toEqual([{ path: 'workflow', message: expect.any(String) }]);

    const wrongType = await call('POST', '/api/tasks', { workflow: 7 });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.error.issues?.map((i) => i.path)).toEqual(['workflow']);
  });

  it('answers 400 naming an unknown body field, so a typo is not silently ignored', async () => {
    const res = await call('POST', '/api/tasks', { workflow: 'echo', input: {}, idempotencykey: 'k' });
    expect(res.status).toBe(400);
    expect(res.body.error.issues).toEqual([{ path: '(root)', message: expect.stringContaining('"idempotencykey"') }]);
  });

  it('answers 404 WORKFLOW_NOT_FOUND for an unknown workflow', async () => {
    const res = await call('POST', '/api/tasks', { workflow: 'nope', input: {} });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('WORKFLOW_NOT_FOUND');
    expect(res.body.error.message).toContain('nope');
  });

  it("answers 400 with input.content issues when the input fails the workflow's inputSchema", async () => {
    const wrong = await call('POST', '/api/tasks', { workflow: 'code-review', input: { content: 42 } });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe('INPUT_INVALID');
    expect(wrong.body.error.message).toEqual(expect.any(String));
    expect(wrong.body.error.issues).toEqual([{ path: 'input.content', message: expect.stringMatching(/string/) }]);

    const missing = await call('POST', '/api/tasks', { workflow: 'code-review', input: {} });
    expect(missing.status).toBe(400);
    expect(missing.body.error.issues).toEqual([{ path: 'input.content', message: 'is required' }]);
  });

  it('accepts a body just under 1 MiB', async () => {
    const body = JSON.stringify({ workflow: 'echo', input: { blob: 'x'.repeat(1024 * 1024 - 100) } });
    expect(Buffer.byteLength(body)).toBeLessThan(1024 * 1024);
    const res = await raw('/api/tasks', body);
    expect(res.status).toBe(202);
  });

  // The 413 tests use their own keep-alive agent, so a connection they leave behind is never
  // reused by another test.
  it('answers 413 PAYLOAD_TOO_LARGE for a body over 1 MiB', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const res = await request(agent, 'POST', '/api/tasks', overOneMiB());
      expect(res.status).toBe(413);
      const body = JSON.parse(res.text) as ErrorBody;
      expect(body.error.code).toBe('PAYLOAD_TOO_LARGE');
      expect(body.error.message).toContain('1048576');
    } finally {
      agent.destroy();
    }
  });

  it('serves the next request on a keep-alive connection that was answered 413', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      expect((await request(agent, 'POST', '/api/tasks', overOneMiB())).status).toBe(413);
      // The 413 goes out before the body is read. A connection left in that state must be closed
      // (Connection: close), not offered for reuse, or the client's next request on it dies.
      const next: (number | string)[] = [];
      for (let i = 0; i < 3; i++)
        next.push(
          await request(agent, 'GET', '/api/tasks?limit=1').then(
            (r) => r.status,
            (e: NodeJS.ErrnoException) => e.code ?? e.message,
          ),
        );
      expect(next).toEqual([200, 200, 200]);
    } finally {
      agent.destroy();
    }
  });

  it('answers 400, not a 5xx, for JSON nested 1000 deep', async () => {
    const deep = `{"workflow":"echo","input":${'['.repeat(1000)}${']'.repeat(1000)}}`;
    const res = await raw('/api/tasks', deep);
    expect(res.status).toBe(400);
    expect(res.body?.error.code).toBe('INVALID_JSON');
    expect(res.body?.error.message).toMatch(/deeper/);
  });

  it('answers 400 for a deadlineMs that is not a positive integer', async () => {
    const res = await call('POST', '/api/tasks', { workflow: 'echo', input: {}, deadlineMs: -5 });
    expect(res.status).toBe(400);
    expect(res.body.error.issues?.map((i) => i.path)).toEqual(['deadlineMs']);
  });
});

describe('idempotency keys', () => {
  it('answers 200 with the first task for the same key and the same input', async () => {
    const first = await call<{ id: string; status: string }>('POST', '/api/tasks', {
      workflow: 'code-review',
      input: { content: 'same', n: 1 },
      idempotencyKey: 'key-same',
    });
    expect(first.status).toBe(202);
    // Keys in another order are the same input.
    const again = await call<{ id: string; status: string }>('POST', '/api/tasks', {
      workflow: 'code-review',
      input: { n: 1, content: 'same' },
      idempotencyKey: 'key-same',
    });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    const listed = await call<{ tasks: Task[] }>('GET', '/api/tasks?workflow=code-review&limit=1000');
    expect(listed.body.tasks.filter((t) => t.id === first.body.id)).toHaveLength(1);
  });

  it('answers 409 IDEMPOTENCY_CONFLICT for the same key with other input', async () => {
    const first = await submit('code-review', { content: 'one' }, { idempotencyKey: 'key-conflict' });
    const res = await call('POST', '/api/tasks', { workflow: 'code-review', input: { content: 'two' }, idempotencyKey: 'key-conflict' });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('IDEMPOTENCY_CONFLICT');
    expect(res.body.error.message).toContain('key-conflict');
    expect((await call<Task>('GET', `/api/tasks/${first}`)).body.input).toEqual({ content: 'one' });
  });
});

describe('reading tasks', () => {
  it('answers 404 TASK_NOT_FOUND for an unknown task and its transitions', async () => {
    const res = await call('GET', '/api/tasks/00000000-0000-0000-0000-000000000000');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('TASK_NOT_FOUND');
    const transitions = await call('GET', '/api/tasks/00000000-0000-0000-0000-000000000000/transitions');
    expect(transitions.status).toBe(404);
    expect(transitions.body.error.code).toBe('TASK_NOT_FOUND');
  });

  it('answers 400 naming the status parameter for an unknown status filter', async () => {
    const res = await call('GET', '/api/tasks?status=bogus');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('BAD_REQUEST');
    expect(res.body.error.issues).toEqual([{ path: 'status.0', message: expect.stringContaining('completed') }]);
    const mixed = await call('GET', '/api/tasks?status=completed,bogus');
    expect(mixed.status).toBe(400);
  });

  it('answers 400 for a limit that is not a positive integer', async () => {
    for (const limit of ['0', '-1', 'ten']) {
      const res = await call('GET', `/api/tasks?limit=${limit}`);
      expect(res.status, limit).toBe(400);
      expect(res.body.error.issues?.[0]?.path, limit).toBe('limit');
    }
  });

  it('filters by status and workflow and lists newest first', async () => {
    const a = await submit('echo', { n: 'a' });
    const b = await submit('code-review', { content: 'b' });
    const c = await submit('echo', { n: 'c' });
    const failed = await submit('hopeless', {});
    for (const id of [a, b, c, failed]) await finished(id);
    expect((await call<Task>('GET', `/api/tasks/${failed}`)).body.status).toBe('failed');

    const all = (await call<{ tasks: Task[] }>('GET', '/api/tasks?limit=1000')).body.tasks.map((t) => t.id);
    expect(all.indexOf(failed)).toBeLessThan(all.indexOf(c));
    expect(all.indexOf(c)).toBeLessThan(all.indexOf(b));
    expect(all.indexOf(b)).toBeLessThan(all.indexOf(a));

    const echoes = (await call<{ tasks: Task[] }>('GET', '/api/tasks?workflow=echo&limit=1000')).body.tasks;
    expect(echoes.every((t) => t.workflow === 'echo')).toBe(true);
    expect(echoes.map((t) => t.id).filter((id) => [a, c].includes(id))).toEqual([c, a]);
    expect(echoes.map((t) => t.id)).not.toContain(b);

    const failedOnly = (await call<{ tasks: Task[] }>('GET', '/api/tasks?status=failed')).body.tasks;
    expect(failedOnly.map((t) => t.id)).toEqual([failed]);
    const completedEchoes = (await call<{ tasks: Task[] }>('GET', '/api/tasks?status=completed&workflow=echo&limit=1000')).body.tasks;
    expect(completedEchoes.length).toBeGreaterThanOrEqual(2);
    expect(completedEchoes.every((t) => t.status === 'completed' && t.workflow === 'echo')).toBe(true);
    const either = (await call<{ tasks: Task[] }>('GET', '/api/tasks?status=failed,completed&limit=1000')).body.tasks.map((t) => t.id);
    expect(either).toEqual(expect.arrayContaining([a, b, c, failed]));

    const limited = (await call<{ tasks: Task[] }>('GET', '/api/tasks?limit=2')).body.tasks;
    expect(limited).toHaveLength(2);
    expect(limited[0]?.id).toBe(all[0]);
  });
});

describe('GET /api/agents', () => {
  it('lists every configured agent with its circuit, health, load and limit', async () => {
    const res = await call<{
      agents: {
        id: string;
        capabilities: string[];
        circuit: { state: string };
        health: { status: string };
        inFlight: number;
        maxConcurrency: number;
      }[];
    }>('GET', '/api/agents');
    expect(res.status).toBe(200);
    expect(res.body.agents.map((a) => a.id).sort()).toEqual(['broken', 'reviewer', 'sleeper']);
    for (const a of res.body.agents) {
      expect(['closed', 'open', 'half-open']).toContain(a.circuit.state);
      expect(['healthy', 'unhealthy', 'unknown']).toContain(a.health.status);
      expect(a.inFlight).toEqual(expect.any(Number));
      expect(a.maxConcurrency).toEqual(expect.any(Number));
    }
    const reviewer = res.body.agents.find((a) => a.id === 'reviewer')!;
    expect(reviewer.maxConcurrency).toBe(3);
    expect(reviewer.capabilities).toEqual(['code-review']);
    expect(res.body.agents.find((a) => a.id === 'broken')!.maxConcurrency).toBe(4);
  });
});

describe('POST /api/tasks/:id/cancel', () => {
  it('answers 409 TASK_ENDED with the status of a finished task, and leaves it unchanged', async () => {
    const id = await submit('echo', { n: 'done' });
    const before = await finished(id);
    expect(before.status).toBe('completed');
    const res = await call<ErrorBody & { error: { status: string } }>('POST', `/api/tasks/${id}/cancel`);
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'TASK_ENDED', status: 'completed' });
    expect((await call<Task>('GET', `/api/tasks/${id}`)).body).toEqual(before);
  });

  it('cancels a task whose attempt is in flight, freeing the agent', async () => {
    const id = await submit('slow', {});
    await until(
      async () =>
        (await call<{ agents: { id: string; inFlight: number }[] }>('GET', '/api/agents')).body.agents.find((a) => a.id === 'sleeper')!
          .inFlight === 1,
    );
    const res = await call<Task>('POST', `/api/tasks/${id}/cancel`);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('cancelled');
    const transitions = (await call<{ transitions: { from: string; to: string; event: string }[] }>('GET', `/api/tasks/${id}/transitions`))
      .body.transitions;
    expect(transitions.at(-1)).toMatchObject({ from: 'attempting', to: 'cancelled', event: 'CANCEL' });
    await until(
      async () =>
        (await call<{ agents: { id: string; inFlight: number }[] }>('GET', '/api/agents')).body.agents.find((a) => a.id === 'sleeper')!
          .inFlight === 0,
    );
  });

  it('answers 404 for an unknown task', async () => {
    const res = await call('POST', '/api/tasks/nope/cancel');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('TASK_NOT_FOUND');
  });
});

describe('unknown routes', () => {
  it('answer 404 NOT_FOUND as JSON naming the method and path', async () => {
    for (const [method, path] of [
      ['GET', '/api/nope'],
      ['POST', '/api/tasks/x/explode'],
    ]) {
      const res = await call(method!, path!);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.body.error.code).toBe('NOT_FOUND');
      expect(res.body.error.message).toContain(path);
    }
  });
});

describe('a known path with the wrong method', () => {
  it('answers 405 METHOD_NOT_ALLOWED as JSON with an allow header', async () => {
    const res = await call('DELETE', '/api/tasks');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD, POST');
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.body.error.code).toBe('METHOD_NOT_ALLOWED');
  });
});

describe('error answers', () => {
  it('never contain a stack trace', () => {
    // Runs last in file order: every body above has been collected.
    expect(bodies.length).toBeGreaterThan(30);
    for (const text of bodies) expect(text).not.toMatch(STACK_FRAME);
  });
});

/**
 * End to end: real agent servers speaking the HTTP agent protocol, a real `warden serve` child
 * (memory store, engine clock 200× wall time so a `Retry-After: 1` costs ~5 ms), and the API
 * and CLI in front of it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reply, startServer, type RecordedRequest, type RecordingServer } from './fixtures/agents/helpers.js';
import { writeTempConfig, type TempConfig } from './helpers/tempConfig.js';
import { api, runCli, startWarden, until, type WardenProcess } from './helpers/warden.js';
import type { Transition } from '../src/lifecycle/types.js';

const TERMINAL = new Set(['completed', 'degraded', 'failed', 'cancelled']);
const CLOCK_RATE = 200;

interface Attempt {
  agent: string;
  attempt: number;
  startedAt: string;
  endedAt?: string;
  outcome: string;
  error?: { code: string; category: string; retryable: boolean; message: string };
}
interface Task {
  id: string;
  workflow: string;
  status: string;
  state: string;
  output?: unknown;
  answeredBy?: string;
  severity?: string;
  attempts: Attempt[];
}

let flaky: RecordingServer;
let locked: RecordingServer;
let good: RecordingServer;
let garbled: RecordingServer;
let tmp: TempConfig;
let warden: WardenProcess;

const DEGRADED_REVIEW = { status: 'degraded', message: 'Full AI review unavailable' };

beforeAll(async () => {
  flaky = await startServer((_req, res) =>
    reply(res, 503, { error: { code: 'OVERLOADED', message: 'try later' } }, { 'retry-after': '1' }),
  );
  locked = await startServer((_req, res) => reply(res, 401, { error: { code: 'BAD_TOKEN', message: 'who are you' } }));
  good = await startServer((_req, res) => reply(res, 200, { output: { review: 'LGTM', by: 'good' } }));
  garbled = await startServer((_req, res) => reply(res, 200, 'not json'));

  // Every attempt is far shorter than these limits even at 200×, and the breaker never opens:
  // each test reads the lifecycle of its own task, whatever ran before it.
  const policies = {
    timeoutMs: '1h',
    retry: { maxAttempts: 2, initialDelayMs: 100, maxDelayMs: 1000, jitter: 'none' },
    circuitBreaker: { failureThreshold: 1000 },
  };
  const reviewInput = { type: 'object', required: ['content'], properties: { content: { type: 'string' } } };
  tmp = await writeTempConfig(
    {
      agents: {
        flaky: { adapter: { type: 'http', url: `${flaky.url}/run` }, ...policies },
        locked: { adapter: { type: 'http', url: `${locked.url}/run` }, ...policies },
        good: { adapter: { type: 'http', url: `${good.url}/run` }, ...policies },
        garbled: { adapter: { type: 'http', url: `${garbled.url}/run` }, ...policies },
        // A second door to the same refusing server, as the primary of the all-fail workflows.
        gatekeeper: { adapter: { type: 'http', url: `${locked.url}/gate` }, ...policies },
      },
      fallbackChains: { flaky: ['locked', 'good'], garbled: ['good'], gatekeeper: ['flaky'] },
      store: 'memory:',
    },
    [
      { name: 'review', agent: 'flaky', inputSchema: reviewInput, deadlineMs: '24h', degraded: { response: DEGRADED_REVIEW } },
      { name: 'garbled-review', agent: 'garbled', inputSchema: reviewInput, deadlineMs: '24h' },
      {
        name: 'doomed',
        agent: 'gatekeeper',
        deadlineMs: '24h',
        severity: 'medium',
        degraded: { response: { status: 'degraded', message: 'manual review' } },
      },
      { name: 'doomed-hard', agent: 'gatekeeper', deadlineMs: '24h' },
    ],
  );
  warden = await startWarden(['--config', tmp.configPath, '--store', 'memory:'], { env: { WARDEN_CLOCK_RATE: String(CLOCK_RATE) } });
});

afterAll(async () => {
  await warden?.stop();
  await Promise.all([flaky, locked, good, garbled].map((s) => s?.close()));
  await tmp?.remove();
});

async function submit(workflow: string, input: unknown): Promise<string> {
  const res = await api<{ id: string; status: string }>(warden.url, 'POST', '/api/tasks', { workflow, input });
  expect(res.status, res.text).toBe(202);
  expect(res.body.status).toBe('queued');
  expect(res.body.id).toEqual(expect.any(String));
  return res.body.id;
}

async function finished(id: string): Promise<Task> {
  return until(async () => {
    const res = await api<Task>(warden.url, 'GET', `/api/tasks/${id}`);
    return TERMINAL.has(res.body.status) ? res.body : undefined;
  });
}

async function transitionsOf(id: string): Promise<Transition[]> {
  const res = await api<{ transitions: Transition[] }>(warden.url, 'GET', `/api/tasks/${id}/transitions`);
  expect(res.status).toBe(200);
  return res.body.transitions;
}

/** `from>to:EVENT@agent#attempt`, with `∅` for the first transition's missing `from`. */
const line = (t: Transition) => `${t.from ?? '∅'}>${t.to}:${t.event}${t.agent ? `@${t.agent}#${t.attempt}` : ''}`;
const attemptLine = (a: Attempt) => `${a.agent}#${a.attempt} ${a.outcome}${a.error ? ` ${a.error.code}` : ''}`;
const bodyOf = (r: RecordedRequest) => JSON.parse(r.body) as Record<string, unknown>;
const forTask = (server: RecordingServer, id: string) => server.requests.filter((r) => r.headers['x-warden-task-id'] === id);

describe('a task whose primary agent is overloaded and whose first fallback is locked out', () => {
  let id: string;
  let task: Task;
  let transitions: Transition[];

  beforeAll(async () => {
    id = await submit('review', { content: 'diff --git a/x b/x' });
    task = await finished(id);
    transitions = await transitionsOf(id);
  });

  it('completes with the answer of the first agent down the fallback chain that answers', () => {
    expect(task.status).toBe('completed');
    expect(task.state).toBe('completed');
    expect(task.answeredBy).toBe('good');
    expect(task.output).toEqual({ review: 'LGTM', by: 'good' });
    expect(task.severity).toBeUndefined();
  });

  it('records each attempt with its classified error', () => {
    expect(task.attempts.map(attemptLine)).toEqual([
      'flaky#1 error AGENT_UNAVAILABLE',
      'flaky#2 error AGENT_UNAVAILABLE',
      'locked#1 error AUTH_FAILED',
      'good#1 ok',
    ]);
    const [first, , auth] = task.attempts;
    expect(first?.error).toMatchObject({ retryable: true, category: 'transient', message: 'try later' });
    expect(auth?.error).toMatchObject({ retryable: false, category: 'external' });
  });

  it('walks the lifecycle through one retry and two fallbacks, in exactly this order', () => {
    expect(transitions.map(line)).toEqual([
      '∅>queued:SUBMIT',
      'queued>routing:START',
      'routing>attempting:ROUTED@flaky#1',
      'attempting>waiting:ATTEMPT_FAILED@flaky#1',
      'waiting>attempting:WAKE@flaky#2',
      'attempting>routing:ATTEMPT_FAILED@flaky#2',
      'routing>attempting:ROUTED@locked#1',
      'attempting>routing:ATTEMPT_FAILED@locked#1',
      'routing>attempting:ROUTED@good#1',
      'attempting>validating:ATTEMPT_OK@good#1',
      'validating>completed:OUTPUT_VALID@good#1',
    ]);
    expect(transitions.map((t) => t.seq)).toEqual(transitions.map((_, i) => i + 1));
    expect(transitions[3]?.error?.code).toBe('AGENT_UNAVAILABLE');
    expect(transitions[7]?.error?.code).toBe('AUTH_FAILED');
  });

  it('waits at least the Retry-After after the 503 before the retry, even though the backoff asked for less', () => {
    const failed = transitions.find((t) => t.event === 'ATTEMPT_FAILED' && t.to === 'waiting')!;
    const wake = transitions.find((t) => t.event === 'WAKE')!;
    const answeredAt = Date.parse(task.attempts[0]!.endedAt!);
    // initialDelayMs is 100 and maxDelayMs 1000 with no jitter: only the Retry-After of 1 s makes it 1000.
    expect(failed.detail?.delayMs).toBe(1000);
    // Engine time throughout: the wake is planned, and happens, a full Retry-After after the answer.
    expect(Date.parse(failed.detail!.wakeAt!) - answeredAt).toBe(1000);
    expect(Date.parse(wake.at)).toBeGreaterThanOrEqual(Date.parse(failed.detail!.wakeAt!));
    expect(Date.parse(wake.at) - answeredAt).toBeGreaterThanOrEqual(1000);
    expect(Date.parse(task.attempts[1]!.startedAt) - answeredAt).toBeGreaterThanOrEqual(1000);
  });

  it('sends every agent the protocol headers and body, with one idempotency key per task and agent', () => {
    const seen = { flaky: forTask(flaky, id), locked: forTask(locked, id), good: forTask(good, id) };
    expect(seen.flaky).toHaveLength(2);
    expect(seen.locked).toHaveLength(1);
    expect(seen.good).toHaveLength(1);
    for (const [agent, requests] of Object.entries(seen)) {
      for (const r of requests) {
        expect(r.method).toBe('POST');
        expect(r.path).toBe('/run');
        expect(r.headers['content-type']).toMatch(/^application\/json/);
        expect(r.headers['idempotency-key']).toBe(`${id}:${agent}`);
        expect(r.headers['x-warden-task-id']).toBe(id);
        const body = bodyOf(r);
        expect(Object.keys(body).sort()).toEqual(expect.arrayContaining(['agent', 'attempt', 'deadline', 'input', 'taskId', 'workflow']));
        expect(body).toMatchObject({ taskId: id, workflow: 'review', input: { content: 'diff --git a/x b/x' }, agent });
        expect(Number.isNaN(Date.parse(String(body.deadline)))).toBe(false);
      }
    }
    expect(seen.flaky.map((r) => bodyOf(r).attempt)).toEqual([1, 2]);
    expect(bodyOf(seen.locked[0]!).attempt).toBe(1);
    expect(bodyOf(seen.good[0]!).attempt).toBe(1);
  });
});

describe('a malformed agent response', () => {
  it('becomes AGENT_RESPONSE_MALFORMED on its attempt and moves the task down the fallback chain', async () => {
    const id = await submit('garbled-review', { content: 'x' });
    const task = await finished(id);
    expect(task.status).toBe('completed');
    expect(task.answeredBy).toBe('good');
    expect(task.attempts.map(attemptLine)).toEqual(['garbled#1 error AGENT_RESPONSE_MALFORMED', 'good#1 ok']);
    // Not retryable: a second call to the same agent would get the same garbage.
    expect(task.attempts[0]?.error).toMatchObject({ retryable: false, category: 'logic' });
    expect(task.attempts[0]?.error?.message).toContain('not json');
    expect(forTask(garbled, id)).toHaveLength(1);
    expect((await transitionsOf(id)).map(line)).toEqual([
      '∅>queued:SUBMIT',
      'queued>routing:START',
      'routing>attempting:ROUTED@garbled#1',
      'attempting>routing:ATTEMPT_FAILED@garbled#1',
      'routing>attempting:ROUTED@good#1',
      'attempting>validating:ATTEMPT_OK@good#1',
      'validating>completed:OUTPUT_VALID@good#1',
    ]);
  });
});

describe('a task on which every agent fails', () => {
  it("ends degraded with the workflow's degraded response, no answeredBy, and the worst error's severity", async () => {
    const id = await submit('doomed', {});
    const task = await finished(id);
    expect(task.status).toBe('degraded');
    expect(task.output).toEqual({ status: 'degraded', message: 'manual review' });
    expect(task).not.toHaveProperty('answeredBy');
    // AUTH_FAILED is high, above the workflow's medium.
    expect(task.severity).toBe('high');
    expect(task.attempts.map(attemptLine)).toEqual([
      'gatekeeper#1 error AUTH_FAILED',
      'flaky#1 error AGENT_UNAVAILABLE',
      'flaky#2 error AGENT_UNAVAILABLE',
    ]);
    const transitions = (await transitionsOf(id)).map(line);
    expect(transitions.slice(-3)).toEqual([
      'attempting>routing:ATTEMPT_FAILED@flaky#2',
      'routing>degrading:NO_AGENT',
      'degrading>degraded:DEGRADED',
    ]);
  });

  it('ends failed, with no output and no answeredBy, when the workflow has no degraded response', async () => {
    const id = await submit('doomed-hard', {});
    const task = await finished(id);
    expect(task.status).toBe('failed');
    expect(task).not.toHaveProperty('answeredBy');
    expect(task.output).toBeUndefined();
    expect(task.severity).toBe('high');
    expect((await transitionsOf(id)).map(line).slice(-2)).toEqual(['attempting>routing:ATTEMPT_FAILED@flaky#2', 'routing>failed:NO_AGENT']);
  });
});

describe('warden submit --wait', () => {
  const submitCli = (workflow: string, input: string) => runCli(['submit', workflow, '--input', input, '--wait', '--url', warden.url]);

  /** The transitions `submit --wait` printed, as `from>to:EVENT@agent#attempt`, and the task id it named. */
  function printed(stdout: string): { id: string; lines: string[] } {
    const id = /^task (\S+) submitted/m.exec(stdout)?.[1] ?? '';
    const lines = [...stdout.matchAll(/^\S+ {2}(\S+) → (\S+) {2}([A-Z_]+)(?: (\S+#\d+))?/gm)].map(
      ([, from, to, event, who]) => `${from}>${to}:${event}${who ? `@${who}` : ''}`,
    );
    return { id, lines };
  }

  it('prints every transition of the task in order and exits 0 when it completes', async () => {
    const { code, stdout, stderr } = await submitCli('review', '{"content":"x"}');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const { id, lines } = printed(stdout);
    expect(lines).toEqual((await transitionsOf(id)).map(line));
    expect(lines).toHaveLength(11);
    expect(stdout).toContain(`task ${id} completed by good`);
    expect(stdout).toContain('"review": "LGTM"');
  });

  it('exits 3 when the task ends degraded, printing the degraded response', async () => {
    const { code, stdout } = await submitCli('doomed', '{}');
    expect(code).toBe(3);
    const { id, lines } = printed(stdout);
    expect(lines).toEqual((await transitionsOf(id)).map(line));
    expect(lines.at(-1)).toBe('degrading>degraded:DEGRADED');
    expect(stdout).toContain(`task ${id} degraded (severity high)`);
    expect(stdout).toContain('"message": "manual review"');
  });

  it('exits 4 when the task fails', async () => {
    const { code, stdout } = await submitCli('doomed-hard', '{}');
    expect(code).toBe(4);
    const { id, lines } = printed(stdout);
    expect(lines).toEqual((await transitionsOf(id)).map(line));
    expect(lines.at(-1)).toBe('routing>failed:NO_AGENT');
    expect(stdout).toContain(`task ${id} failed (severity high)`);
  });
});

/**
 * An agent that echoes a secret (another agent's API key, say) in its error never gets it into a
 * transition, a task, the event stream, an API answer or a log line: the engine redacts error
 * messages before the lifecycle machine, the store or the logger sees them, and the API redacts
 * what it sends on top.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../src/lifecycle/logger.js';
import { apiApp, type ApiApp } from './helpers/apiApp.js';
import { SseClient } from './helpers/sseClient.js';
import { until } from './helpers/warden.js';

const KEY = 'sk-live-7c1d9e2f4a6b8c0d';
const TOKEN = 'api-token-redaction-3e5f7a9b';
const logLines: string[] = [];
const logger: Logger = {
  debug: (o, m) => logLines.push(JSON.stringify([o, m])),
  info: (o, m) => logLines.push(JSON.stringify([o, m])),
  warn: (o, m) => logLines.push(JSON.stringify([o, m])),
  error: (o, m) => logLines.push(JSON.stringify([o, m])),
};

let a: ApiApp;
let agentServer: Server;

beforeAll(async () => {
  // An HTTP agent that answers 500 quoting the key in its { error: { message } } body.
  agentServer = createServer((_req, res) => {
    res.writeHead(500, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { code: 'UPSTREAM', message: `upstream refused api key ${KEY}` } }));
  });
  await new Promise<void>((r) => agentServer.listen(0, '127.0.0.1', r));
  const port = (agentServer.address() as AddressInfo).port;
  a = await apiApp({
    config: {
      agents: {
        // The key belongs to this agent's config; the others merely know it.
        keyholder: { adapter: { type: 'openai', baseUrl: 'http://127.0.0.1:9/v1', model: 'm', apiKeyEnv: 'REDACTION_KEY' } },
        echoer: { adapter: { type: 'http', url: `http://127.0.0.1:${port}/run` }, retry: { maxAttempts: 1 } },
        thrower: { adapter: { type: 'module', path: './agents/thrower.js' }, retry: { maxAttempts: 1 } },
        teller: { adapter: { type: 'simulated', latencyMs: 0, output: { note: `the key is ${KEY}` } } },
      },
      escalation: {
        channels: { console: { type: 'log' } },
        severities: { medium: { channels: ['console'] }, high: { channels: ['console'] } },
      },
    },
    workflows: [
      { name: 'via-http', agent: 'echoer' },
      { name: 'via-module', agent: 'thrower' },
      { name: 'telling', agent: 'teller' },
    ],
    files: { 'agents/thrower.js': `export default async function () { throw new Error('cannot use ${KEY} here'); }\n` },
    env: { REDACTION_KEY: KEY },
    app: { apiToken: TOKEN },
    logger,
  });
});

afterAll(async () => {
  await a?.close();
  await new Promise((r) => agentServer?.close(r));
});

const auth = { authorization: `Bearer ${TOKEN}` };

async function run(workflow: string) {
  const res = await a.req('POST', '/api/tasks', { workflow, input: {} }, auth);
  expect(res.status, res.text).toBe(202);
  return a.engine.result(res.json.id);
}

describe('a secret an agent echoes', () => {
  it('is redacted at the source: stored transitions, attempts and the task error', async () => {
    for (const workflow of ['via-http', 'via-module']) {
      const task = await run(workflow);
      expect(task.status).toBe('failed');
      const stored = JSON.stringify([await a.engine.store.getTask(task.id), await a.engine.store.transitions(task.id)]);
      expect(stored, workflow).not.toContain(KEY);
      expect(stored, workflow).toContain('[redacted]');
      const failed = (await a.engine.store.transitions(task.id)).find((t) => t.event === 'ATTEMPT_FAILED');
      expect(failed?.error?.message, workflow).toMatch(/\[redacted\]/);
    }
  });

  it('is absent from API answers, the event stream and the log', async () => {
    const telling = await run('telling');
    expect(telling.status).toBe('completed');
    const answers: string[] = [];
    for (const path of ['/api/tasks?limit=100', `/api/tasks/${telling.id}`, '/api/escalations']) {
      const res = await a.req('GET', path, undefined, auth);
      expect(res.status).toBe(200);
      answers.push(res.text);
    }
    for (const t of (await a.req('GET', '/api/tasks?limit=100', undefined, auth)).json.tasks) {
      answers.push((await a.req('GET', `/api/tasks/${t.id}/transitions`, undefined, auth)).text);
    }
    for (const text of answers) expect(text).not.toContain(KEY);
    // An output quoting the key is shown redacted (the store keeps what the agent answered).
    expect((await a.req('GET', `/api/tasks/${telling.id}`, undefined, auth)).json.output).toEqual({ note: 'the key is [redacted]' });

    const stream = await SseClient.open('http://in-process/api/events', { 'last-event-id': '0', ...auth }, (url, init) =>
      Promise.resolve(a.app.request(url, init)),
    );
    const total = (await a.engine.store.transitionsSince(0, 10_000)).length;
    await stream.until((evs) => evs.filter((e) => e.event === 'transition').length >= total);
    await stream.close();
    expect(stream.events.map((e) => e.data).join('\n')).not.toContain(KEY);

    await until(async () => logLines.some((l) => l.includes('escalation')));
    expect(logLines.join('\n')).not.toContain(KEY);
  });

  it('and a request that carries a secret gets it back redacted', async () => {
    const res = await a.req('POST', '/api/tasks', { workflow: `no-such-${KEY}`, input: {} }, auth);
    expect(res.status).toBe(404);
    expect(res.text).not.toContain(KEY);
    expect(res.json.error.message).toContain('[redacted]');
    const wrong = await a.req('GET', '/api/tasks', undefined, { authorization: `Bearer ${KEY}` });
    expect(wrong.status).toBe(401);
    expect(wrong.text).not.toContain(KEY);
  });
});

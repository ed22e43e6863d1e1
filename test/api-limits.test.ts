/**
 * Request limits, in-process: a handler that runs too long is answered 503 REQUEST_TIMEOUT (the
 * event stream is exempt), and bodies are size- and depth-limited on every route that reads one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiApp, type ApiApp } from './helpers/apiApp.js';
import { SseClient } from './helpers/sseClient.js';

let a: ApiApp;

beforeAll(async () => {
  a = await apiApp({
    config: { agents: { good: { adapter: { type: 'simulated', latencyMs: 0 } } } },
    workflows: [{ name: 'easy', agent: 'good' }],
    app: { handlerTimeoutMs: 50, maxBodyBytes: 1024 },
  });
});

afterAll(async () => {
  await a?.close();
});

describe('the handler timeout', () => {
  it('answers 503 REQUEST_TIMEOUT as JSON when a handler hangs', async () => {
    const store = a.engine.store;
    const listTasks = store.listTasks.bind(store);
    store.listTasks = () => new Promise(() => {}); // a store that never answers
    try {
      const res = await a.req('GET', '/api/tasks');
      expect(res.status).toBe(503);
      expect(res.json.error).toEqual({ code: 'REQUEST_TIMEOUT', message: 'the request took longer than 50 ms' });
    } finally {
      store.listTasks = listTasks;
    }
    expect((await a.req('GET', '/api/tasks')).status).toBe(200);
  });

  it('leaves the event stream open past the limit', async () => {
    const stream = await SseClient.open('http://in-process/api/events', { 'last-event-id': '0' }, (url, init) =>
      Promise.resolve(a.app.request(url, init)),
    );
    await new Promise((r) => setTimeout(r, 120)); // longer than the 50 ms limit
    const res = await a.req('POST', '/api/tasks', { workflow: 'easy', input: {} });
    await a.engine.result(res.json.id);
    await stream.until((evs) => evs.some((e) => e.event === 'transition' && JSON.parse(e.data).to === 'completed'));
    await stream.close();
    expect(stream.status).toBe(200);
  });
});

describe('body limits', () => {
  it('refuses a body over the limit with 413 on every route that reads one', async () => {
    const big = JSON.stringify({ by: 'x'.repeat(2048) });
    for (const path of ['/api/tasks', '/api/escalations/e/ack', '/api/escalations/e/resolve']) {
      const res = await a.req('POST', path, big);
      expect(res.status, path).toBe(413);
      expect(res.json.error.code).toBe('PAYLOAD_TOO_LARGE');
    }
  });

  it('refuses JSON nested deeper than the limit with 400 on ack as on submit', async () => {
    const deep = `{"by":${'['.repeat(100)}${']'.repeat(100)}}`;
    for (const path of ['/api/tasks', '/api/escalations/e/ack']) {
      const res = await a.req('POST', path, deep);
      expect(res.status, path).toBe(400);
      expect(res.json.error).toMatchObject({ code: 'INVALID_JSON', message: 'JSON nesting is deeper than 64' });
    }
  });

  it('accepts ack and resolve with no body at all, and refuses unknown fields', async () => {
    expect((await a.req('POST', '/api/escalations/nope/ack')).json.error.code).toBe('ESCALATION_NOT_FOUND');
    expect((await a.req('POST', '/api/escalations/nope/resolve')).json.error.code).toBe('ESCALATION_NOT_FOUND');
    const res = await a.req('POST', '/api/escalations/nope/ack', { who: 'me' });
    expect(res.status).toBe(400);
    expect(res.json.error.issues[0].message).toContain('"who"');
  });
});

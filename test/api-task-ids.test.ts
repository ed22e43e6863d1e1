/**
 * What a new user meets at the task routes (in-process app, memory store): the short task ids
 * that the CLI and dashboard show, cancelling a task that has ended, and a wrong method on a
 * known path.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isoAt, makeTaskRecord, submitted } from '../src/store/storeFixtures.js';
import { type ApiApp, apiApp } from './helpers/apiApp.js';

let api: ApiApp;

beforeAll(async () => {
  api = await apiApp({
    config: {
      agents: {
        quick: { adapter: { type: 'simulated', latencyMs: 0 } },
        sleeper: { adapter: { type: 'simulated', latencyMs: '1h' }, timeoutMs: '2h' },
      },
    },
    workflows: [
      { name: 'echo', agent: 'quick' },
      { name: 'slow', agent: 'sleeper', deadlineMs: '3h' },
    ],
  });
  // Ended tasks with chosen ids, so that prefixes can be shared on purpose.
  const ended = { status: 'completed' as const, state: 'completed', workflow: 'echo' };
  for (const [id, s] of [
    ['abcdef12-0001', 1],
    ['abcdef12-0002', 2],
    ['abcdef99-0003', 3],
  ] as const) {
    await api.engine.store.createTask(makeTaskRecord({ id, ...ended, createdAt: isoAt(s) }), submitted());
  }
  await api.engine.store.createTask(
    makeTaskRecord({ id: 'abcdef99-0003.plan', ...ended, parentId: 'abcdef99-0003', step: 'plan', createdAt: isoAt(4) }),
    submitted(),
  );
});

afterAll(async () => {
  await api?.close();
});

async function settle(id: string): Promise<{ status: string }> {
  return (await api.engine.result(id)) as { status: string };
}

describe('short task ids', () => {
  it('finds a task by a unique prefix of its id, on every task route', async () => {
    const task = await api.req('GET', '/api/tasks/abcdef99');
    expect(task.status, task.text).toBe(200);
    expect(task.json.id).toBe('abcdef99-0003');
    const transitions = await api.req('GET', '/api/tasks/abcdef99-00/transitions');
    expect(transitions.status).toBe(200);
    expect(transitions.json.transitions).toHaveLength(1);
  });

  it("finds a run's step task by the run's short id followed by .step", async () => {
    const res = await api.req('GET', '/api/tasks/abcdef99.plan');
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({ id: 'abcdef99-0003.plan', step: 'plan' });
    expect((await api.req('GET', '/api/tasks/abcdef99.deploy')).status).toBe(404);
  });

  it('answers an ambiguous prefix with 400 AMBIGUOUS_TASK_ID listing the matches', async () => {
    const res = await api.req('GET', '/api/tasks/abcdef12');
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('AMBIGUOUS_TASK_ID');
    expect(res.json.error.message).toBe('task id abcdef12 is ambiguous: 2 task ids start with abcdef12; give more of it');
    expect(res.json.error.issues.map((i: { path: string }) => i.path)).toEqual(['abcdef12-0002', 'abcdef12-0001']);
    expect(res.json.error.issues[0].message).toBe(`echo, completed, created ${isoAt(2)}`);
  });

  it('looks up no prefix shorter than 8 characters, and no prefix that matches nothing', async () => {
    expect((await api.req('GET', '/api/tasks/abcdef9')).json.error.code).toBe('TASK_NOT_FOUND');
    expect((await api.req('GET', '/api/tasks/abcdef77')).status).toBe(404);
  });

  it('cancels a running task by its short id', async () => {
    const { json } = await api.req('POST', '/api/tasks', { workflow: 'slow', input: {} });
    const res = await api.req('POST', `/api/tasks/${json.id.slice(0, 13)}/cancel`);
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({ id: json.id, status: 'cancelled' });
  });
});

describe('cancelling a task that has ended', () => {
  it("answers 409 TASK_ENDED with the task's status and changes nothing", async () => {
    const { json } = await api.req('POST', '/api/tasks', { workflow: 'echo', input: {} });
    expect((await settle(json.id)).status).toBe('completed');
    const before = (await api.req('GET', `/api/tasks/${json.id}`)).json;
    const res = await api.req('POST', `/api/tasks/${json.id}/cancel`);
    expect(res.status).toBe(409);
    expect(res.json.error).toEqual({ code: 'TASK_ENDED', message: `task ${json.id} has already ended: completed`, status: 'completed' });
    expect((await api.req('GET', `/api/tasks/${json.id}`)).json).toEqual(before);
  });

  it('answers 409 for a task cancelled before, naming its status', async () => {
    const { json } = await api.req('POST', '/api/tasks', { workflow: 'slow', input: {} });
    expect((await api.req('POST', `/api/tasks/${json.id}/cancel`)).status).toBe(200);
    const again = await api.req('POST', `/api/tasks/${json.id}/cancel`);
    expect(again.status).toBe(409);
    expect(again.json.error.status).toBe('cancelled');
  });
});

describe('a wrong method on a known path', () => {
  it.each([
    ['DELETE', '/api/tasks', 'GET, HEAD, POST'],
    ['PUT', '/api/tasks/abcdef99-0003', 'GET, HEAD'],
    ['GET', '/api/tasks/abcdef99-0003/cancel', 'POST'],
    ['POST', '/api/agents', 'GET, HEAD'],
    ['POST', '/metrics', 'GET, HEAD'],
  ])('answers %s %s with 405 and allow: %s', async (method, path, allow) => {
    const res = await api.req(method, path);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe(allow);
    expect(res.json.error).toEqual({ code: 'METHOD_NOT_ALLOWED', message: `${method} is not allowed on ${path}; allowed: ${allow}` });
  });

  it('still answers 404 for a path no route serves', async () => {
    for (const [method, path] of [
      ['GET', '/api/nope'],
      ['POST', '/api/tasks/x/explode'],
      ['GET', '/api/tasks/'],
    ] as const) {
      const res = await api.req(method, path);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.headers.get('allow')).toBeNull();
    }
  });
});

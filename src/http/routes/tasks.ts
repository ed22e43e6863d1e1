import type { Hono } from 'hono';
import { problem, problemFrom } from '../problem.js';
import { readJson } from '../readJson.js';
import { issuesOf, submitBodySchema, taskQuerySchema } from '../schemas.js';
import type { RouteContext } from './RouteContext.js';

/** Tasks and workflows: submit, list, read, transitions, cancel (admin). */
export function registerTaskRoutes(app: Hono, { engine, admin, maxJsonDepth }: RouteContext): void {
  app.post('/api/tasks', async (c) => {
    const parsed = await readJson(c.req.raw, maxJsonDepth);
    if (!parsed.ok) return problem(c, 'INVALID_JSON', parsed.message);
    const body = submitBodySchema.safeParse(parsed.value);
    if (!body.success) return problem(c, 'INPUT_INVALID', 'request body is invalid', issuesOf(body.error));
    const { workflow, input, idempotencyKey, deadlineMs } = body.data;
    try {
      const res = await engine.submit(workflow, input ?? null, {
        ...(idempotencyKey !== undefined ? { idempotencyKey } : {}),
        ...(deadlineMs !== undefined ? { deadlineMs } : {}),
      });
      return c.json({ id: res.id, status: res.status }, res.created ? 202 : 200);
    } catch (err) {
      return problemFrom(c, err);
    }
  });

  app.get('/api/tasks', async (c) => {
    const q = taskQuerySchema.safeParse(c.req.query());
    if (!q.success) return problem(c, 'BAD_REQUEST', 'invalid query', issuesOf(q.error));
    const tasks = await engine.list({
      ...(q.data.status ? { status: q.data.status } : {}),
      ...(q.data.workflow ? { workflow: q.data.workflow } : {}),
      ...(q.data.parent ? { parent: q.data.parent } : {}),
      ...(q.data.topLevel ? { topLevel: true } : {}),
      limit: q.data.limit,
    });
    return c.json({ tasks });
  });

  app.get('/api/tasks/:id', async (c) => {
    const task = await engine.get(c.req.param('id'));
    return task ? c.json(task) : problem(c, 'TASK_NOT_FOUND', `no task ${c.req.param('id')}`);
  });

  app.get('/api/tasks/:id/transitions', async (c) => {
    const id = c.req.param('id');
    if (!(await engine.get(id))) return problem(c, 'TASK_NOT_FOUND', `no task ${id}`);
    return c.json({ transitions: await engine.transitions(id) });
  });

  app.post('/api/tasks/:id/cancel', admin, async (c) => {
    const task = await engine.cancel(c.req.param('id'));
    return task ? c.json(task) : problem(c, 'TASK_NOT_FOUND', `no task ${c.req.param('id')}`);
  });

  app.get('/api/workflows', (c) =>
    c.json({
      workflows: [...engine.workflows.values()].map((w) => ({
        name: w.name,
        agent: w.agent,
        capability: w.capability,
        severity: w.severity,
        deadlineMs: w.deadlineMs,
        inputSchema: w.inputSchema,
        hasDegraded: w.degraded !== undefined,
      })),
    }),
  );
}

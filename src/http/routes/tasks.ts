import type { Context, Hono } from 'hono';
import { type Task, TERMINAL_STATUSES } from '../../lifecycle/types.js';
import { problem, problemFrom } from '../problem.js';
import { readJson } from '../readJson.js';
import { withTaskId } from '../resolveTaskId.js';
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

  app.get('/api/tasks/:id', (c) =>
    withTaskId(c, engine, async (id) => {
      const task = await engine.get(id);
      return task ? c.json(task) : problem(c, 'TASK_NOT_FOUND', `no task ${id}`);
    }),
  );

  app.get('/api/tasks/:id/transitions', (c) => withTaskId(c, engine, async (id) => c.json({ transitions: await engine.transitions(id) })));

  app.post('/api/tasks/:id/cancel', admin, (c) =>
    withTaskId(c, engine, async (id) => {
      const before = await engine.get(id);
      if (before && TERMINAL_STATUSES.has(before.status)) return ended(c, before);
      const task = await engine.cancel(id);
      if (!task) return problem(c, 'TASK_NOT_FOUND', `no task ${id}`);
      // It ended by itself while the cancel waited for its step.
      if (task.status !== 'cancelled' && TERMINAL_STATUSES.has(task.status)) return ended(c, task);
      return c.json(task);
    }),
  );

  app.get('/api/workflows', (c) =>
    c.json({
      workflows: [...engine.workflows.values()].map((w) => ({
        name: w.name,
        kind: w.steps ? 'run' : 'task',
        ...(w.steps ? { steps: Object.keys(w.steps) } : {}),
        description: w.description,
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

/** 409 TASK_ENDED: an action on a task that has ended, with its status, so the caller sees how it ended. */
function ended(c: Context, task: Task) {
  return c.json({ error: { code: 'TASK_ENDED', message: `task ${task.id} has already ended: ${task.status}`, status: task.status } }, 409);
}

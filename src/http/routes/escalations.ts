import type { Context, Hono } from 'hono';
import { problem, problemFrom } from '../problem.js';
import { readJson } from '../readJson.js';
import { ackBodySchema, escalationQuerySchema, issuesOf } from '../schemas.js';
import type { RouteContext } from './RouteContext.js';

/** Escalations: list, read with the outbox, acknowledge and resolve (admin). */
export function registerEscalationRoutes(app: Hono, { engine, admin, maxJsonDepth }: RouteContext): void {
  app.get('/api/escalations', async (c) => {
    const q = escalationQuerySchema.safeParse(c.req.query());
    if (!q.success) return problem(c, 'BAD_REQUEST', 'invalid query', issuesOf(q.error));
    const escalations = await engine.store.listEscalations({ ...(q.data.status ? { status: q.data.status } : {}), limit: q.data.limit });
    return c.json({ escalations });
  });

  app.get('/api/escalations/:id', async (c) => {
    const e = await engine.store.getEscalation(c.req.param('id'));
    if (!e) return problem(c, 'ESCALATION_NOT_FOUND', `no escalation ${c.req.param('id')}`);
    return c.json({ ...e, outbox: await engine.store.outboxOf(e.id) });
  });

  /** Runs `action` with the `by` of an optional `{ by }` body. */
  const withBy = async (c: Context, action: (by: string) => Promise<unknown>) => {
    const parsed = await readJson(c.req.raw, maxJsonDepth, { optional: true });
    if (!parsed.ok) return problem(c, 'INVALID_JSON', parsed.message);
    const body = ackBodySchema.optional().safeParse(parsed.value);
    if (!body.success) return problem(c, 'INPUT_INVALID', 'request body is invalid', issuesOf(body.error));
    try {
      return c.json(await action(body.data?.by ?? 'api'));
    } catch (err) {
      return problemFrom(c, err);
    }
  };
  app.post('/api/escalations/:id/ack', admin, (c) => withBy(c, (by) => engine.escalations.ack(c.req.param('id'), by)));
  app.post('/api/escalations/:id/resolve', admin, (c) => withBy(c, (by) => engine.escalations.resolve(c.req.param('id'), by)));
}

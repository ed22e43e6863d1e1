import type { Hono } from 'hono';
import type { Engine } from '../../lifecycle/Engine.js';
import { problem } from '../problem.js';

/** Transitions shown per component when `?limit=` is not given. */
const DEFAULT_LIMIT = 50;

function limitOf(raw: string | undefined): number | undefined {
  if (raw === undefined) return DEFAULT_LIMIT;
  const n = Number(raw);
  return Number.isInteger(n) && n >= 0 && n <= 10_000 ? n : undefined;
}

/**
 * The supervisor's view of every component it watches:
 *
 * - `GET /api/supervisor` → `{ components: [{ name, kind, check, state, health, lastCheck, strategyIndex?, strategy?, process?, transitions }] }`
 * - `GET /api/supervisor/:name` → one component (`agent:x`, `system:heap`, or a bare agent id or check name), or 404.
 *
 * `?limit=N` (0–10000, defaults to 50) caps the recent transitions shown per component. Without a
 * supervisor (`createEngine({ supervisor: false })`) the list is empty and every name is a 404.
 */
export function registerSupervisorRoutes(app: Hono, engine: Engine): void {
  app.get('/api/supervisor', (c) => {
    const limit = limitOf(c.req.query('limit'));
    if (limit === undefined)
      return problem(c, 'BAD_REQUEST', 'limit must be an integer from 0 to 10000', [
        { path: 'limit', message: 'must be an integer from 0 to 10000' },
      ]);
    return c.json({ components: engine.supervisor?.components(limit) ?? [] });
  });

  app.get('/api/supervisor/:name', (c) => {
    const name = c.req.param('name');
    const limit = limitOf(c.req.query('limit'));
    if (limit === undefined)
      return problem(c, 'BAD_REQUEST', 'limit must be an integer from 0 to 10000', [
        { path: 'limit', message: 'must be an integer from 0 to 10000' },
      ]);
    const view = engine.supervisor?.component(name, limit);
    if (!view) return problem(c, 'NOT_FOUND', `no supervised component "${name}"`);
    return c.json(view);
  });
}

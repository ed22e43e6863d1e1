import type { Hono } from 'hono';
import { healthReport } from '../../health/healthReport.js';
import { readiness } from '../../health/probes.js';
import { StoreProbe } from '../../health/StoreProbe.js';
import type { RouteContext } from './RouteContext.js';

/**
 * The probes and the health report.
 *
 * - `GET /livez`: 200 while the process serves HTTP. For a liveness probe: nothing an agent or a
 *   channel does can fail it, so an orchestrator never restarts Warden for their outage.
 * - `GET /readyz`: 200 when the engine accepts tasks and the store answers; 503 while starting,
 *   draining or with the store unreachable. For a readiness probe.
 * - `GET /api/health`: the report of every component; 503 only when `unhealthy` (Warden itself
 *   cannot take work), 200 when `healthy` or `degraded`.
 *
 * The probes sit outside `/api/`, so they need no token: a kubelet has none.
 */
export function registerHealthRoutes(app: Hono, { engine }: RouteContext): void {
  const probe = new StoreProbe(engine.store, engine.clock);
  app.get('/livez', (c) => {
    c.header('cache-control', 'no-store');
    return c.json({ status: 'alive' as const });
  });
  app.get('/readyz', async (c) => {
    c.header('cache-control', 'no-store');
    const ready = await readiness(engine, probe);
    return c.json(ready, ready.status === 'ready' ? 200 : 503);
  });
  app.get('/api/health', async (c) => {
    c.header('cache-control', 'no-store');
    const report = healthReport(engine, await probe.check());
    return c.json(report, report.status === 'unhealthy' ? 503 : 200);
  });
}

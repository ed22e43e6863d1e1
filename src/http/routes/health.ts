import type { Hono } from 'hono';
import type { Engine } from '../../lifecycle/Engine.js';
import type { HealthSummary } from '../../supervisor/index.js';
import type { RouteContext } from './RouteContext.js';

/** One line of `GET /api/health`: a name and a status, with whatever detail the component has. */
interface HealthComponent {
  name: string;
  status: string;
  [detail: string]: unknown;
}

/**
 * The health of the engine and of each component. With a supervisor, its summary is the source for
 * every component it watches; without one, each agent is judged by its circuit and last health
 * check. The engine itself is unhealthy while it does not accept tasks (starting or draining).
 */
export function healthOf(engine: Engine): { status: HealthSummary['status']; components: HealthComponent[] } {
  const own: HealthComponent = { name: 'engine', status: engine.accepting ? 'healthy' : 'unhealthy' };
  const circuits = new Map(engine.agentViews().map((a) => [`agent:${a.id}`, a.circuit.state]));
  let components: HealthComponent[];
  let status: HealthSummary['status'];
  if (engine.supervisor) {
    const summary = engine.supervisor.healthSummary();
    // Agents carry their circuit too, so one answer says whether routing will use them.
    components = [own, ...summary.components.map((c) => (circuits.has(c.name) ? { ...c, circuit: circuits.get(c.name) } : { ...c }))];
    status = summary.status;
  } else {
    components = [
      own,
      ...engine.agentViews().map((a) => ({
        name: `agent:${a.id}`,
        status: a.health.status === 'unhealthy' || a.circuit.state === 'open' ? 'unhealthy' : 'healthy',
        circuit: a.circuit.state,
        health: a.health.status,
      })),
    ];
    // One agent down is a degraded Warden: fallback chains and degraded responses still answer.
    status = components.some((c) => c.status !== 'healthy') ? 'degraded' : 'healthy';
  }
  if (!engine.accepting) status = 'unhealthy';
  return { status, components };
}

/** `GET /api/health`: 200 while healthy or degraded, 503 when unhealthy (for load balancers). */
export function registerHealthRoutes(app: Hono, { engine }: RouteContext): void {
  app.get('/api/health', (c) => {
    const health = healthOf(engine);
    return c.json(health, health.status === 'unhealthy' ? 503 : 200);
  });
}

import type { Hono } from 'hono';
import { problem } from '../problem.js';
import type { RouteContext } from './RouteContext.js';

/** Agents: list, read, and closing a circuit by hand (admin). */
export function registerAgentRoutes(app: Hono, { engine, admin }: RouteContext): void {
  app.get('/api/agents', (c) => c.json({ agents: engine.agentViews() }));
  app.get('/api/agents/:id', (c) => {
    const view = engine.agentViews().find((a) => a.id === c.req.param('id'));
    return view ? c.json(view) : problem(c, 'AGENT_NOT_FOUND', `no agent ${c.req.param('id')}`);
  });
  app.post('/api/agents/:id/circuit/reset', admin, (c) => {
    const view = engine.resetCircuit(c.req.param('id'));
    return view ? c.json(view) : problem(c, 'AGENT_NOT_FOUND', `no agent ${c.req.param('id')}`);
  });
}

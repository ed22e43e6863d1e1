import type { Hono } from 'hono';
import { runGraph } from '../../dashboard/runGraph.js';
import { problem } from '../problem.js';
import type { RouteContext } from './RouteContext.js';

/**
 * `GET /api/workflows/:name/graph`: the steps of a multi-step workflow, laid out for drawing.
 * A single-step workflow has no steps to draw (its picture is the task lifecycle, at
 * `/dashboard/lifecycle.json`), so it answers 404 `NOT_A_RUN`, told apart from an unknown
 * workflow's `WORKFLOW_NOT_FOUND`.
 */
export function registerWorkflowGraphRoute(app: Hono, { engine }: RouteContext): void {
  app.get('/api/workflows/:name/graph', (c) => {
    const name = c.req.param('name');
    const workflow = engine.config.workflows.get(name);
    if (!workflow) return problem(c, 'WORKFLOW_NOT_FOUND', `no workflow ${name}`);
    if (!workflow.run) return problem(c, 'NOT_A_RUN', `workflow ${name} is single-step: it has no steps to draw`);
    return c.json(runGraph(workflow.run));
  });
}

/**
 * The HTTP API of CONTRACT.md section 4 as a Hono app: tasks, agents, escalations, health, the
 * event stream, `/metrics` and the generated OpenAPI document.
 * @module
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { registerDashboard } from '../dashboard/serve.js';
import { combineRedactors, createRedactor } from '../escalation/redact.js';
import type { Engine } from '../lifecycle/Engine.js';
import { metricsFor, type Metrics } from '../metrics/Metrics.js';
import { allowedMethods } from './allowedMethods.js';
import { requireAdmin, requireToken, type AuthOptions } from './auth.js';
import { problem, problemFrom } from './problem.js';
import { redactResponses } from './redactJson.js';
import { registerAgentRoutes } from './routes/agents.js';
import { registerChannelRoutes } from './routes/channels.js';
import { registerEscalationRoutes } from './routes/escalations.js';
import { registerEventRoutes } from './routes/events.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerMetaRoutes } from './routes/meta.js';
import { registerSupervisorRoutes } from './routes/supervisor.js';
import type { RouteContext } from './routes/RouteContext.js';
import { registerTaskRoutes } from './routes/tasks.js';
import { registerWorkflowGraphRoute } from './routes/workflowGraph.js';
import { corsFor, handlerTimeout, HandlerTimeout, securityHeaders } from './security.js';

/** Options for {@link createApp}. */
export interface AppOptions extends AuthOptions {
  /** The largest request body accepted. Defaults to 1 MiB. */
  maxBodyBytes?: number;
  /** The deepest JSON nesting accepted in a request body. Defaults to 64. */
  maxJsonDepth?: number;
  /** How long a non-streaming request may take before it is answered 503 REQUEST_TIMEOUT. Defaults to 30 s. */
  handlerTimeoutMs?: number;
  /** Origins allowed by CORS (`*` for any). Defaults to none: CORS off, as `WARDEN_CORS_ORIGIN` unset. */
  corsOrigins?: readonly string[];
  /** The metrics `/metrics` serves. Defaults to the engine's own (one per engine). */
  metrics?: Metrics;
}

/** Routes that stream, exempt from the handler timeout. */
const STREAMING = ['/api/events'];

/**
 * The HTTP API of CONTRACT.md section 4, as a Hono app.
 * @example
 * const app = createApp(engine, { apiToken: process.env.WARDEN_API_TOKEN });
 * serve({ fetch: app.fetch, port: 8080, hostname: '127.0.0.1' });
 */
export function createApp(engine: Engine, opts: AppOptions = {}): Hono {
  const app = new Hono();
  const maxBody = opts.maxBodyBytes ?? 1024 * 1024;
  const tokens = [opts.apiToken, opts.adminToken].filter((t): t is string => !!t);
  const ctx: RouteContext = {
    engine,
    admin: requireAdmin(opts),
    maxJsonDepth: opts.maxJsonDepth ?? 64,
    // The engine's secrets (every `…Env` value and the tokens in its env), plus tokens given here.
    redact: combineRedactors(engine.redact, createRedactor(tokens)),
  };

  app.onError((err, c) => {
    if (err instanceof HandlerTimeout) return problem(c, 'REQUEST_TIMEOUT', err.message);
    if (err instanceof HTTPException && err.status < 500) return problem(c, 'BAD_REQUEST', err.message || 'bad request');
    engine.logger.error({ err: ctx.redact(err instanceof Error ? err.message : String(err)), path: c.req.path }, 'request failed');
    return problemFrom(c, err);
  });
  const allowed = allowedMethods(() => app.routes);
  app.notFound((c) => {
    const allow = allowed(c.req.path);
    if (allow.length && !allow.includes(c.req.method)) {
      c.header('allow', allow.join(', '));
      return problem(c, 'METHOD_NOT_ALLOWED', `${c.req.method} is not allowed on ${c.req.path}; allowed: ${allow.join(', ')}`);
    }
    return problem(c, 'NOT_FOUND', `no route for ${c.req.method} ${c.req.path}`);
  });

  app.use('*', securityHeaders());
  app.use('*', redactResponses(ctx.redact));
  const cors = corsFor(opts.corsOrigins);
  if (cors) app.use('/api/*', cors);
  app.use('/api/*', requireToken(opts));
  app.use('/metrics', requireToken(opts));
  app.use(
    '/api/*',
    bodyLimit({
      maxSize: maxBody,
      onError: (c) => {
        // The unread rest of the body makes the connection unusable: close it, or the client's next request on it fails.
        c.header('connection', 'close');
        return problem(c, 'PAYLOAD_TOO_LARGE', `request body is over ${maxBody} bytes`);
      },
    }),
  );
  const limit = handlerTimeout(opts.handlerTimeoutMs ?? 30_000, STREAMING);
  app.use('/api/*', limit);
  app.use('/metrics', limit);

  registerTaskRoutes(app, ctx);
  registerWorkflowGraphRoute(app, ctx);
  registerAgentRoutes(app, ctx);
  registerEscalationRoutes(app, ctx);
  registerChannelRoutes(app, ctx);
  registerHealthRoutes(app, ctx);
  registerEventRoutes(app, ctx);
  registerSupervisorRoutes(app, engine);
  registerMetaRoutes(app, opts.metrics ?? metricsFor(engine));
  registerDashboard(app);

  return app;
}

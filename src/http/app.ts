import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import type { Engine } from '../lifecycle/Engine.js';
import type { TaskStatus, TransitionEvent } from '../lifecycle/types.js';
import { requireAdmin, requireToken, type AuthOptions } from './auth.js';
import { problem, problemFrom } from './problem.js';

/** Options for {@link createApp}. */
export interface AppOptions extends AuthOptions {
  /** The largest request body accepted. Defaults to 1 MiB. */
  maxBodyBytes?: number;
  /** The deepest JSON nesting accepted in a request body. Defaults to 64. */
  maxJsonDepth?: number;
}

const STATUSES = ['queued', 'running', 'waiting', 'completed', 'degraded', 'failed', 'cancelled'] as const;

/** `POST /api/tasks` body. */
export const submitBodySchema = z.strictObject({
  workflow: z.string().min(1).max(200),
  input: z.unknown().optional(),
  idempotencyKey: z.string().min(1).max(256).optional(),
  deadlineMs: z.number().int().positive().max(365 * 24 * 3600 * 1000).optional(),
});

const listQuerySchema = z.object({
  status: z
    .string()
    .optional()
    .transform((s) => (s ? s.split(',') : undefined))
    .pipe(z.array(z.enum(STATUSES)).optional()),
  workflow: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

const issuesOf = (e: z.ZodError) => e.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message }));

/**
 * The HTTP API of CONTRACT.md section 4, as a Hono app.
 * @example
 * const app = createApp(engine);
 * serve({ fetch: app.fetch, port: 8080, hostname: '127.0.0.1' });
 */
export function createApp(engine: Engine, opts: AppOptions = {}): Hono {
  const app = new Hono();
  const maxBody = opts.maxBodyBytes ?? 1024 * 1024;
  const maxDepth = opts.maxJsonDepth ?? 64;
  const admin = requireAdmin(opts);

  app.onError((err, c) => {
    engine.logger.error({ err: err instanceof Error ? err.message : String(err), path: c.req.path }, 'request failed');
    return problemFrom(c, err);
  });
  app.notFound((c) => problem(c, 'NOT_FOUND', `no route for ${c.req.method} ${c.req.path}`));

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

  app.post('/api/tasks', async (c) => {
    const parsed = await readJson(c.req.raw, maxDepth);
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
    const q = listQuerySchema.safeParse(c.req.query());
    if (!q.success) return problem(c, 'BAD_REQUEST', 'invalid query', issuesOf(q.error));
    const tasks = await engine.list({
      ...(q.data.status ? { status: q.data.status as TaskStatus[] } : {}),
      ...(q.data.workflow ? { workflow: q.data.workflow } : {}),
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

  app.get('/api/agents', (c) => c.json({ agents: engine.agentViews() }));
  app.get('/api/agents/:id', (c) => {
    const view = engine.agentViews().find((a) => a.id === c.req.param('id'));
    return view ? c.json(view) : problem(c, 'AGENT_NOT_FOUND', `no agent ${c.req.param('id')}`);
  });
  app.post('/api/agents/:id/circuit/reset', admin, (c) => {
    const view = engine.resetCircuit(c.req.param('id'));
    return view ? c.json(view) : problem(c, 'AGENT_NOT_FOUND', `no agent ${c.req.param('id')}`);
  });

  const escalationQuery = z.object({
    status: z
      .string()
      .optional()
      .transform((x) => (x ? x.split(',') : undefined))
      .pipe(z.array(z.enum(['open', 'acknowledged', 'resolved'])).optional()),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  });
  app.get('/api/escalations', async (c) => {
    const q = escalationQuery.safeParse(c.req.query());
    if (!q.success) return problem(c, 'BAD_REQUEST', 'invalid query', issuesOf(q.error));
    const escalations = await engine.store.listEscalations({ ...(q.data.status ? { status: q.data.status } : {}), limit: q.data.limit });
    return c.json({ escalations });
  });
  app.get('/api/escalations/:id', async (c) => {
    const e = await engine.store.getEscalation(c.req.param('id'));
    if (!e) return problem(c, 'ESCALATION_NOT_FOUND', `no escalation ${c.req.param('id')}`);
    return c.json({ ...e, outbox: await engine.store.outboxOf(e.id) });
  });
  const ackBody = z.strictObject({ by: z.string().min(1).max(200).optional() });
  app.post('/api/escalations/:id/ack', admin, async (c) => {
    const text = await c.req.text();
    let by = 'api';
    if (text.trim()) {
      const parsed = (() => {
        try {
          return { ok: true as const, value: JSON.parse(text) as unknown };
        } catch {
          return { ok: false as const };
        }
      })();
      if (!parsed.ok) return problem(c, 'INVALID_JSON', 'request body is not valid JSON');
      const body = ackBody.safeParse(parsed.value);
      if (!body.success) return problem(c, 'INPUT_INVALID', 'request body is invalid', issuesOf(body.error));
      by = body.data.by ?? by;
    }
    try {
      return c.json(await engine.escalations.ack(c.req.param('id'), by));
    } catch (err) {
      return problemFrom(c, err);
    }
  });
  app.post('/api/escalations/:id/resolve', admin, async (c) => {
    try {
      return c.json(await engine.escalations.resolve(c.req.param('id'), 'api'));
    } catch (err) {
      return problemFrom(c, err);
    }
  });

  app.get('/api/health', (c) => {
    const agents = engine.agentViews();
    const components = [
      { name: 'engine', status: engine.accepting ? 'healthy' : 'unhealthy' },
      ...agents.map((a) => ({
        name: `agent:${a.id}`,
        status: a.health.status === 'unhealthy' || a.circuit.state === 'open' ? 'unhealthy' : 'healthy',
        circuit: a.circuit.state,
      })),
    ];
    const down = components.filter((x) => x.status === 'unhealthy');
    const status = !engine.accepting ? 'unhealthy' : down.length ? 'degraded' : 'healthy';
    return c.json({ status, components }, status === 'unhealthy' ? 503 : 200);
  });

  app.get('/api/events', (c) => {
    const header = c.req.header('last-event-id') ?? c.req.query('lastEventId');
    const resumeFrom = header !== undefined && /^\d+$/.test(header) ? Number(header) : undefined;
    return streamSSE(c, async (stream) => {
      const buffered: TransitionEvent[] = [];
      let wake: (() => void) | undefined;
      const onTransition = (e: TransitionEvent) => {
        buffered.push(e);
        wake?.();
      };
      engine.on('transition', onTransition);
      stream.onAbort(() => {
        engine.off('transition', onTransition);
        wake?.();
      });
      let last = resumeFrom ?? Number.POSITIVE_INFINITY;
      if (resumeFrom !== undefined) {
        // Replay what the client missed from the store, then hand over to the live feed.
        for (;;) {
          const missed = await engine.store.transitionsSince(last, 1000);
          for (const e of missed) {
            await stream.writeSSE({ event: 'transition', id: String(e.eventId), data: JSON.stringify(e) });
            last = e.eventId ?? last;
          }
          if (missed.length < 1000) break;
        }
      }
      while (!stream.aborted) {
        if (!buffered.length) {
          await Promise.race([new Promise<void>((r) => (wake = r)), stream.sleep(15_000)]);
          wake = undefined;
          if (!buffered.length && !stream.aborted) await stream.write(': keep-alive\n\n');
          continue;
        }
        for (const e of buffered.splice(0)) {
          if (e.eventId !== undefined && Number.isFinite(last) && e.eventId <= last) continue;
          await stream.writeSSE({ event: 'transition', ...(e.eventId !== undefined ? { id: String(e.eventId) } : {}), data: JSON.stringify(e) });
        }
      }
    });
  });

  return app;
}

/** Reads a JSON body, refusing bad JSON and nesting deeper than `maxDepth` with a message. */
async function readJson(req: Request, maxDepth: number): Promise<{ ok: true; value: unknown } | { ok: false; message: string }> {
  const text = await req.text();
  if (!text.trim()) return { ok: false, message: 'request body is empty; expected JSON' };
  if (depthOf(text) > maxDepth) return { ok: false, message: `JSON nesting is deeper than ${maxDepth}` };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, message: `request body is not valid JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** The deepest bracket nesting of a JSON text, ignoring brackets inside strings. */
function depthOf(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 92 /* \ */) i++;
      else if (ch === 34 /* " */) inString = false;
    } else if (ch === 34) inString = true;
    else if (ch === 123 || ch === 91) max = Math.max(max, ++depth);
    else if (ch === 125 || ch === 93) depth--;
  }
  return max;
}

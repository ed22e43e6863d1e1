import type { Hono } from 'hono';
import { isChannelError } from '../../escalation/channels/Channel.js';
import { problem, problemFrom } from '../problem.js';
import { readJson } from '../readJson.js';
import { ackBodySchema, issuesOf } from '../schemas.js';
import type { RouteContext } from './RouteContext.js';

/**
 * `POST /api/channels/:name/test` (admin): sends a test notification through an escalation
 * channel. 200 with where it went; 404 CHANNEL_NOT_FOUND for a name the config does not have;
 * 502 with the channel's own code (CHANNEL_UNREACHABLE, CHANNEL_AUTH, …) and message when the
 * service behind the channel refused it or did not answer. The body `{ by }` is optional.
 */
export function registerChannelRoutes(app: Hono, { engine, admin, maxJsonDepth }: RouteContext): void {
  app.post('/api/channels/:name/test', admin, async (c) => {
    const parsed = await readJson(c.req.raw, maxJsonDepth, { optional: true });
    if (!parsed.ok) return problem(c, 'INVALID_JSON', parsed.message);
    const body = ackBodySchema.optional().safeParse(parsed.value);
    if (!body.success) return problem(c, 'INPUT_INVALID', 'request body is invalid', issuesOf(body.error));
    try {
      return c.json(await engine.escalations.testChannel(c.req.param('name'), body.data?.by ?? 'api'));
    } catch (err) {
      // the channel's message names the channel, the call and the service's answer, never a secret
      if (isChannelError(err)) return problem(c, err.code, err.message);
      return problemFrom(c, err);
    }
  });
}

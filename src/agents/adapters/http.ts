import type { AdapterContext, AgentAdapter, AgentRequest } from '../AgentAdapter.js';
import type { HttpAdapterConfig } from '../../config/adapterSchema.js';
import { buildHeaders, postJson, secretHeaders } from './postJson.js';
import { outputOf, protocolBody, protocolHeaders } from './protocol.js';

/**
 * The Warden agent protocol over HTTP: `POST <url>` with the task as JSON; a 2xx JSON answer's
 * `output` field (or the whole body when it has none) is the task's output.
 *
 * Secret headers (`headersEnv`) are read from `ctx.env` on every call, so a rotated secret is
 * picked up without a restart; an unset one fails the call with `CONFIG_INVALID`.
 *
 * @example
 * const adapter = httpAdapter('reviewer', { type: 'http', url: 'http://127.0.0.1:9001/run' }, ctx);
 * const output = await adapter.call(req, AbortSignal.timeout(30_000));
 */
export function httpAdapter(agentId: string, config: HttpAdapterConfig, ctx: AdapterContext): AgentAdapter {
  return {
    async call(req: AgentRequest, signal: AbortSignal): Promise<unknown> {
      const secrets = secretHeaders(agentId, config.headersEnv, ctx.env);
      const headers = buildHeaders(agentId, config.headers, secrets, protocolHeaders(req));
      const body = await postJson(
        {
          agent: agentId,
          url: config.url,
          headers,
          body: protocolBody(req),
          secrets: Object.values(secrets),
          classifier: ctx.classifier,
        },
        signal,
      );
      return outputOf(body);
    },
  };
}

import { wardenError } from '../errors/index.js';
import type { AdapterContext, AgentAdapter } from './AgentAdapter.js';
import type { AdapterConfig } from '../config/adapterSchema.js';
import { commandAdapter } from './adapters/command.js';
import { httpAdapter } from './adapters/http.js';
import { moduleAdapter } from './adapters/module.js';
import { openaiAdapter } from './adapters/openai.js';
import { simulatedAdapter } from './adapters/simulated.js';

/**
 * The adapter for one agent's `adapter` config. Nothing is contacted, started or imported here;
 * that happens on the first call.
 *
 * @example
 * const adapter = createAdapter('reviewer', { type: 'http', url: 'http://127.0.0.1:9001/run' }, {
 *   configDir, env: process.env, classifier: new ErrorClassifier(), clock: systemClock, random: Math.random,
 * });
 */
export function createAdapter(agentId: string, cfg: AdapterConfig, ctx: AdapterContext): AgentAdapter {
  switch (cfg.type) {
    case 'http':
      return httpAdapter(agentId, cfg, ctx);
    case 'openai':
      return openaiAdapter(agentId, cfg, ctx);
    case 'command':
      return commandAdapter(agentId, cfg, ctx);
    case 'module':
      return moduleAdapter(agentId, cfg, ctx);
    case 'simulated':
      return simulatedAdapter(agentId, cfg, ctx);
    default: {
      // unreachable for a parsed config; kept for callers that skip validation
      const unknownType: unknown = (cfg as { type?: unknown }).type;
      throw wardenError('CONFIG_INVALID', `agent ${agentId}: unknown adapter type ${JSON.stringify(unknownType)}`, {
        agent: agentId,
        issues: [{ path: `agents.${agentId}.adapter.type`, message: 'unknown adapter type' }],
      });
    }
  }
}

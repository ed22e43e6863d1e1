/**
 * The one place the supervisor's port is wired to an engine.
 * @module
 */
import type { Engine } from '../lifecycle/Engine.js';
import type { SupervisorHost } from '../supervisor/SupervisorHost.js';

/**
 * The {@link SupervisorHost} of an engine: its clock, logger, config, agent pool, store and
 * escalation service, and nothing else of it.
 * @internal
 */
export function engineHost(engine: Engine): SupervisorHost {
  const { config, configDir } = engine.config;
  return {
    clock: engine.clock,
    logger: engine.logger,
    config: config.supervisor,
    agentConfigs: config.agents,
    configDir,
    agents: engine.agents,
    store: engine.store,
    escalations: engine.escalations,
  };
}

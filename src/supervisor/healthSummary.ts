import type { SupervisorState } from './SupervisorMachine.js';
import type { ComponentHealth, HealthSummary } from './types.js';

/** A component's status from its machine state: in trouble but being handled is `degraded`. */
export function statusOf(state: SupervisorState): ComponentHealth['status'] {
  switch (state) {
    case 'starting':
      return 'unknown';
    case 'healthy':
      return 'healthy';
    case 'suspect':
    case 'recovering':
    case 'verifying':
      return 'degraded';
    default:
      return 'unhealthy';
  }
}

/**
 * The engine's health from its components': `unhealthy` when a system component (the store, the
 * event loop, …) is unhealthy or no supervised agent is fit to serve; `degraded` when any
 * component is less than healthy; `healthy` otherwise. Components without a verdict yet count
 * for nothing either way.
 *
 * @example
 * summarize([{ name: 'system:store', kind: 'system', state: 'healthy', status: 'healthy', lastCheck: null }]);
 * // { status: 'healthy', components: [...] }
 */
export function summarize(components: ComponentHealth[]): HealthSummary {
  const agents = components.filter((c) => c.kind === 'agent' && c.status !== 'unknown');
  const systemDown = components.some((c) => c.kind === 'system' && c.status === 'unhealthy');
  const noAgent = agents.length > 0 && agents.every((c) => c.status === 'unhealthy');
  const status =
    systemDown || noAgent
      ? 'unhealthy'
      : components.some((c) => c.status === 'degraded' || c.status === 'unhealthy')
        ? 'degraded'
        : 'healthy';
  return { status, components };
}

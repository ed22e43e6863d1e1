import { wardenError } from '../errors/index.js';
import type { AdapterContext, AgentAdapter } from './AgentAdapter.js';
import type { AdapterConfig } from '../config/adapterSchema.js';
import { createAdapter } from './createAdapter.js';

/** What the registry needs of an agent's config; the rest (timeouts, retry, …) rides along. */
export interface AgentEntryConfig {
  adapter: AdapterConfig;
  capabilities: string[];
}

/** One configured agent with its adapter. */
export interface RegisteredAgent<A extends AgentEntryConfig = AgentEntryConfig> {
  readonly id: string;
  /** The agent's config, as given. */
  readonly config: A;
  readonly capabilities: readonly string[];
  readonly adapter: AgentAdapter;
}

/**
 * The configured agents, each with its adapter, in config order. It only knows who the agents
 * are and how to reach them; breakers, bulkheads and health belong to the engine.
 *
 * @example
 * const registry = new AgentRegistry(config.agents, ctx);
 * const output = await registry.adapter('senior-backend-developer').call(req, signal);
 * registry.withCapability('code-review'); // ['senior-backend-developer', …]
 */
export class AgentRegistry<A extends AgentEntryConfig = AgentEntryConfig> {
  readonly #agents = new Map<string, RegisteredAgent<A>>();
  #closed: Promise<void> | undefined;

  /** Creates every agent's adapter now, so a bad adapter config fails at startup. */
  constructor(agents: Record<string, A>, ctx: AdapterContext) {
    for (const [id, config] of Object.entries(agents)) {
      this.#agents.set(id, {
        id,
        config,
        capabilities: Object.freeze([...config.capabilities]),
        adapter: createAdapter(id, config.adapter, ctx),
      });
    }
  }

  /** The agent with this id, or undefined. */
  get(id: string): RegisteredAgent<A> | undefined {
    return this.#agents.get(id);
  }

  /** True when an agent has this id. */
  has(id: string): boolean {
    return this.#agents.has(id);
  }

  /** Every agent id, in config order. */
  ids(): string[] {
    return [...this.#agents.keys()];
  }

  /** The adapter of an agent; throws `AGENT_NOT_FOUND` for an unknown id. */
  adapter(id: string): AgentAdapter {
    const agent = this.#agents.get(id);
    if (!agent) throw wardenError('AGENT_NOT_FOUND', `no agent has the id "${id}"`, { agent: id });
    return agent.adapter;
  }

  /** The ids of the agents that have `capability`, in config order. */
  withCapability(capability: string): string[] {
    const ids: string[] = [];
    for (const agent of this.#agents.values()) if (agent.capabilities.includes(capability)) ids.push(agent.id);
    return ids;
  }

  /** Prepares every adapter (imports module agents); rejects with the first failure. */
  async prepare(): Promise<void> {
    await Promise.all([...this.#agents.values()].map((a) => a.adapter.prepare?.()));
  }

  /** Closes every adapter, once; a failing close does not stop the others. */
  close(): Promise<void> {
    this.#closed ??= Promise.allSettled([...this.#agents.values()].map((a) => a.adapter.close?.())).then(() => undefined);
    return this.#closed;
  }
}

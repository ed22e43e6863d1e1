/**
 * The port between the supervisor and what it watches: the few things it reads and calls, so
 * that it never holds the whole engine. The runtime builds one from an engine (`engineHost`);
 * a test or an embedder can hand-build one.
 * @module
 */
import type { Clock } from '../clock/index.js';
import type { AgentConfig, SupervisorConfig } from '../config/index.js';
import type { Channel } from '../escalation/channels/Channel.js';
import type { EscalationServiceEvents, IncidentInput } from '../escalation/EscalationService.js';
import type { AgentPool } from '../lifecycle/AgentPool.js';
import type { Logger } from '../lifecycle/logger.js';
import type { Store } from '../store/Store.js';

/**
 * The agents' live policies. An agent component marks its slot's readiness for routing, the
 * passive check reads its recent calls, and strategies drain it, halve its bulkhead or reset
 * its circuit; the queue check counts the calls waiting in every bulkhead.
 */
export type SupervisedAgents = Pick<AgentPool, 'get' | 'ids'>;

/**
 * The store calls the supervisor makes: its records and the store check use the breaker table
 * (`saveBreaker`, `loadBreakers`), the queue check lists the queued tasks.
 */
export type SupervisorStore = Pick<Store, 'kind' | 'saveBreaker' | 'loadBreakers' | 'listTasks'>;

/** An escalation channel, as far as checking that it can be reached. */
export type WatchedChannel = Pick<Channel, 'name' | 'type' | 'verify'>;

/** Where the supervisor raises and resolves its incidents, and the channels it checks. */
export interface SupervisorEscalations {
  /** The configured channels by name; the log channel needs no check. */
  readonly channels: ReadonlyMap<string, WatchedChannel>;
  /** Raises an incident, or groups into the open one with the same key. */
  raiseIncident(input: IncidentInput): Promise<unknown>;
  /** Resolves the open incident with this key, if any. */
  resolveIncident(key: string): Promise<unknown>;
  /** Escalation news: the channels check takes a channel that just delivered as reachable. */
  on(event: 'changed', listener: EscalationServiceEvents['changed']): unknown;
  off(event: 'changed', listener: EscalationServiceEvents['changed']): unknown;
}

/** What a {@link Supervisor} needs from its surroundings, and nothing more. */
export interface SupervisorHost {
  /** Checks, timeouts and restarts run on it; transitions are stamped with it. */
  readonly clock: Clock;
  readonly logger: Logger;
  /** The supervisor's normalized config: system checks, intervals, thresholds, ladders. */
  readonly config: SupervisorConfig;
  /** Every agent's config by id; those with a `healthCheck` or a `process` are supervised. */
  readonly agentConfigs: Readonly<Record<string, AgentConfig>>;
  /** Relative paths (probe commands, managed processes, module strategies) resolve against it. */
  readonly configDir: string;
  readonly agents: SupervisedAgents;
  readonly store: SupervisorStore;
  readonly escalations: SupervisorEscalations;
}

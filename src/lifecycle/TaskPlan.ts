/**
 * The agent plan of a workflow: which agents a task may try, in order, and the retry options
 * of each. Pure: it reads the normalized config and nothing else.
 * @module
 */
import { type AgentConfig, type Config, candidateAgents, type Workflow } from '../config/index.js';

/** Retry options of an agent without its own (an unknown agent): one attempt, no delay. */
const NO_RETRY: AgentConfig['retry'] = {
  maxAttempts: 1,
  initialDelayMs: 0,
  maxDelayMs: 0,
  multiplier: 1,
  jitter: 'none',
  errorMultipliers: {},
} as AgentConfig['retry'];

/** A task's agents in order and the attempts each may take. */
export interface TaskPlan {
  /** The primary agent and its fallback chain, or every agent with the capability in config order. */
  readonly agents: string[];
  /** maxAttempts of each agent of `agents`, same order. */
  readonly maxAttempts: number[];
}

/** The plan of a single-step workflow. */
export function taskPlan(config: Pick<Config, 'agents' | 'fallbackChains'>, wf: Workflow): TaskPlan {
  const agents = candidateAgents(config, wf);
  return { agents, maxAttempts: agents.map((a) => retryFor(wf, config.agents[a]).maxAttempts) };
}

/** An agent's retry options with the workflow's overrides merged over them. */
export function retryFor(wf: Workflow, agent: AgentConfig | undefined): AgentConfig['retry'] {
  return { ...(agent?.retry ?? NO_RETRY), ...(wf.retry ?? {}) } as AgentConfig['retry'];
}

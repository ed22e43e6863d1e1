import { describe, expect, it } from 'vitest';
import type { AgentConfig, Config, Workflow } from '../config/index.js';
import { retryFor, taskPlan } from './TaskPlan.js';

const retry = (maxAttempts: number) => ({
  maxAttempts,
  initialDelayMs: 100,
  maxDelayMs: 1_000,
  multiplier: 2,
  jitter: 'none',
  errorMultipliers: {},
});
const agent = (capabilities: string[], maxAttempts: number) => ({ capabilities, retry: retry(maxAttempts) }) as unknown as AgentConfig;

const config = {
  agents: { a: agent(['review'], 3), b: agent(['review', 'build'], 2), c: agent(['build'], 1) },
  fallbackChains: { a: ['c', 'b'] },
} as unknown as Pick<Config, 'agents' | 'fallbackChains'>;

const wf = (over: Partial<Workflow>) => ({ name: 'wf', deadlineMs: 60_000, ...over }) as Workflow;

describe('TaskPlan', () => {
  it('plans the primary agent then its fallback chain, with each agent’s attempts', () => {
    expect(taskPlan(config, wf({ agent: 'a' }))).toEqual({ agents: ['a', 'c', 'b'], maxAttempts: [3, 1, 2] });
  });

  it('plans every agent with the capability, in config order', () => {
    expect(taskPlan(config, wf({ capability: 'build' }))).toEqual({ agents: ['b', 'c'], maxAttempts: [2, 1] });
  });

  it('plans the primary alone when it has no fallback chain', () => {
    expect(taskPlan(config, wf({ agent: 'b' })).agents).toEqual(['b']);
  });

  it('merges the workflow’s retry over each agent’s', () => {
    const w = wf({ agent: 'a', retry: { maxAttempts: 5 } as Workflow['retry'] });
    expect(taskPlan(config, w).maxAttempts).toEqual([5, 5, 5]);
    expect(retryFor(w, config.agents.a)).toMatchObject({ maxAttempts: 5, initialDelayMs: 100, maxDelayMs: 1_000 });
  });

  it('gives an unknown agent one attempt without delay', () => {
    expect(retryFor(wf({ agent: 'zz' }), undefined)).toMatchObject({ maxAttempts: 1, initialDelayMs: 0 });
  });
});

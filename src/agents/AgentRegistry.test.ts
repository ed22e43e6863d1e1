import { describe, expect, it } from 'vitest';
import { testContext } from '../../test/fixtures/agents/helpers.js';
import { AgentRegistry } from './AgentRegistry.js';
import type { AdapterConfig } from '../config/adapterSchema.js';

const simulated: AdapterConfig = { type: 'simulated', latencyMs: [0, 0], failureRate: 0, failStatus: 503, permanentFailureRate: 0 };

const agents: Record<string, { adapter: AdapterConfig; capabilities: string[]; timeoutMs?: number }> = {
  'senior-backend-developer': { adapter: simulated, capabilities: ['backend', 'code-review'], timeoutMs: 30_000 },
  'senior-ai-engineer': { adapter: { type: 'http', url: 'http://127.0.0.1:9/run' }, capabilities: ['ai'] },
  'agentzero-coordinator': { adapter: simulated, capabilities: ['code-review'] },
};

describe('AgentRegistry', () => {
  it('lists agent ids in config order and answers has and get', () => {
    const registry = new AgentRegistry(agents, testContext());
    expect(registry.ids()).toEqual(['senior-backend-developer', 'senior-ai-engineer', 'agentzero-coordinator']);
    expect(registry.has('senior-ai-engineer')).toBe(true);
    expect(registry.has('nobody')).toBe(false);
    expect(registry.get('nobody')).toBeUndefined();
    expect(registry.get('senior-backend-developer')?.config.timeoutMs).toBe(30_000);
  });

  it('finds the agents with a capability in config order', () => {
    const registry = new AgentRegistry(agents, testContext());
    expect(registry.withCapability('code-review')).toEqual(['senior-backend-developer', 'agentzero-coordinator']);
    expect(registry.withCapability('design')).toEqual([]);
  });

  it('hands out a working adapter per agent and throws AGENT_NOT_FOUND for an unknown id', async () => {
    const registry = new AgentRegistry(agents, testContext());
    const output = await registry
      .adapter('agentzero-coordinator')
      .call(
        { taskId: 't', workflow: 'w', input: null, attempt: 1, agent: 'agentzero-coordinator', deadline: '', idempotencyKey: 't:a' },
        new AbortController().signal,
      );
    expect(output).toMatchObject({ agent: 'agentzero-coordinator' });
    expect(() => registry.adapter('nobody')).toThrow(expect.objectContaining({ code: 'AGENT_NOT_FOUND' }));
  });

  it('closes every adapter once, however often close is called', async () => {
    const registry = new AgentRegistry(agents, testContext());
    await expect(Promise.all([registry.close(), registry.close()])).resolves.toEqual([undefined, undefined]);
  });

  it('refuses an unknown adapter type with CONFIG_INVALID at construction', () => {
    const bad = { x: { adapter: { type: 'carrier-pigeon' } as unknown as AdapterConfig, capabilities: [] } };
    expect(() => new AgentRegistry(bad, testContext())).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });
});

import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../clock/index.js';
import { isWardenError } from '../../errors/index.js';
import { agentRequest, never, testContext } from '../../../test/fixtures/agents/helpers.js';
import type { SimulatedAdapterConfig } from '../../config/adapterSchema.js';
import { simulatedAdapter } from './simulated.js';

function setup(config: Partial<SimulatedAdapterConfig>, random = () => 0.5) {
  const clock = new SimulatedClock(0);
  const adapter = simulatedAdapter(
    'sim',
    { type: 'simulated', latencyMs: [100, 100], failureRate: 0, failStatus: 503, permanentFailureRate: 0, ...config },
    testContext({ clock, random }),
  );
  return { clock, adapter };
}

/** Settles `p` into a plain record so a test can look at it without awaiting time that never passes. */
function track(p: Promise<unknown>): { settled: boolean; value?: unknown; error?: unknown } {
  const state: { settled: boolean; value?: unknown; error?: unknown } = { settled: false };
  p.then(
    (value) => Object.assign(state, { settled: true, value }),
    (error: unknown) => Object.assign(state, { settled: true, error }),
  );
  return state;
}

const flush = () => new Promise((r) => setImmediate(r));

describe('simulatedAdapter', () => {
  it('answers with a summary only once its latency has passed on the clock', async () => {
    const { clock, adapter } = setup({});
    const call = track(adapter.call(agentRequest(), never));
    clock.advance(99);
    await flush();
    expect(call.settled).toBe(false);
    clock.advance(1);
    await flush();
    expect(call.value).toEqual({ agent: 'sim', summary: 'Simulated sim handled code-review task task-1', attempt: 1 });
  });

  it('answers with the configured output when there is one', async () => {
    const { clock, adapter } = setup({ output: { status: 'ok' } });
    const call = track(adapter.call(agentRequest(), never));
    clock.advance(100);
    await flush();
    expect(call.value).toEqual({ status: 'ok' });
  });

  it('draws a latency uniformly from a [min, max] range', async () => {
    const { clock, adapter } = setup({ latencyMs: [100, 300] }, () => 0.25);
    const call = track(adapter.call(agentRequest(), never));
    clock.advance(149);
    await flush();
    expect(call.settled).toBe(false);
    clock.advance(1);
    await flush();
    expect(call.settled).toBe(true);
  });

  it('fails every call with a retryable error classified from failStatus when failureRate is 1', async () => {
    const { clock, adapter } = setup({ failureRate: 1 });
    const call = track(adapter.call(agentRequest(), never));
    clock.advance(100);
    await flush();
    expect(isWardenError(call.error)).toBe(true);
    expect(call.error).toMatchObject({ status: 503, retryable: true, agent: 'sim', message: 'simulated failure' });
  });

  it('fails with a permanent error when permanentFailureRate is 1', async () => {
    const { clock, adapter } = setup({ permanentFailureRate: 1 });
    const call = track(adapter.call(agentRequest(), never));
    clock.advance(100);
    await flush();
    expect(call.error).toMatchObject({ status: 422, retryable: false });
  });

  it('clears its timer and throws CANCELLED when aborted while waiting', async () => {
    const { clock, adapter } = setup({});
    const controller = new AbortController();
    const call = track(adapter.call(agentRequest(), controller.signal));
    expect(clock.pending).toBe(1);
    controller.abort();
    await flush();
    expect(clock.pending).toBe(0);
    expect(call.error).toMatchObject({ code: 'CANCELLED' });
  });
});

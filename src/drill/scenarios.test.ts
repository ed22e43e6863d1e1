import { describe, expect, it } from 'vitest';
import { createScenario, FLAKY_RATES, SCENARIO_NAMES } from './scenarios.js';

const calls = (name: (typeof SCENARIO_NAMES)[number], seed: number, agent = 'primary', atMs = 45_000) => {
  const { schedule } = createScenario(name, { seed, targets: ['primary'] });
  return Array.from({ length: 200 }, (_, i) => schedule.faultFor(agent, atMs, i));
};

describe('fault schedules', () => {
  it('are a pure function of the seed, the agent, the time and the call index', () => {
    for (const name of SCENARIO_NAMES) {
      expect(calls(name, 7)).toEqual(calls(name, 7));
      expect(calls(name, 7, 'other')).toEqual(calls(name, 7, 'other'));
    }
    expect(calls('flaky', 7)).not.toEqual(calls('flaky', 8));
  });

  it('put an outage on the targets for the middle half of the span only', () => {
    const { schedule, faultWindow } = createScenario('outage', { seed: 1, targets: ['primary'] });
    expect(faultWindow).toEqual({ startMs: 30_000, endMs: 90_000 });
    expect(schedule.faultFor('primary', 29_999, 0).kind).toBe('ok');
    expect(schedule.faultFor('primary', 30_000, 0).kind).toBe('refused');
    expect(schedule.faultFor('primary', 89_999, 0).kind).toBe('refused');
    expect(schedule.faultFor('primary', 90_000, 0).kind).toBe('ok');
    expect(schedule.faultFor('fallback', 45_000, 0).kind).toBe('ok');
  });

  it('answer a rate-limited call with a Retry-After in whole seconds that ends when the quota window resets', () => {
    const { schedule } = createScenario('rate-limit', { seed: 1, targets: ['primary'] });
    const f = schedule.faultFor('primary', 31_000, 0);
    expect(f).toMatchObject({ kind: 'status', status: 429 });
    const retryAfterMs = (f as { retryAfterMs: number }).retryAfterMs;
    expect(retryAfterMs % 1000).toBe(0);
    expect(31_000 + f.latencyMs + retryAfterMs).toBeGreaterThanOrEqual(45_000);
    expect(31_000 + f.latencyMs + retryAfterMs).toBeLessThan(46_000);
  });

  it('fail flaky calls at the configured rates', () => {
    const faults = Array.from({ length: 20_000 }, (_, i) =>
      createScenario('flaky', { seed: 3, targets: [] }).schedule.faultFor('any', 0, i),
    );
    const share = (status: number) => faults.filter((f) => f.kind === 'status' && f.status === status).length / faults.length;
    expect(share(503)).toBeCloseTo(FLAKY_RATES.transient, 1);
    expect(share(422)).toBeCloseTo(FLAKY_RATES.permanent, 1);
  });

  it('refuse an unknown scenario', () => {
    expect(() => createScenario('meteor' as never, { seed: 1, targets: [] })).toThrow(/unknown scenario "meteor"/);
  });
});

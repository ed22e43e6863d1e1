import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../clock/index.js';
import { isWardenError } from '../errors/index.js';
import type { Fault, FaultSchedule } from './FaultSchedule.js';
import { FaultyAgents } from './FaultyAgents.js';

/** A schedule that plays back a list per agent. */
const script = (faults: Record<string, Fault[]>): FaultSchedule => ({ scenario: 'test', faultFor: (agent, _at, i) => faults[agent]![i]! });
const tooMany: Fault = { kind: 'status', status: 429, latencyMs: 10, retryAfterMs: 2000 };
const ok: Fault = { kind: 'ok', latencyMs: 10 };

async function call(agents: FaultyAgents, clock: SimulatedClock, agent: string, task: string) {
  const p = agents.call(agent, task).then(
    (v) => ({ ok: true as const, v }),
    (e: unknown) => ({ ok: false as const, e }),
  );
  clock.advance(10);
  return p;
}

describe('FaultyAgents', () => {
  it('answers after the fault latency on the clock, and fails with classified errors', async () => {
    const clock = new SimulatedClock(0);
    const agents = new FaultyAgents({ schedule: script({ a: [ok, { kind: 'refused', latencyMs: 10 }, tooMany] }), clock });
    expect((await call(agents, clock, 'a', 't1')).ok).toBe(true);
    const refused = await call(agents, clock, 'a', 't1');
    expect(refused.ok || (isWardenError(refused.e) && refused.e.code)).toBe('CONNECTION_FAILED');
    const limited = await call(agents, clock, 'a', 't1');
    expect(limited.ok || (isWardenError(limited.e) && [limited.e.code, limited.e.retryAfterMs])).toEqual(['RATE_LIMITED', 2000]);
    expect(agents.stats()).toEqual({ a: { calls: 3, ok: 1, failed: 2, aborted: 0, faulted: 2 } });
    expect(agents.refusedCalls('a')).toBe(1);
  });

  it('tells retries that waited out a Retry-After from ones that did not, per task and agent-wide', async () => {
    const clock = new SimulatedClock(0);
    const agents = new FaultyAgents({ schedule: script({ a: [tooMany, ok, ok, ok] }), clock });
    await call(agents, clock, 'a', 't1'); // 429 at 10 ms: wait until 2010 ms
    await call(agents, clock, 'a', 't2'); // another task, too early for the agent
    clock.advanceTo(2010);
    await call(agents, clock, 'a', 't1'); // t1 came back in time
    expect(agents.retryAfter()).toEqual({
      followUps: 1,
      honoured: 1,
      honouredRate: 1,
      callsAfterAnyRetryAfter: 2,
      callsInsideAnyRetryAfter: 1,
      agentWideHonouredRate: 0.5,
    });
  });
});

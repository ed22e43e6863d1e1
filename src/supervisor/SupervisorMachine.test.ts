import { createActor } from 'xstate';
import { describe, expect, it } from 'vitest';
import { readinessOf, supervisorMachine, type SupervisorEvent, type SupervisorMachineInput } from './SupervisorMachine.js';

const input: SupervisorMachineInput = { failureThreshold: 2, successThreshold: 1, strategies: 2, graceUntil: 0 };

/** Runs events through a fresh machine; returns the state after each. */
function walk(events: SupervisorEvent[], over: Partial<SupervisorMachineInput> = {}): string[] {
  const actor = createActor(supervisorMachine, { input: { ...input, ...over } }).start();
  return events.map((e) => {
    actor.send(e);
    const { value, context } = actor.getSnapshot();
    return value === 'recovering' ? `recovering(${context.auto ? 'auto' : context.index})` : String(value);
  });
}

const ok = (at = 1): SupervisorEvent => ({ type: 'CHECK_OK', at });
const bad = (at = 1): SupervisorEvent => ({ type: 'CHECK_FAILED', at });

describe('the supervisor machine', () => {
  it('goes healthy → suspect → unhealthy → recovering → verifying → healthy', () => {
    expect(walk([ok(), bad(), bad(), { type: 'RECOVER', at: 1 }, { type: 'RECOVERY_OK', at: 1, index: 0 }, ok()])).toEqual([
      'healthy',
      'suspect',
      'unhealthy',
      'recovering(0)',
      'verifying',
      'healthy',
    ]);
  });

  it('goes back to healthy from suspect on one passed check', () => {
    expect(walk([ok(), bad(), ok(), bad()])).toEqual(['healthy', 'suspect', 'healthy', 'suspect']);
  });

  it('tries the next strategy when one fails or its fix does not hold, and escalates when all are spent', () => {
    expect(
      walk([
        ok(),
        bad(),
        bad(),
        { type: 'RECOVER', at: 1 },
        { type: 'RECOVERY_FAILED', at: 1, index: 0 },
        { type: 'RECOVERY_OK', at: 1, index: 1 },
        bad(),
        bad(),
        ok(),
      ]),
    ).toEqual(['healthy', 'suspect', 'unhealthy', 'recovering(0)', 'recovering(1)', 'verifying', 'verifying', 'escalated', 'healthy']);
  });

  it('escalates at once with no recovery ladder', () => {
    expect(walk([ok(), bad(), bad(), { type: 'RECOVER', at: 1 }], { strategies: 0 })).toEqual([
      'healthy',
      'suspect',
      'unhealthy',
      'escalated',
    ]);
  });

  it('ignores the late answer of a strategy it has moved past', () => {
    expect(walk([bad(), bad(), { type: 'RECOVER', at: 1 }, { type: 'RECOVERY_OK', at: 1, index: 1 }])).toEqual([
      'starting',
      'unhealthy',
      'recovering(0)',
      'recovering(0)',
    ]);
  });

  it('does not count failures within the startup grace', () => {
    expect(walk([bad(5), bad(9), bad(10), bad(11)], { graceUntil: 10 })).toEqual(['starting', 'starting', 'starting', 'unhealthy']);
  });

  it('restarts an exited process automatically without spending the ladder, and fails for good on GIVE_UP', () => {
    expect(
      walk([
        ok(),
        { type: 'EXITED', at: 2 },
        { type: 'STARTED', at: 3, graceMs: 0 },
        ok(3),
        { type: 'EXITED', at: 4 },
        { type: 'GIVE_UP', at: 5 },
        ok(6),
        { type: 'EXITED', at: 7 },
      ]),
    ).toEqual(['healthy', 'recovering(auto)', 'verifying', 'healthy', 'recovering(auto)', 'failed', 'failed', 'failed']);
  });

  it('reads readiness for routing from the state', () => {
    expect(
      ['starting', 'healthy', 'suspect', 'unhealthy', 'recovering', 'verifying', 'escalated', 'failed'].map((s) => readinessOf(s as never)),
    ).toEqual(['unknown', 'healthy', 'healthy', 'unhealthy', 'unhealthy', 'unhealthy', 'unhealthy', 'unhealthy']);
  });
});

import { describe, expect, it, vi } from 'vitest';
import { SimulatedClock } from '../clock/index.js';
import { CircuitBreaker, normalizeBreakerOptions, type BreakerOptions, type BreakerSnapshot } from './CircuitBreaker.js';

const opts: BreakerOptions = {
  failureThreshold: 5,
  failureRate: 0.5,
  windowMs: 60_000,
  openMs: 30_000,
  maxOpenMs: 300_000,
  openMultiplier: 2,
  halfOpenSuccesses: 2,
  halfOpenMaxProbes: 1,
};

function setup(overrides: Partial<BreakerOptions> = {}, initial?: BreakerSnapshot) {
  const clock = new SimulatedClock(1_000_000);
  const breaker = new CircuitBreaker({ ...opts, ...overrides }, clock, initial);
  return { clock, breaker };
}

function fail(breaker: CircuitBreaker, n: number) {
  for (let i = 0; i < n; i++) breaker.recordFailure();
}

/** Runs one probe through a half-open breaker and reports its outcome. */
function probe(breaker: CircuitBreaker, ok: boolean) {
  expect(breaker.tryAcquire()).toBe(true);
  if (ok) breaker.recordSuccess();
  else breaker.recordFailure();
}

describe('CircuitBreaker', () => {
  it('starts closed and lets every call through', () => {
    const { breaker } = setup();
    expect(breaker.state).toBe('closed');
    expect(breaker.tryAcquire()).toBe(true);
    expect(breaker.openUntil).toBeUndefined();
  });

  it('opens the circuit after five failures in the window', () => {
    const { clock, breaker } = setup();
    fail(breaker, 4);
    expect(breaker.state).toBe('closed');
    breaker.recordFailure();
    expect(breaker.state).toBe('open');
    expect(breaker.tryAcquire()).toBe(false);
    expect(breaker.openUntil).toBe(clock.now() + 30_000);
  });

  it('does not count failures older than the window', () => {
    const { clock, breaker } = setup();
    fail(breaker, 4);
    clock.advance(60_000);
    breaker.recordFailure();
    expect(breaker.state).toBe('closed');
    expect(breaker.toJSON()).toMatchObject({ state: 'closed', failures: [clock.now()] });
  });

  it('counts failures spread across the window', () => {
    const { clock, breaker } = setup();
    for (let i = 0; i < 5; i++) {
      breaker.recordFailure();
      clock.advance(14_000);
    }
    expect(breaker.state).toBe('open');
  });

  it('keeps counting failures after a success while closed, since the window is not a streak', () => {
    const { breaker } = setup();
    for (let i = 0; i < 5; i++) {
      breaker.recordSuccess();
      breaker.recordFailure();
    }
    expect(breaker.state).toBe('open');
  });

  it('keeps at most failureThreshold timestamps', () => {
    const { clock, breaker } = setup({ failureThreshold: 3, windowMs: 1000 });
    for (let i = 0; i < 100; i++) {
      breaker.recordFailure();
      clock.advance(1000);
    }
    const snap = breaker.toJSON();
    expect(snap.state === 'closed' && snap.failures.length).toBeLessThanOrEqual(3);
  });

  it('records failures against a huge threshold without re-reading the whole window each time', () => {
    // Filtering the window on every failure made this quadratic: minutes instead of milliseconds.
    const { clock, breaker } = setup({ failureThreshold: 1_000_000_000, windowMs: 100_000 });
    for (let i = 0; i < 200_000; i++) {
      breaker.recordFailure();
      clock.advance(1);
    }
    expect(breaker.state).toBe('closed');
    const snap = breaker.toJSON();
    expect(snap.state === 'closed' && snap.failures.length).toBe(100_000 - 1);
    expect(snap.state === 'closed' && snap.failures[0]).toBe(clock.now() - 100_000 + 1);
  });

  it('becomes half-open once the open time is up, without any timer', () => {
    const { clock, breaker } = setup();
    fail(breaker, 5);
    expect(clock.pending).toBe(0);
    clock.advance(29_999);
    expect(breaker.state).toBe('open');
    clock.advance(1);
    expect(breaker.state).toBe('half-open');
  });

  it('closes again after two successful half-open probes', () => {
    const { clock, breaker } = setup();
    fail(breaker, 5);
    clock.advance(30_000);
    probe(breaker, true);
    expect(breaker.state).toBe('half-open');
    probe(breaker, true);
    expect(breaker.state).toBe('closed');
    expect(breaker.toJSON()).toMatchObject({ state: 'closed', failures: [] });
  });

  it('allows only halfOpenMaxProbes probes in flight at once', () => {
    const { clock, breaker } = setup({ halfOpenMaxProbes: 2 });
    fail(breaker, 5);
    clock.advance(30_000);
    expect(breaker.tryAcquire()).toBe(true);
    expect(breaker.tryAcquire()).toBe(true);
    expect(breaker.tryAcquire()).toBe(false);
    breaker.recordSuccess();
    expect(breaker.tryAcquire()).toBe(true);
  });

  it('frees a probe slot on release() without counting a success or a failure', () => {
    const { clock, breaker } = setup();
    fail(breaker, 5);
    clock.advance(30_000);
    expect(breaker.tryAcquire()).toBe(true);
    expect(breaker.tryAcquire()).toBe(false);
    breaker.release();
    expect(breaker.toJSON()).toEqual({ state: 'half-open', successes: 0, probes: 0, consecutiveOpens: 1 });
    expect(breaker.tryAcquire()).toBe(true);
  });

  it('reopens on a failed probe for openMs times openMultiplier, growing up to maxOpenMs', () => {
    const { clock, breaker } = setup();
    fail(breaker, 5);
    const durations: number[] = [];
    for (let i = 0; i < 6; i++) {
      clock.advanceTo(breaker.openUntil!);
      probe(breaker, false);
      expect(breaker.state).toBe('open');
      durations.push(breaker.openUntil! - clock.now());
    }
    expect(durations).toEqual([60_000, 120_000, 240_000, 300_000, 300_000, 300_000]);
  });

  it('starts from openMs again after the circuit has closed', () => {
    const { clock, breaker } = setup();
    fail(breaker, 5);
    clock.advance(30_000);
    probe(breaker, false);
    clock.advance(60_000);
    probe(breaker, true);
    probe(breaker, true);
    expect(breaker.state).toBe('closed');
    fail(breaker, 5);
    expect(breaker.openUntil! - clock.now()).toBe(30_000);
  });

  it('ignores late results while open', () => {
    const { clock, breaker } = setup();
    fail(breaker, 5);
    const until = breaker.openUntil;
    breaker.recordFailure();
    breaker.recordSuccess();
    expect(breaker.state).toBe('open');
    expect(breaker.openUntil).toBe(until);
    clock.advance(30_000);
    expect(breaker.state).toBe('half-open');
  });

  it('closes on reset() and forgets failures and opens', () => {
    const { clock, breaker } = setup();
    fail(breaker, 5);
    clock.advance(30_000);
    probe(breaker, false);
    breaker.reset();
    expect(breaker.state).toBe('closed');
    fail(breaker, 4);
    breaker.reset();
    breaker.recordFailure();
    expect(breaker.state).toBe('closed');
    fail(breaker, 4);
    expect(breaker.openUntil! - clock.now()).toBe(30_000);
  });

  it.each<[string, (b: CircuitBreaker, c: SimulatedClock) => void]>([
    ['closed with failures', (b) => fail(b, 3)],
    ['open', (b) => fail(b, 5)],
    [
      'open after a failed probe',
      (b, c) => {
        fail(b, 5);
        c.advance(30_000);
        probe(b, false);
      },
    ],
    [
      'half-open with a success',
      (b, c) => {
        fail(b, 5);
        c.advance(30_000);
        probe(b, true);
      },
    ],
  ])('round-trips its state through toJSON and the constructor when %s', (_name, drive) => {
    const { clock, breaker } = setup();
    drive(breaker, clock);
    const snap = JSON.parse(JSON.stringify(breaker)) as BreakerSnapshot;
    const restored = new CircuitBreaker(opts, clock, snap);
    expect(restored.toJSON()).toEqual(breaker.toJSON());
    expect(restored.state).toBe(breaker.state);
  });

  it('behaves the same after a restore as before it', () => {
    const { clock, breaker } = setup();
    fail(breaker, 4);
    const restored = new CircuitBreaker(opts, clock, breaker.toJSON());
    restored.recordFailure();
    expect(restored.state).toBe('open');
    clock.advance(30_000);
    probe(restored, false);
    expect(restored.openUntil! - clock.now()).toBe(60_000);
  });

  it('restores a half-open state with no probes in flight, since they died with the old process', () => {
    const { breaker } = setup({}, { state: 'half-open', successes: 1, probes: 1, consecutiveOpens: 2 });
    expect(breaker.toJSON()).toEqual({ state: 'half-open', successes: 1, probes: 0, consecutiveOpens: 2 });
    expect(breaker.tryAcquire()).toBe(true);
  });

  it('rejects a snapshot with an unknown state', () => {
    expect(() => setup({}, { state: 'ajar' } as unknown as BreakerSnapshot)).toThrow(/unknown breaker state "ajar"/);
  });

  it('tells listeners of every change of state, including the lazy one to half-open', () => {
    const { clock, breaker } = setup();
    const listener = vi.fn();
    breaker.onStateChange(listener);
    fail(breaker, 5);
    clock.advance(30_000);
    expect(listener).toHaveBeenCalledTimes(1);
    expect(breaker.tryAcquire()).toBe(true);
    breaker.recordSuccess();
    probe(breaker, true);
    expect(listener.mock.calls.map(([from, to]) => `${from}->${to}`)).toEqual(['closed->open', 'open->half-open', 'half-open->closed']);
    expect(listener.mock.calls[0]?.[2]).toEqual({
      state: 'open',
      openedAt: 1_000_000,
      openUntil: 1_030_000,
      consecutiveOpens: 1,
    });
  });

  it('keeps working and tells other listeners when a listener throws', () => {
    const { breaker } = setup();
    const after = vi.fn();
    breaker.onStateChange(() => {
      throw new Error('broken dashboard');
    });
    breaker.onStateChange(after);
    expect(() => fail(breaker, 5)).not.toThrow();
    expect(breaker.state).toBe('open');
    expect(after).toHaveBeenCalledWith('closed', 'open', expect.objectContaining({ state: 'open' }));
  });

  it('stops calling a listener once it is removed', () => {
    const { breaker } = setup();
    const listener = vi.fn();
    const off = breaker.onStateChange(listener);
    off();
    fail(breaker, 5);
    expect(listener).not.toHaveBeenCalled();
  });

  it('reports transitions in order when openMs is 0', () => {
    const { breaker } = setup({ openMs: 0 });
    const seen: string[] = [];
    breaker.onStateChange((from, to) => seen.push(`${from}->${to}`));
    fail(breaker, 5);
    expect(breaker.state).toBe('half-open');
    expect(seen).toEqual(['closed->open', 'open->half-open']);
  });
});

describe('normalizeBreakerOptions', () => {
  it('fills in the documented defaults', () => {
    expect(normalizeBreakerOptions({ failureThreshold: 3 })).toEqual({ ...opts, failureThreshold: 3 });
  });

  it('refuses a failure rate outside 0..1', () => {
    expect(() => normalizeBreakerOptions({ failureRate: 1.5 })).toThrow(/failureRate must be between 0 and 1/);
  });

  it('names the field in its messages', () => {
    expect(() => normalizeBreakerOptions({ failureThreshold: 0 })).toThrow(/failureThreshold must be an integer ≥ 1/);
    expect(() => normalizeBreakerOptions({ openMs: 10_000, maxOpenMs: 5000 })).toThrow(/maxOpenMs must be ≥ openMs/);
    expect(() => normalizeBreakerOptions({ openMultiplier: 0.5 })).toThrow(/openMultiplier/);
  });
});

describe('the failure rate', () => {
  it('keeps a flaky agent that answers most calls closed, though the failures reach the threshold', () => {
    const { breaker } = setup({ failureThreshold: 5, failureRate: 0.5 });
    // 30% failures: 6 failures among 20 calls in the window, never 5 in a row.
    for (let i = 0; i < 20; i++) {
      if (i % 10 < 3) breaker.recordFailure();
      else breaker.recordSuccess();
    }
    expect(breaker.state).toBe('closed');
  });

  it('opens once the failures are both enough and a large enough share of the calls', () => {
    const { breaker } = setup({ failureThreshold: 5, failureRate: 0.5 });
    for (let i = 0; i < 4; i++) breaker.recordSuccess();
    for (let i = 0; i < 4; i++) {
      breaker.recordFailure();
      breaker.recordSuccess();
      breaker.recordFailure();
    }
    // 8 failures, 8 successes: 50% ≥ 50%, and never 5 in a row.
    expect(breaker.state).toBe('open');
  });

  it('opens on failureThreshold failures in a row, however many calls succeeded before: a dead agent is cut off at once', () => {
    const { breaker } = setup({ failureThreshold: 5, failureRate: 0.5 });
    for (let i = 0; i < 100; i++) breaker.recordSuccess();
    for (let i = 0; i < 4; i++) breaker.recordFailure();
    expect(breaker.state).toBe('closed');
    breaker.recordFailure();
    expect(breaker.state).toBe('open');
  });

  it('forgets the calls that left the window', () => {
    const { clock, breaker } = setup({ failureThreshold: 3, failureRate: 0.5, windowMs: 10_000 });
    for (let i = 0; i < 50; i++) breaker.recordSuccess();
    clock.advance(11_000);
    // Not in a row: the rate decides, and the old successes no longer count.
    breaker.recordFailure();
    breaker.recordFailure();
    breaker.recordSuccess();
    breaker.recordFailure();
    expect(breaker.state).toBe('open');
  });

  it('decides on the count alone with a failure rate of 0', () => {
    const { breaker } = setup({ failureThreshold: 3, failureRate: 0 });
    for (let i = 0; i < 100; i++) breaker.recordSuccess();
    for (let i = 0; i < 3; i++) breaker.recordFailure();
    expect(breaker.state).toBe('open');
  });

  it('keeps the call counts across a snapshot and restore', () => {
    const { clock, breaker } = setup({ failureThreshold: 2, failureRate: 0.5 });
    for (let i = 0; i < 10; i++) breaker.recordSuccess();
    breaker.recordFailure();
    breaker.recordSuccess();
    const again = new CircuitBreaker({ ...opts, failureThreshold: 2, failureRate: 0.5 }, clock, breaker.toJSON());
    again.recordFailure(); // 2 failures of 13 calls, not in a row: not enough share
    expect(again.state).toBe('closed');
    // Without the restored successes the same two failures would be 100% of the calls.
    const fresh = new CircuitBreaker({ ...opts, failureThreshold: 2, failureRate: 0.5 }, clock);
    fresh.recordFailure();
    fresh.recordSuccess();
    fresh.recordFailure();
    expect(fresh.state).toBe('open');
  });
});

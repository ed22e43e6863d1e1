import { describe, expect, it } from 'vitest';
import { computeDelay, ExponentialBackoff, normalizeBackoffOptions, type BackoffOptions, type DelayContext } from './backoff.js';

const base: BackoffOptions = {
  initialDelayMs: 1000,
  maxDelayMs: 30_000,
  multiplier: 2,
  jitter: 'none',
  errorMultipliers: { RATE_LIMITED: 2 },
};
const ALMOST_ONE = 1 - Number.EPSILON;
const at = (r: number) => () => r;

describe('computeDelay', () => {
  const rows: [string, Partial<BackoffOptions>, Omit<DelayContext, 'random'> & { random?: number }, number][] = [
    // jitter: none
    ['waits initialDelayMs after the first failure', {}, { attempt: 1 }, 1000],
    ['doubles the delay on each further failure', {}, { attempt: 3 }, 4000],
    ['caps the delay at maxDelayMs', {}, { attempt: 10 }, 30_000],
    ['caps an exponent so large that it overflows to Infinity', {}, { attempt: 5000 }, 30_000],
    ['multiplies the delay by the factor of the error code', {}, { attempt: 2, errorCode: 'RATE_LIMITED' }, 4000],
    ['caps the multiplied delay at maxDelayMs', {}, { attempt: 5, errorCode: 'RATE_LIMITED' }, 30_000],
    ['ignores error codes without a factor', {}, { attempt: 2, errorCode: 'AGENT_TIMEOUT' }, 2000],
    ['ignores error codes that are Object.prototype keys', {}, { attempt: 2, errorCode: 'constructor' }, 2000],
    ['uses a fractional multiplier', { multiplier: 1.5 }, { attempt: 3 }, 2250],
    ['rounds to whole milliseconds', { initialDelayMs: 333, multiplier: 1.5 }, { attempt: 2 }, 500],
    ['waits at least Retry-After', {}, { attempt: 1, retryAfterMs: 5000 }, 5000],
    ['waits for Retry-After even above maxDelayMs', {}, { attempt: 1, retryAfterMs: 120_000 }, 120_000],
    ['keeps a longer delay than Retry-After', {}, { attempt: 4, retryAfterMs: 100 }, 8000],
    // jitter: full
    ['full jitter with random 0 waits nothing', { jitter: 'full' }, { attempt: 3, random: 0 }, 0],
    ['full jitter with random near 1 waits the whole base', { jitter: 'full' }, { attempt: 3, random: ALMOST_ONE }, 4000],
    ['full jitter with random 0.5 waits half the base', { jitter: 'full' }, { attempt: 3, random: 0.5 }, 2000],
    ['full jitter stays below maxDelayMs', { jitter: 'full' }, { attempt: 20, random: ALMOST_ONE }, 30_000],
    [
      'full jitter applies the error factor before jitter',
      { jitter: 'full' },
      { attempt: 1, errorCode: 'RATE_LIMITED', random: 0.5 },
      1000,
    ],
    ['full jitter still honours Retry-After', { jitter: 'full' }, { attempt: 3, random: 0, retryAfterMs: 2500 }, 2500],
    // jitter: decorrelated
    [
      'decorrelated jitter with random 0 waits initialDelayMs',
      { jitter: 'decorrelated' },
      { attempt: 4, previousDelayMs: 9000, random: 0 },
      1000,
    ],
    [
      'decorrelated jitter with random near 1 waits three times the previous delay',
      { jitter: 'decorrelated' },
      { attempt: 2, previousDelayMs: 2000, random: ALMOST_ONE },
      6000,
    ],
    [
      'decorrelated jitter starts from initialDelayMs without a previous delay',
      { jitter: 'decorrelated' },
      { attempt: 1, random: ALMOST_ONE },
      3000,
    ],
    [
      'decorrelated jitter caps at maxDelayMs',
      { jitter: 'decorrelated' },
      { attempt: 6, previousDelayMs: 20_000, random: ALMOST_ONE },
      30_000,
    ],
    [
      'decorrelated jitter applies the error factor',
      { jitter: 'decorrelated' },
      { attempt: 2, previousDelayMs: 2000, random: 0.5, errorCode: 'RATE_LIMITED' },
      7000,
    ],
    [
      'decorrelated jitter honours Retry-After above the cap',
      { jitter: 'decorrelated' },
      { attempt: 2, random: 0, retryAfterMs: 60_000 },
      60_000,
    ],
  ];

  it.each(rows)('%s', (_name, opts, ctx, expected) => {
    const { random = 0.5, ...rest } = ctx;
    expect(computeDelay({ ...base, ...opts }, { ...rest, random: at(random) })).toBe(expected);
  });

  it('keeps full jitter within [0, capped base] for any random value', () => {
    for (let i = 0; i < 100; i++) {
      const d = computeDelay({ ...base, jitter: 'full' }, { attempt: 3, random: at(i / 100) });
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThanOrEqual(4000);
    }
  });

  it('rejects an attempt number below 1', () => {
    expect(() => computeDelay(base, { attempt: 0, random: Math.random })).toThrow(RangeError);
  });
});

describe('normalizeBackoffOptions', () => {
  it('fills in the documented defaults', () => {
    expect(normalizeBackoffOptions()).toEqual({
      initialDelayMs: 1000,
      maxDelayMs: 30_000,
      multiplier: 2,
      jitter: 'full',
      errorMultipliers: { RATE_LIMITED: 2 },
    });
  });

  it('names the field in its messages', () => {
    expect(() => normalizeBackoffOptions({ initialDelayMs: 100, maxDelayMs: 10 })).toThrow(/maxDelayMs must be ≥ initialDelayMs/);
    expect(() => normalizeBackoffOptions({ multiplier: 0.5 })).toThrow(/multiplier/);
    expect(() => normalizeBackoffOptions({ errorMultipliers: { RATE_LIMITED: -1 } })).toThrow(/errorMultipliers\.RATE_LIMITED/);
    expect(() => normalizeBackoffOptions({ jitter: 'half' as never })).toThrow(/jitter/);
  });
});

describe('ExponentialBackoff', () => {
  it('starts at attempt 0 with no delay', () => {
    const b = new ExponentialBackoff(base);
    expect([b.attempt, b.delayMs]).toEqual([0, 0]);
  });

  it('returns a new value from next() and leaves the old one unchanged', () => {
    const first = new ExponentialBackoff(base);
    const second = first.next();
    const third = second.next();
    expect([first.attempt, first.delayMs]).toEqual([0, 0]);
    expect([second.attempt, second.delayMs]).toEqual([1, 1000]);
    expect([third.attempt, third.delayMs]).toEqual([2, 2000]);
    expect(second.next().delayMs).toBe(2000);
    expect(Object.isFrozen(first)).toBe(true);
  });

  it('passes the error code and Retry-After to the maths', () => {
    const b = new ExponentialBackoff(base).next({ errorCode: 'RATE_LIMITED' });
    expect(b.delayMs).toBe(2000);
    expect(b.next({ retryAfterMs: 45_000 }).delayMs).toBe(45_000);
  });

  it('grows decorrelated delays from the previous delay until the cap', () => {
    let b = new ExponentialBackoff({ ...base, jitter: 'decorrelated' });
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      b = b.next({ random: at(ALMOST_ONE) });
      delays.push(b.delayMs);
    }
    expect(delays).toEqual([3000, 9000, 27_000, 30_000, 30_000, 30_000]);
  });

  it('uses the injected random source', () => {
    const b = new ExponentialBackoff({ ...base, jitter: 'full' }).next({ random: at(0.25) }).next({ random: at(0.25) });
    expect(b.delayMs).toBe(500);
  });
});

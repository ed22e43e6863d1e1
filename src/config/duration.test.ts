import { describe, expect, it } from 'vitest';
import { duration, parseDuration, positiveDuration } from './duration.js';

describe('duration', () => {
  it.each([
    [0, 0],
    [250, 250],
    [1.5, 1.5],
    ['250ms', 250],
    ['30s', 30_000],
    ['1.5s', 1500],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    ['1h30m', 5_400_000],
    ['0.1h', 360_000],
    ['0s', 0],
  ])('parses %j as %d ms', (input, ms) => {
    expect(duration.parse(input)).toBe(ms);
    expect(parseDuration(input)).toBe(ms);
  });

  it.each(['30 sec', '30', '', 's', '1.s', '-5s', '5 m', '1w', '30S', ' 30s'])(
    'rejects %j with a message naming the value and the accepted forms',
    (input) => {
      const result = duration.safeParse(input);
      expect(result.success).toBe(false);
      expect(result.error?.issues).toHaveLength(1);
      expect(result.error?.issues[0]?.message).toBe(
        `invalid duration ${JSON.stringify(input)}: use a number of milliseconds ≥ 0 or a string like "250ms", "30s", "5m", "1h" or "1h30m" (units ms, s, m, h, d; no spaces)`,
      );
    },
  );

  it.each([-1, Number.POSITIVE_INFINITY, Number.NaN])('rejects the number %d', (input) => {
    const result = duration.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/^invalid duration .*: use a number of milliseconds ≥ 0/);
  });

  it('rejects values that are neither numbers nor strings', () => {
    expect(duration.safeParse(true).success).toBe(false);
    expect(duration.safeParse({ ms: 5 }).success).toBe(false);
  });

  it('throws a RangeError from parseDuration for a bad string, trimming surrounding space first', () => {
    expect(() => parseDuration('30 sec')).toThrow(RangeError);
    expect(() => parseDuration('30 sec')).toThrow('invalid duration "30 sec"');
    expect(parseDuration(' 30s ')).toBe(30_000);
  });
});

describe('positiveDuration', () => {
  it.each([
    [1, 1],
    [0.5, 0.5],
    ['30s', 30_000],
    ['1ms', 1],
  ])('parses %j as %d ms', (input, ms) => {
    expect(positiveDuration.parse(input)).toBe(ms);
  });

  it.each([0, '0s', '0ms', '0h0m', '0.0s'])('refuses %j: a zero timeout or interval is a config error', (input) => {
    const result = positiveDuration.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.message)).toEqual([`invalid duration ${JSON.stringify(input)}: must be more than 0 ms`]);
  });

  it.each([-1, -0.5, '-5s', 'soon', true])('refuses %j with one message naming the accepted forms', (input) => {
    const result = positiveDuration.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues).toHaveLength(1);
    expect(result.error?.issues[0]?.message).toMatch(/^invalid duration .*: use a number of milliseconds > 0 or a string like "250ms"/);
  });
});

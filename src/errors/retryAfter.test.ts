import { describe, it, expect } from 'vitest';
import { parseRetryAfter } from './retryAfter.js';

const NOW = Date.parse('2025-01-01T00:00:00Z');

describe('parseRetryAfter', () => {
  it.each([
    ['120', 120_000],
    ['0', 0],
    [' 5 ', 5_000],
    ['1.5', 1_500],
    ['0.0001', 1], // rounds up: never shorter than asked
    ['Wed, 01 Jan 2025 00:00:30 GMT', 30_000],
    ['Wednesday, 01-Jan-25 00:01:00 GMT', 60_000],
    ['Wed Jan  1 00:00:10 2025', 10_000], // asctime is GMT, not local time
    ['Tue, 31 Dec 2024 23:59:00 GMT', 0], // a date in the past means now
  ])('reads %j as %d ms', (value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });

  it.each([[null], [undefined], [''], ['soon'], ['-5'], ['1e3'], ['5s'], ['Wed, tomorrow GMT'], ['Wed, 99 Foo 2025 00:00:00 GMT']])(
    'ignores %j',
    (value) => {
      expect(parseRetryAfter(value, NOW)).toBeUndefined();
    },
  );
});

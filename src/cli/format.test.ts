import { describe, expect, it } from 'vitest';
import { duration, table } from './format.js';

describe('duration', () => {
  it.each([
    [340, '340ms'],
    [1234, '1.23s'],
    [12_345, '12.3s'],
    [65_000, '1m05s'],
    [119_790, '2m00s'],
    [3_599_600, '60m00s'],
  ])('writes %i ms as %s', (ms, text) => {
    expect(duration(ms)).toBe(text);
  });
});

describe('table', () => {
  it('aligns columns to their widest cell and leaves no trailing spaces', () => {
    expect(
      table(
        ['a', 'bb'],
        [
          ['xxx', 'y'],
          [undefined, 'zz'],
        ],
      ),
    ).toBe('a    bb\nxxx  y\n     zz');
  });
});

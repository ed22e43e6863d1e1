import { describe, expect, it } from 'vitest';
import { logFormat } from './logger.js';

describe('logFormat', () => {
  it.each([
    [{}, true, 'pretty'],
    [{}, false, 'json'],
    [{ WARDEN_LOG_FORMAT: 'json' }, true, 'json'],
    [{ WARDEN_LOG_FORMAT: 'pretty' }, false, 'pretty'],
    [{ WARDEN_LOG_FORMAT: 'fancy' }, false, 'json'],
  ] as const)('with %j and a terminal %s writes %s', (env, tty, format) => {
    expect(logFormat(env, tty)).toBe(format);
  });
});

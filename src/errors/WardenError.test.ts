import { describe, it, expect } from 'vitest';
import { WardenError, errorInfoSchema, initFor, isWardenError } from './WardenError.js';

describe('WardenError', () => {
  it('keeps the standard cause and its context fields', () => {
    const cause = new Error('socket hang up');
    const e = new WardenError(initFor('AGENT_UNAVAILABLE', 'HTTP 503 from agent', { cause, status: 503, retryAfterMs: 2000, agent: 'a1' }));
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('WardenError');
    expect(e.cause).toBe(cause);
    expect(e).toMatchObject({ code: 'AGENT_UNAVAILABLE', status: 503, retryAfterMs: 2000, agent: 'a1' });
    expect(e.stack).toContain('WardenError.test.ts');
  });

  it('has no cause property at all when none is given', () => {
    const e = new WardenError(initFor('INTERNAL', 'oops'));
    expect(Object.hasOwn(e, 'cause')).toBe(false);
  });

  it('serialises to ErrorInfo with only the optional fields that are set', () => {
    const plain = new WardenError(initFor('AGENT_ERROR', 'boom', { agent: 'a1', details: { x: 1 } }));
    expect(plain.toJSON()).toEqual({
      code: 'AGENT_ERROR',
      category: 'logic',
      severity: 'medium',
      retryable: false,
      message: 'boom',
    });
    const http = new WardenError(
      initFor('RATE_LIMITED', 'slow down', { status: 429, retryAfterMs: 0, details: { agentErrorCode: 'QUOTA' } }),
    );
    expect(JSON.parse(JSON.stringify(http))).toEqual({
      code: 'RATE_LIMITED',
      category: 'transient',
      severity: 'low',
      retryable: true,
      message: 'slow down',
      status: 429,
      retryAfterMs: 0,
      agentErrorCode: 'QUOTA',
    });
    expect(errorInfoSchema.parse(http.toJSON())).toEqual(http.toJSON());
  });
});

describe('initFor', () => {
  it('starts from the code table and lets extra override it', () => {
    expect(initFor('AGENT_TIMEOUT', 'm')).toMatchObject({ category: 'transient', severity: 'medium', retryable: true });
    expect(initFor('AGENT_TIMEOUT', 'm', { retryable: false, severity: 'high' })).toMatchObject({
      category: 'transient',
      severity: 'high',
      retryable: false,
    });
  });

  it('gives a custom code logic, medium, not retryable', () => {
    expect(initFor('MODEL_LOADING', 'm')).toMatchObject({ category: 'logic', severity: 'medium', retryable: false });
  });
});

describe('isWardenError', () => {
  it('accepts a WardenError', () => {
    expect(isWardenError(new WardenError(initFor('INTERNAL', 'x')))).toBe(true);
  });

  it('accepts an error from another copy of the library by its marker', () => {
    const foreign = { __wardenError: true, code: 'AGENT_TIMEOUT', message: 'from another copy' };
    expect(foreign instanceof WardenError).toBe(false);
    expect(isWardenError(foreign)).toBe(true);
  });

  it.each([[new Error('x')], [{ __wardenError: 'yes' }], [{ code: 'AGENT_TIMEOUT' }], [null], [undefined], ['AGENT_TIMEOUT']])(
    'rejects %j',
    (value) => {
      expect(isWardenError(value)).toBe(false);
    },
  );
});

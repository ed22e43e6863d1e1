import { describe, it, expect } from 'vitest';
import { AgentTimeoutError, AuthError, CircuitOpenError, RateLimitedError, wardenError } from './errorClasses.js';
import { WardenError, isWardenError } from './WardenError.js';

describe('wardenError', () => {
  it.each([
    ['AGENT_TIMEOUT', AgentTimeoutError, 'AgentTimeoutError'],
    ['RATE_LIMITED', RateLimitedError, 'RateLimitedError'],
    ['AUTH_FAILED', AuthError, 'AuthError'],
    ['CIRCUIT_OPEN', CircuitOpenError, 'CircuitOpenError'],
  ] as const)('builds %s as its named subclass', (code, Class, name) => {
    const e = wardenError(code, 'm');
    expect(e).toBeInstanceOf(Class);
    expect(e).toBeInstanceOf(WardenError);
    expect(e.name).toBe(name);
    expect(e.code).toBe(code);
    expect(isWardenError(e)).toBe(true);
  });

  it('builds other codes as a plain WardenError with the table defaults', () => {
    const e = wardenError('STORE_ERROR', 'disk I/O error');
    expect(e.constructor).toBe(WardenError);
    expect(e.name).toBe('WardenError');
    expect(e.toJSON()).toEqual({
      code: 'STORE_ERROR',
      category: 'system',
      severity: 'critical',
      retryable: true,
      message: 'disk I/O error',
    });
  });

  it('lets extra override the defaults and set context', () => {
    const cause = new Error('inner');
    const issues = [{ path: 'input.content', message: 'Required' }];
    const e = wardenError('INPUT_INVALID', 'bad input', {
      severity: 'high',
      retryable: true,
      category: 'external',
      cause,
      issues,
      details: { workflow: 'code-review' },
    });
    expect(e).toMatchObject({ severity: 'high', retryable: true, category: 'external', issues });
    expect(e.cause).toBe(cause);
    expect(e.details).toEqual({ workflow: 'code-review' });
  });

  it('gives a custom code the custom defaults', () => {
    const e = wardenError('MODEL_LOADING', 'loading');
    expect(e).toMatchObject({ code: 'MODEL_LOADING', category: 'logic', severity: 'medium', retryable: false });
  });

  it('shows the subclass name when printed', () => {
    expect(String(new AgentTimeoutError('too slow'))).toBe('AgentTimeoutError: too slow');
  });
});

import { describe, expect, it } from 'vitest';
import { abortError } from './abortError.js';

describe('abortError', () => {
  it('is AGENT_TIMEOUT, retryable, when the signal timed out', async () => {
    const signal = AbortSignal.timeout(1);
    await new Promise((r) => signal.addEventListener('abort', r));
    expect(abortError(signal)).toMatchObject({ code: 'AGENT_TIMEOUT', retryable: true });
  });

  it('is AGENT_TIMEOUT for any reason named TimeoutError', () => {
    const c = new AbortController();
    c.abort(Object.assign(new Error('deadline'), { name: 'TimeoutError' }));
    expect(abortError(c.signal).code).toBe('AGENT_TIMEOUT');
  });

  it('is CANCELLED for any other reason, keeping the reason as cause', () => {
    const c = new AbortController();
    const reason = new Error('task cancelled by user');
    c.abort(reason);
    const err = abortError(c.signal);
    expect(err.code).toBe('CANCELLED');
    expect(err.cause).toBe(reason);
  });
});

import { describe, expect, it } from 'vitest';
import { wardenError } from '../errors/index.js';
import { forAgent } from './forAgent.js';

describe('forAgent', () => {
  it('sets the agent unless the error already names one', () => {
    expect(forAgent(wardenError('AGENT_ERROR', 'x'), 'a').agent).toBe('a');
    expect(forAgent(wardenError('AGENT_ERROR', 'x', { agent: 'b' }), 'a').agent).toBe('b');
  });

  it('redacts secrets from the message, the stack and the cause', () => {
    const cause = new TypeError('bad header value "sk-123"');
    const err = forAgent(wardenError('AGENT_ERROR', 'failed with sk-123', { cause }), 'a', ['sk-123', '']);
    expect(err.message).toBe('failed with [redacted]');
    expect(err.stack).not.toContain('sk-123');
    expect((err.cause as Error).message).toBe('bad header value "[redacted]"');
    expect((err.cause as Error).name).toBe('TypeError');
  });
});

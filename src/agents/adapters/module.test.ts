import { describe, expect, it } from 'vitest';
import { agentRequest, failure, never, testContext } from '../../../test/fixtures/agents/helpers.js';
import { moduleAdapter } from './module.js';

const fixture = (exportName: string) =>
  moduleAdapter('mod', { type: 'module', path: './module-agent.js', export: exportName }, testContext());

describe('moduleAdapter', () => {
  it('calls the exported function with the request and a signal, and answers with what it resolves', async () => {
    await expect(fixture('default').call(agentRequest(), never)).resolves.toEqual({
      received: { content: 'hello' },
      agent: 'reviewer',
      hasSignal: true,
    });
  });

  it('classifies what the function throws', async () => {
    const err = await failure(fixture('failing').call(agentRequest(), never));
    expect(err.code).toBe('CONNECTION_FAILED');
    expect(err.retryable).toBe(true);
    expect(err.agent).toBe('mod');
  });

  it('classifies a rejection carrying an HTTP status like the response it stands for', async () => {
    expect((await failure(fixture('rejectsWithStatus').call(agentRequest(), never))).code).toBe('AUTH_FAILED');
  });

  it('abandons a function that ignores its signal, throwing AGENT_TIMEOUT on a timeout abort', async () => {
    const controller = new AbortController();
    const call = failure(fixture('hanging').call(agentRequest(), controller.signal));
    controller.abort(new DOMException('late', 'TimeoutError'));
    expect((await call).code).toBe('AGENT_TIMEOUT');
  });

  it('throws CANCELLED without calling when the signal has already aborted', async () => {
    expect((await failure(fixture('default').call(agentRequest(), AbortSignal.abort()))).code).toBe('CANCELLED');
  });

  it('rejects an export that is not a function as CONFIG_INVALID', async () => {
    const err = await failure(fixture('notAFunction').call(agentRequest(), never));
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toContain('notAFunction');
  });

  it('rejects a module that cannot be imported as CONFIG_INVALID', async () => {
    const adapter = moduleAdapter('mod', { type: 'module', path: './no-such-module.js', export: 'default' }, testContext());
    const err = await failure(adapter.call(agentRequest(), never));
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.retryable).toBe(false);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { agentRequest, failure, never, reply, startServer, testContext } from '../../../test/fixtures/agents/helpers.js';
import type { RecordingServer } from '../../../test/fixtures/agents/helpers.js';
import { openaiAdapter } from './openai.js';

let server: RecordingServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A chat-completions server answering every request with `content`. */
function chatServer(content: string): Promise<RecordingServer> {
  return startServer((_req, res) =>
    reply(res, 200, {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      model: 'llama3:8b',
      choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 },
    }),
  );
}

describe('openaiAdapter', () => {
  it('posts a chat completion to <baseUrl>/chat/completions with the model, messages and bearer key from env', async () => {
    server = await chatServer('Looks good.');
    const adapter = openaiAdapter(
      'llm',
      {
        type: 'openai',
        baseUrl: `${server.url}/v1/`,
        model: 'llama3',
        apiKeyEnv: 'OPENAI_API_KEY',
        systemPrompt: 'You review code.',
        temperature: 0.2,
        maxTokens: 256,
      },
      testContext({ env: { OPENAI_API_KEY: 'sk-test-key' } }),
    );
    const output = await adapter.call(agentRequest({ input: { prompt: 'Review this diff' } }), never);

    const [req] = server.requests;
    expect(req?.path).toBe('/v1/chat/completions');
    expect(req?.headers['authorization']).toBe('Bearer sk-test-key');
    expect(req?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(req?.body ?? '')).toEqual({
      model: 'llama3',
      messages: [
        { role: 'system', content: 'You review code.' },
        { role: 'user', content: 'Review this diff' },
      ],
      temperature: 0.2,
      max_tokens: 256,
    });
    expect(output).toEqual({
      text: 'Looks good.',
      model: 'llama3:8b',
      usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 },
    });
  });

  it('sends a string input as is and other input as JSON, with no system message or key unless configured', async () => {
    server = await chatServer('ok');
    const adapter = openaiAdapter('llm', { type: 'openai', baseUrl: server.url, model: 'm', apiKeyEnv: 'UNSET_KEY' }, testContext());
    await adapter.call(agentRequest({ input: 'plain question' }), never);
    await adapter.call(agentRequest({ input: { content: 'x' } }), never);

    const bodies = server.requests.map((r) => JSON.parse(r.body) as { messages: unknown[] });
    expect(bodies[0]?.messages).toEqual([{ role: 'user', content: 'plain question' }]);
    expect(bodies[1]?.messages).toEqual([{ role: 'user', content: '{"content":"x"}' }]);
    expect(server.requests[0]?.headers['authorization']).toBeUndefined();
  });

  it('adds the parsed answer as json when the text is a JSON object, fenced or not', async () => {
    server = await chatServer('```json\n{"verdict":"approve","issues":[]}\n```');
    const adapter = openaiAdapter('llm', { type: 'openai', baseUrl: server.url, model: 'm' }, testContext());
    const output = (await adapter.call(agentRequest(), never)) as { json?: unknown };
    expect(output.json).toEqual({ verdict: 'approve', issues: [] });
  });

  it('refuses an answer without choices as AGENT_RESPONSE_MALFORMED', async () => {
    server = await startServer((_req, res) => reply(res, 200, { object: 'chat.completion', choices: [] }));
    const adapter = openaiAdapter('llm', { type: 'openai', baseUrl: server.url, model: 'm' }, testContext());
    const err = await failure(adapter.call(agentRequest(), never));
    expect(err.code).toBe('AGENT_RESPONSE_MALFORMED');
    expect(err.agent).toBe('llm');
  });

  it('classifies a 429 with Retry-After as RATE_LIMITED and keeps the key out of the message', async () => {
    server = await startServer((req, res) =>
      reply(res, 429, { error: { message: `rate limit for ${String(req.headers['authorization'])}` } }, { 'retry-after': '2' }),
    );
    const adapter = openaiAdapter(
      'llm',
      { type: 'openai', baseUrl: server.url, model: 'm', apiKeyEnv: 'KEY' },
      testContext({ env: { KEY: 'sk-secret-999' } }),
    );
    const err = await failure(adapter.call(agentRequest(), never));
    expect(err.code).toBe('RATE_LIMITED');
    expect(err.retryAfterMs).toBe(2000);
    expect(err.message).not.toContain('sk-secret-999');
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import {
  agentRequest,
  defaultProtocolBody,
  failure,
  never,
  reply,
  startServer,
  testContext,
} from '../../../test/fixtures/agents/helpers.js';
import type { RecordingServer } from '../../../test/fixtures/agents/helpers.js';
import { httpAdapter } from './http.js';

let server: RecordingServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('httpAdapter', () => {
  it('posts the protocol body with the protocol headers, configured headers and secret headers from env', async () => {
    server = await startServer((_req, res) => reply(res, 200, { output: { ok: true } }));
    const adapter = httpAdapter(
      'reviewer',
      { type: 'http', url: `${server.url}/run`, headers: { 'x-team': 'core' }, headersEnv: { 'x-api-key': 'REVIEWER_KEY' } },
      testContext({ env: { REVIEWER_KEY: 's3cret-value' } }),
    );
    await adapter.call(agentRequest(), never);

    const [req] = server.requests;
    expect(req?.method).toBe('POST');
    expect(req?.path).toBe('/run');
    expect(req?.headers['content-type']).toBe('application/json');
    expect(req?.headers['idempotency-key']).toBe('task-1:reviewer');
    expect(req?.headers['x-warden-task-id']).toBe('task-1');
    expect(req?.headers['x-team']).toBe('core');
    expect(req?.headers['x-api-key']).toBe('s3cret-value');
    expect(JSON.parse(req?.body ?? '')).toEqual(defaultProtocolBody);
  });

  it('does not let configured headers override the protocol headers', async () => {
    server = await startServer((_req, res) => reply(res, 200, {}));
    const adapter = httpAdapter(
      'reviewer',
      { type: 'http', url: server.url, headers: { 'idempotency-key': 'mine', 'x-warden-task-id': 'other' } },
      testContext(),
    );
    await adapter.call(agentRequest(), never);
    expect(server.requests[0]?.headers['idempotency-key']).toBe('task-1:reviewer');
    expect(server.requests[0]?.headers['x-warden-task-id']).toBe('task-1');
  });

  it('answers with the body output field when there is one', async () => {
    server = await startServer((_req, res) => reply(res, 200, { output: { summary: 'fine' }, meta: 1 }));
    const adapter = httpAdapter('reviewer', { type: 'http', url: server.url }, testContext());
    await expect(adapter.call(agentRequest(), never)).resolves.toEqual({ summary: 'fine' });
  });

  it('answers with the whole body when it has no output field', async () => {
    server = await startServer((_req, res) => reply(res, 201, { summary: 'fine' }));
    const adapter = httpAdapter('reviewer', { type: 'http', url: server.url }, testContext());
    await expect(adapter.call(agentRequest(), never)).resolves.toEqual({ summary: 'fine' });
  });

  it('classifies a 503 with Retry-After: 1 as retryable with a 1000 ms delay', async () => {
    server = await startServer((_req, res) => reply(res, 503, 'busy', { 'retry-after': '1' }));
    const adapter = httpAdapter('reviewer', { type: 'http', url: server.url }, testContext());
    const err = await failure(adapter.call(agentRequest(), never));
    expect(err.retryable).toBe(true);
    expect(err.retryAfterMs).toBe(1000);
    expect(err.status).toBe(503);
    expect(err.agent).toBe('reviewer');
  });

  it('classifies a 401 as AUTH_FAILED, not retryable', async () => {
    server = await startServer((_req, res) => reply(res, 401, { error: 'no' }));
    const adapter = httpAdapter('reviewer', { type: 'http', url: server.url }, testContext());
    const err = await failure(adapter.call(agentRequest(), never));
    expect(err.code).toBe('AUTH_FAILED');
    expect(err.retryable).toBe(false);
  });

  it('takes the message and agent code of an error response from its { error } body', async () => {
    server = await startServer((_req, res) => reply(res, 422, { error: { code: 'DIFF_TOO_LARGE', message: 'the diff is over 1 MB' } }));
    const adapter = httpAdapter('reviewer', { type: 'http', url: server.url }, testContext());
    const err = await failure(adapter.call(agentRequest(), never));
    expect(err.message).toBe('the diff is over 1 MB');
    expect(err.details?.['agentErrorCode']).toBe('DIFF_TOO_LARGE');
    expect(err.retryable).toBe(false);
  });

  it('refuses a 200 whose body is not JSON as AGENT_RESPONSE_MALFORMED, quoting the body', async () => {
    server = await startServer((_req, res) => reply(res, 200, '<html>oops</html>'));
    const adapter = httpAdapter('reviewer', { type: 'http', url: server.url }, testContext());
    const err = await failure(adapter.call(agentRequest(), never));
    expect(err.code).toBe('AGENT_RESPONSE_MALFORMED');
    expect(err.message).toContain('<html>oops</html>');
    expect(err.agent).toBe('reviewer');
  });

  it('refuses an empty 200 as AGENT_RESPONSE_MALFORMED', async () => {
    server = await startServer((_req, res) => reply(res, 200, ''));
    const adapter = httpAdapter('reviewer', { type: 'http', url: server.url }, testContext());
    expect((await failure(adapter.call(agentRequest(), never))).code).toBe('AGENT_RESPONSE_MALFORMED');
  });

  it('classifies a refused connection as CONNECTION_FAILED, retryable', async () => {
    const closed = await startServer(() => undefined);
    await closed.close();
    const adapter = httpAdapter('reviewer', { type: 'http', url: closed.url }, testContext());
    const err = await failure(adapter.call(agentRequest(), never));
    expect(err.code).toBe('CONNECTION_FAILED');
    expect(err.retryable).toBe(true);
    expect(err.agent).toBe('reviewer');
  });

  it('throws AGENT_TIMEOUT when the signal aborts with a TimeoutError', async () => {
    const controller = new AbortController();
    server = await startServer(() => controller.abort(new DOMException('too slow', 'TimeoutError')));
    const adapter = httpAdapter('reviewer', { type: 'http', url: server.url }, testContext());
    const err = await failure(adapter.call(agentRequest(), controller.signal));
    expect(err.code).toBe('AGENT_TIMEOUT');
    expect(err.retryable).toBe(true);
  });

  it('throws CANCELLED when the signal aborts for any other reason', async () => {
    const controller = new AbortController();
    server = await startServer(() => controller.abort());
    const adapter = httpAdapter('reviewer', { type: 'http', url: server.url }, testContext());
    const err = await failure(adapter.call(agentRequest(), controller.signal));
    expect(err.code).toBe('CANCELLED');
  });

  it('throws at once, sending nothing, when the signal has already aborted', async () => {
    server = await startServer((_req, res) => reply(res, 200, {}));
    const adapter = httpAdapter('reviewer', { type: 'http', url: server.url }, testContext());
    const err = await failure(adapter.call(agentRequest(), AbortSignal.abort()));
    expect(err.code).toBe('CANCELLED');
    expect(server.requests).toHaveLength(0);
  });

  it('fails with CONFIG_INVALID naming the variable, not a value, when a secret header variable is unset', async () => {
    server = await startServer((_req, res) => reply(res, 200, {}));
    const adapter = httpAdapter(
      'reviewer',
      { type: 'http', url: server.url, headersEnv: { authorization: 'REVIEWER_TOKEN' } },
      testContext(),
    );
    const err = await failure(adapter.call(agentRequest(), never));
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toContain('REVIEWER_TOKEN');
    expect(server.requests).toHaveLength(0);
  });

  it('never puts a secret header value in an error message, even when the platform quotes it', async () => {
    const secret = 'tok\nen-with-a-newline';
    const adapter = httpAdapter(
      'reviewer',
      { type: 'http', url: 'http://127.0.0.1:9/run', headersEnv: { authorization: 'TOKEN' } },
      testContext({ env: { TOKEN: secret } }),
    );
    const err = await failure(adapter.call(agentRequest(), never));
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).not.toContain('tok');
    expect(JSON.stringify(err.toJSON())).not.toContain('en-with-a-newline');
  });

  it('redacts a secret header value that an agent echoes into its error body', async () => {
    server = await startServer((req, res) =>
      reply(res, 401, { error: { code: 'BAD_KEY', message: `key ${String(req.headers['x-api-key'])} is revoked` } }),
    );
    const adapter = httpAdapter(
      'reviewer',
      { type: 'http', url: server.url, headersEnv: { 'x-api-key': 'KEY' } },
      testContext({ env: { KEY: 'sk-live-123456' } }),
    );
    const err = await failure(adapter.call(agentRequest(), never));
    expect(err.message).toBe('key [redacted] is revoked');
  });

  it('does not follow redirects, so secret headers stay with the configured host', async () => {
    const elsewhere = await startServer((_req, res) => reply(res, 200, { output: 'stolen' }));
    server = await startServer((_req, res) => {
      res.writeHead(307, { location: `${elsewhere.url}/collect` });
      res.end();
    });
    const adapter = httpAdapter(
      'reviewer',
      { type: 'http', url: server.url, headersEnv: { 'x-api-key': 'KEY' } },
      testContext({ env: { KEY: 'sk-live-123456' } }),
    );
    const err = await failure(adapter.call(agentRequest(), never));
    expect(err.status).toBe(307);
    expect(elsewhere.requests).toHaveLength(0);
    await elsewhere.close();
  });
});

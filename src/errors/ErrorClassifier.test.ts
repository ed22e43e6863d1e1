import { describe, it, expect } from 'vitest';
import { ErrorClassifier } from './ErrorClassifier.js';
import { AgentTimeoutError, RateLimitedError, wardenError } from './errorClasses.js';
import { WardenError, isWardenError } from './WardenError.js';
import { SimulatedClock } from '../clock/index.js';

const NOW = Date.parse('2025-01-01T00:00:00Z');
const classifier = new ErrorClassifier([], { now: () => NOW });
const none = new Headers();
const sysError = (code: string, message = `${code.toLowerCase()} happened`) => Object.assign(new Error(message), { code });

describe('ErrorClassifier.fromHttpResponse', () => {
  it.each([
    [408, 'REQUEST_TIMEOUT', 'transient', true],
    [425, 'REQUEST_TIMEOUT', 'transient', true],
    [429, 'RATE_LIMITED', 'transient', true],
    [500, 'AGENT_HTTP_5XX', 'transient', true],
    [502, 'AGENT_UNAVAILABLE', 'transient', true],
    [503, 'AGENT_UNAVAILABLE', 'transient', true],
    [504, 'AGENT_UNAVAILABLE', 'transient', true],
    [401, 'AUTH_FAILED', 'external', false],
    [403, 'AUTH_FAILED', 'external', false],
    [400, 'INVALID_REQUEST', 'logic', false],
    [404, 'INVALID_REQUEST', 'logic', false],
    [409, 'INVALID_REQUEST', 'logic', false],
    [422, 'INVALID_REQUEST', 'logic', false],
    [410, 'INVALID_REQUEST', 'logic', false],
    [413, 'INVALID_REQUEST', 'logic', false],
    [507, 'RESOURCE_EXHAUSTED', 'resource', true],
    [501, 'AGENT_HTTP_5XX', 'transient', false],
    [599, 'AGENT_HTTP_5XX', 'transient', true],
    [302, 'AGENT_ERROR', 'logic', false],
  ] as const)('classifies HTTP %i as %s (%s, retryable %s)', (status, code, category, retryable) => {
    const e = classifier.fromHttpResponse(status, none, '');
    expect(e).toMatchObject({ code, category, retryable, status });
    expect(e.message).toBe(`HTTP ${status} from agent`);
  });

  it('builds the named subclasses for 429 and 401', () => {
    expect(classifier.fromHttpResponse(429, none, '')).toBeInstanceOf(RateLimitedError);
    expect(classifier.fromHttpResponse(401, none, '').name).toBe('AuthError');
  });

  it('reads Retry-After in seconds', () => {
    const e = classifier.fromHttpResponse(429, new Headers({ 'retry-after': '7' }), '');
    expect(e.retryAfterMs).toBe(7000);
    expect(e.toJSON().retryAfterMs).toBe(7000);
  });

  it('reads Retry-After as an HTTP date against the injected clock', () => {
    const e = classifier.fromHttpResponse(503, new Headers({ 'retry-after': 'Wed, 01 Jan 2025 00:02:00 GMT' }), '');
    expect(e.retryAfterMs).toBe(120_000);
  });

  it('accepts a Clock as its options and reads the time from it', () => {
    const clock = new SimulatedClock(NOW);
    const c = new ErrorClassifier([], clock);
    clock.advance(60_000);
    const e = c.fromHttpResponse(503, new Headers({ 'retry-after': 'Wed, 01 Jan 2025 00:02:00 GMT' }), '');
    expect(e.retryAfterMs).toBe(60_000);
  });

  it('prefers retry-after-ms over Retry-After', () => {
    const h = new Headers({ 'retry-after': '10', 'retry-after-ms': '250' });
    expect(classifier.fromHttpResponse(429, h, '').retryAfterMs).toBe(250);
  });

  it('leaves retryAfterMs unset when Retry-After is garbage', () => {
    const e = classifier.fromHttpResponse(503, new Headers({ 'retry-after': 'later' }), '');
    expect(e.retryAfterMs).toBeUndefined();
    expect('retryAfterMs' in e.toJSON()).toBe(false);
  });

  it('takes the message and agent code from a JSON error body', () => {
    const body = JSON.stringify({ error: { code: 'MODEL_OVERLOADED', message: 'the model is overloaded' } });
    const e = classifier.fromHttpResponse(503, none, body);
    expect(e.code).toBe('AGENT_UNAVAILABLE');
    expect(e.message).toBe('the model is overloaded');
    expect(e.details).toEqual({ agentErrorCode: 'MODEL_OVERLOADED' });
    expect(e.toJSON().agentErrorCode).toBe('MODEL_OVERLOADED');
  });

  it('accepts an error body whose error is a plain string', () => {
    expect(classifier.fromHttpResponse(400, none, '{"error":"content is required"}').message).toBe('content is required');
  });

  it('puts the start of a non-JSON body in the message, at most 200 characters', () => {
    expect(classifier.fromHttpResponse(502, none, '<html>\n  Bad   gateway\n</html>').message).toBe(
      'HTTP 502 from agent: <html> Bad gateway </html>',
    );
    const long = classifier.fromHttpResponse(500, none, 'x'.repeat(5000));
    const snippet = long.message.slice('HTTP 500 from agent: '.length);
    expect(snippet.length).toBe(200);
    expect(snippet.endsWith('…')).toBe(true);
  });

  it('names the agent when told which one failed', () => {
    const e = classifier.fromHttpResponse(503, none, '', { agent: 'senior-ai-engineer' });
    expect(e.agent).toBe('senior-ai-engineer');
    expect(e.message).toBe('HTTP 503 from agent senior-ai-engineer');
  });
});

describe('ErrorClassifier.classify', () => {
  it('returns a WardenError unchanged', () => {
    const e = wardenError('OUTPUT_INVALID', 'bad output');
    expect(classifier.classify(e)).toBe(e);
  });

  it('returns a WardenError from another copy of the library unchanged', () => {
    const foreign = Object.assign(new Error('x'), { __wardenError: true, code: 'AGENT_TIMEOUT' });
    expect(classifier.classify(foreign)).toBe(foreign);
  });

  it('classifies an AbortSignal.timeout reason as AGENT_TIMEOUT', () => {
    const reason = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    const e = classifier.classify(reason);
    expect(e).toBeInstanceOf(AgentTimeoutError);
    expect(e).toMatchObject({ code: 'AGENT_TIMEOUT', retryable: true, message: reason.message });
    expect(e.cause).toBe(reason);
  });

  it('classifies a plain AbortError as CANCELLED', () => {
    const e = classifier.classify(new DOMException('This operation was aborted', 'AbortError'));
    expect(e).toMatchObject({ code: 'CANCELLED', retryable: false });
  });

  it('classifies an AbortError caused by a TimeoutError as AGENT_TIMEOUT', () => {
    const timeout = new DOMException('timed out', 'TimeoutError');
    // Node's own AbortError (timers/promises, child_process) keeps the signal's reason as cause
    const abort = Object.assign(new Error('The operation was aborted', { cause: timeout }), {
      name: 'AbortError',
      code: 'ABORT_ERR',
    });
    expect(classifier.classify(abort).code).toBe('AGENT_TIMEOUT');
  });

  it.each([
    ['ECONNREFUSED', 'CONNECTION_FAILED'],
    ['ECONNRESET', 'CONNECTION_FAILED'],
    ['ETIMEDOUT', 'CONNECTION_FAILED'],
    ['EAI_AGAIN', 'CONNECTION_FAILED'],
    ['EPIPE', 'CONNECTION_FAILED'],
    ['ENOTFOUND', 'CONNECTION_FAILED'],
    ['EHOSTUNREACH', 'CONNECTION_FAILED'],
    ['UND_ERR_SOCKET', 'CONNECTION_FAILED'],
    ['UND_ERR_CONNECT_TIMEOUT', 'CONNECTION_FAILED'],
    ['UND_ERR_SOMETHING_NEW', 'CONNECTION_FAILED'],
    ['UND_ERR_HEADERS_TIMEOUT', 'AGENT_TIMEOUT'],
    ['UND_ERR_BODY_TIMEOUT', 'AGENT_TIMEOUT'],
    ['ENOMEM', 'RESOURCE_EXHAUSTED'],
    ['EMFILE', 'RESOURCE_EXHAUSTED'],
    ['ENOSPC', 'RESOURCE_EXHAUSTED'],
    ['ERR_INVALID_URL', 'CONFIG_INVALID'],
    ['EWHATEVER', 'AGENT_ERROR'],
  ])('classifies Node error code %s as %s', (code, expected) => {
    const err = sysError(code, 'it broke');
    const e = classifier.classify(err);
    expect(e.code).toBe(expected);
    expect(e.cause).toBe(err);
    expect(e.details?.['errorCode']).toBe(code);
  });

  it("classifies undici's `fetch failed` by its cause's code", () => {
    const err = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9001'), { code: 'ECONNREFUSED' }),
    });
    const e = classifier.classify(err, { agent: 'a1' });
    expect(e).toMatchObject({ code: 'CONNECTION_FAILED', category: 'transient', retryable: true, agent: 'a1' });
    expect(e.message).toBe('fetch failed: connect ECONNREFUSED 127.0.0.1:9001');
    expect(e.cause).toBe(err);
  });

  it('classifies `fetch failed` whose cause is an AggregateError of one error per address', () => {
    const aggregate = new AggregateError(
      [sysError('ECONNREFUSED', 'connect ECONNREFUSED ::1:9001'), sysError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:9001')],
      '',
    );
    const e = classifier.classify(new TypeError('fetch failed', { cause: aggregate }));
    expect(e.code).toBe('CONNECTION_FAILED');
    expect(e.message).toBe('fetch failed: connect ECONNREFUSED ::1:9001');
  });

  it("keeps a cause's message when nothing recognises the failure", () => {
    const e = classifier.classify(new TypeError('fetch failed', { cause: new Error('bad port') }));
    expect(e).toMatchObject({ code: 'AGENT_ERROR', message: 'fetch failed: bad port' });
  });

  it('adopts the classification of a WardenError wrapped by another error', () => {
    const inner = wardenError('RATE_LIMITED', 'slow down', { retryAfterMs: 3000, status: 429 });
    const e = classifier.classify(new Error('agent step failed', { cause: inner }));
    expect(e).toBeInstanceOf(RateLimitedError);
    expect(e).toMatchObject({ retryAfterMs: 3000, status: 429, message: 'agent step failed: slow down' });
  });

  it('classifies an error-like object with an HTTP status by the status table', () => {
    const e = classifier.classify(Object.assign(new Error('Service Unavailable'), { status: 503 }));
    expect(e).toMatchObject({ code: 'AGENT_UNAVAILABLE', status: 503 });
  });

  it.each([
    ['Request timed out after 30s', 'AGENT_TIMEOUT'],
    ['operation timeout', 'AGENT_TIMEOUT'],
    ['Connection timed out', 'AGENT_TIMEOUT'],
    ['JavaScript heap out of memory', 'RESOURCE_EXHAUSTED'],
    ['Connection refused', 'CONNECTION_FAILED'],
    ['failed to connect to agent', 'CONNECTION_FAILED'],
    ['socket hang up', 'CONNECTION_FAILED'],
    ['Rate limit reached for requests', 'RATE_LIMITED'],
    ['429 Too Many Requests', 'RATE_LIMITED'],
    ['the agent disconnected', 'CONNECTION_FAILED'],
    ['reconnection budget spent', 'AGENT_ERROR'],
    ['something odd', 'AGENT_ERROR'],
  ])('classifies the message %j as %s', (message, code) => {
    expect(classifier.classify(new Error(message)).code).toBe(code);
  });

  it('classifies a thrown string by its text and keeps it as cause', () => {
    const e = classifier.classify('upstream timed out');
    expect(e).toMatchObject({ code: 'AGENT_TIMEOUT', message: 'upstream timed out' });
    expect(e.cause).toBe('upstream timed out');
  });

  it('classifies a plain object by its code and message', () => {
    const thrown = { code: 'ECONNRESET', message: 'read ECONNRESET' };
    const e = classifier.classify(thrown);
    expect(e).toMatchObject({ code: 'CONNECTION_FAILED', message: 'read ECONNRESET' });
    expect(e.cause).toBe(thrown);
  });

  it.each([
    [undefined, 'non-error value thrown: undefined'],
    [42, 'non-error value thrown: 42'],
    [{ foo: 1 }, 'non-error value thrown: {"foo":1}'],
    [new Error(''), 'Error without a message'],
  ])('classifies %j as AGENT_ERROR with a readable message', (thrown, message) => {
    const e = classifier.classify(thrown);
    expect(e).toMatchObject({ code: 'AGENT_ERROR', message });
    expect(isWardenError(e)).toBe(true);
  });

  it('survives a cause cycle', () => {
    const a = new Error('a') as Error & { cause?: unknown };
    const b = new Error('b', { cause: a });
    a.cause = b;
    expect(classifier.classify(a).code).toBe('AGENT_ERROR');
  });
});

describe('ErrorClassifier rules', () => {
  it('lets a rule make a 404 a retryable custom code', () => {
    const c = new ErrorClassifier([{ match: { status: 404 }, code: 'MODEL_LOADING', retryable: true }]);
    const e = c.fromHttpResponse(404, new Headers({ 'retry-after': '2' }), 'not loaded yet');
    expect(e).toMatchObject({
      code: 'MODEL_LOADING',
      category: 'logic',
      severity: 'medium',
      retryable: true,
      status: 404,
      retryAfterMs: 2000,
    });
    expect(e.message).toBe('HTTP 404 from agent: not loaded yet');
  });

  it("gives a rule's built-in code that code's defaults", () => {
    const c = new ErrorClassifier([{ match: { agentErrorCode: 'QUOTA' }, code: 'RATE_LIMITED' }]);
    const e = c.fromHttpResponse(400, none, '{"error":{"code":"QUOTA","message":"quota used up"}}');
    expect(e).toBeInstanceOf(RateLimitedError);
    expect(e).toMatchObject({ category: 'transient', severity: 'low', retryable: true, message: 'quota used up' });
  });

  it('drops the built-in overrides of a re-coded status', () => {
    // 501 is built in as AGENT_HTTP_5XX but not retryable; re-coded, it takes the new code's defaults
    const c = new ErrorClassifier([{ match: { status: 501 }, code: 'AGENT_UNAVAILABLE' }]);
    expect(c.fromHttpResponse(501, none, '').retryable).toBe(true);
  });

  it('uses the first matching rule', () => {
    const c = new ErrorClassifier([
      { match: { status: [500, 502] }, code: 'FIRST' },
      { match: { status: 500 }, code: 'SECOND' },
    ]);
    expect(c.fromHttpResponse(500, none, '').code).toBe('FIRST');
    expect(c.fromHttpResponse(503, none, '').code).toBe('AGENT_UNAVAILABLE');
  });

  it('matches a Node error code in the cause chain and the message case-insensitively', () => {
    const c = new ErrorClassifier([
      { match: { errorCode: 'ENOTFOUND' }, code: 'CONFIG_INVALID' },
      { match: { message: 'context length' }, code: 'CONTEXT_TOO_LONG', severity: 'low' },
    ]);
    const dns = new TypeError('fetch failed', { cause: sysError('ENOTFOUND', 'getaddrinfo ENOTFOUND agent.local') });
    const e = c.classify(dns);
    expect(e).toMatchObject({ code: 'CONFIG_INVALID', category: 'system', retryable: false });
    expect(e.cause).toBe(dns);
    expect(c.classify(new Error('Maximum Context Length exceeded'))).toMatchObject({ code: 'CONTEXT_TOO_LONG', severity: 'low' });
    expect(c.fromHttpResponse(400, none, 'maximum context length is 8192 tokens').code).toBe('CONTEXT_TOO_LONG');
  });

  it('matches the agent code of a WardenError wrapped by another error', () => {
    const c = new ErrorClassifier([{ match: { agentErrorCode: 'QUOTA' }, code: 'QUOTA_EXHAUSTED', severity: 'critical' }]);
    const inner = c.fromHttpResponse(400, none, '{"error":{"code":"QUOTA","message":"no quota"}}');
    expect(inner.code).toBe('QUOTA_EXHAUSTED');
    const wrapped = new Error('step failed', {
      cause: wardenError('INVALID_REQUEST', 'no quota', { details: { agentErrorCode: 'QUOTA' } }),
    });
    expect(c.classify(wrapped)).toMatchObject({ code: 'QUOTA_EXHAUSTED', severity: 'critical' });
  });

  it('matches an error name', () => {
    const c = new ErrorClassifier([{ match: { name: 'TimeoutError' }, code: 'SLOW_AGENT', category: 'transient', retryable: false }]);
    const e = c.classify(new DOMException('timed out', 'TimeoutError'));
    expect(e).toMatchObject({ code: 'SLOW_AGENT', category: 'transient', retryable: false });
    expect(e).not.toBeInstanceOf(AgentTimeoutError);
  });

  it('does not re-classify an error that is already a WardenError', () => {
    const c = new ErrorClassifier([{ match: { message: '.' }, code: 'ANYTHING' }]);
    expect(c.classify(wardenError('CIRCUIT_OPEN', 'open')).code).toBe('CIRCUIT_OPEN');
  });

  it('rejects invalid rules with a CONFIG_INVALID error listing each problem', () => {
    let thrown: unknown;
    try {
      new ErrorClassifier([
        { match: {}, code: 'X' },
        { match: { message: '(' }, code: 'Y' },
      ]);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(WardenError);
    const e = thrown as WardenError;
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.issues?.map((i) => i.path)).toEqual(['rules.0.match', 'rules.1.match.message']);
    expect(e.message).toContain('rules.1.match.message: is not a valid regular expression');
  });
});

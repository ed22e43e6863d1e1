import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SlackChannelConfig } from '../../config/escalationSchema.js';
import { createRedactor, noRedaction } from '../redact.js';
import { sampleFacts } from '../render/sampleFacts.js';
import { ChannelError } from './Channel.js';
import { SlackChannel } from './slack.js';
import { SlackStandIn } from '../../../test/helpers/slackStandIn.js';

const TOKEN = 'xoxb-test-0123456789-abcdefghij';

let slack: SlackStandIn;
beforeAll(async () => {
  slack = await SlackStandIn.start();
});
afterAll(() => slack.close());
afterEach(() => slack.reset());

function channel(
  env: Record<string, string | undefined> = { SLACK_BOT_TOKEN: TOKEN },
  redact = noRedaction,
  apiUrl = slack.url,
): SlackChannel {
  const cfg: SlackChannelConfig = { type: 'slack', channel: '#engineering', tokenEnv: 'SLACK_BOT_TOKEN', apiUrl };
  return new SlackChannel('eng-slack', cfg, { env, redact, maxFieldChars: 1500 });
}

async function failure(p: Promise<unknown>): Promise<ChannelError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ChannelError);
  return e as ChannelError;
}

describe('SlackChannel.send', () => {
  it('posts the first message with the token as a bearer header and returns channel:ts', async () => {
    const facts = sampleFacts();
    const ref = await channel().send(facts);
    expect(ref).toEqual({ ref: 'C123:1700000000.000100' });
    const [post] = slack.of('chat.postMessage');
    expect(post!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(post!.headers['content-type']).toContain('application/x-www-form-urlencoded');
    expect(post!.params['channel']).toBe('#engineering');
    expect(post!.params['unfurl_links']).toBe('false');
    expect(post!.params['text']).toContain(facts.taskId);
    expect(post!.params['thread_ts']).toBeUndefined();
  });

  it('sends blocks that parse and hold the task id, severity, workflow, error codes, agents, timeline and link', async () => {
    const facts = sampleFacts();
    await channel().send(facts);
    const blocks = JSON.parse(slack.of('chat.postMessage')[0]!.params['blocks']!) as unknown[];
    expect(Array.isArray(blocks)).toBe(true);
    const all = JSON.stringify(blocks);
    for (const needle of [
      facts.taskId,
      'HIGH',
      'code-review',
      'AGENT_TIMEOUT, AUTH_FAILED, AGENT_UNAVAILABLE, FALLBACK_EXHAUSTED',
      'senior-backend-developer → senior-full-stack-developer → senior-ai-engineer',
      '09:27:23.131 attempting → waiting ATTEMPT_FAILED senior-backend-developer#1 AGENT_TIMEOUT',
      '09:27:54.621 routing → failed NO_AGENT FALLBACK_EXHAUSTED',
      `"url":"${facts.dashboardUrl}"`,
    ]) {
      expect(all).toContain(needle);
    }
  });

  it('redacts a secret from the environment that turns up in the facts', async () => {
    const secret = 'sk-prod-very-secret-key';
    await channel({ SLACK_BOT_TOKEN: TOKEN }, createRedactor([secret])).send(sampleFacts('firing', { input: { apiKey: secret } }));
    const { params } = slack.of('chat.postMessage')[0]!;
    expect(params['blocks']).not.toContain(secret);
    expect(params['blocks']).toContain('[redacted]');
  });

  it('never puts its own token in a message, even when the facts hold it', async () => {
    await channel().send(sampleFacts('firing', { input: `token ${TOKEN}` }));
    const { params } = slack.of('chat.postMessage')[0]!;
    expect(JSON.stringify(params)).not.toContain(TOKEN);
  });
});

describe('SlackChannel.followUp', () => {
  it('replies in the thread of the first message', async () => {
    const ch = channel();
    const parent = await ch.send(sampleFacts());
    const reply = await ch.followUp(sampleFacts('grouped'), parent);
    const [, post] = slack.of('chat.postMessage');
    expect(post!.params['thread_ts']).toBe('1700000000.000100');
    expect(post!.params['channel']).toBe('C123');
    expect(post!.params['text']).toContain('Repeated 6 more times');
    expect(reply.ref).toBe('C123:1700000000.000101');
    expect(slack.of('chat.update')).toHaveLength(0);
  });

  it.each([
    ['acknowledged', '[ACKNOWLEDGED]', '✅ Acknowledged by alice'],
    ['resolved', '[RESOLVED]', '🟢 Resolved: code-review succeeded again'],
  ] as const)('marks the first message %s with chat.update and replies in its thread', async (kind, mark, line) => {
    const ch = channel();
    const parent = await ch.send(sampleFacts());
    await ch.followUp(sampleFacts(kind), parent);
    const [update] = slack.of('chat.update');
    expect(update!.params['channel']).toBe('C123');
    expect(update!.params['ts']).toBe('1700000000.000100');
    expect(JSON.parse(update!.params['blocks']!)[0].text.text).toBe(`${mark} 🔴 HIGH · code-review failed`);
    const reply = slack.of('chat.postMessage')[1]!;
    expect(reply.params['thread_ts']).toBe('1700000000.000100');
    expect(reply.params['text']).toContain(line);
    // the update goes first: it is idempotent, so a retry after a failed reply posts no duplicate
    expect(slack.calls.map((s) => s.method)).toEqual(['chat.postMessage', 'chat.update', 'chat.postMessage']);
  });

  it('posts reminders and re-escalations to the channel as well as the thread', async () => {
    await channel().followUp(sampleFacts('re-escalated'), { ref: 'C123:1700000000.000100' });
    expect(slack.of('chat.postMessage')[0]!.params['reply_broadcast']).toBe('true');
  });

  it('still replies when the first message can no longer be edited', async () => {
    slack.script.set('chat.update', [{ body: { ok: false, error: 'cant_update_message' } }]);
    await channel().followUp(sampleFacts('resolved'), { ref: 'C123:1700000000.000100' });
    expect(slack.of('chat.postMessage')).toHaveLength(1);
  });

  it('posts no reply when the update fails in a way worth retrying', async () => {
    slack.script.set('chat.update', [{ status: 503, body: 'down' }]);
    const e = await failure(channel().followUp(sampleFacts('acknowledged'), { ref: 'C123:1700000000.000100' }));
    expect(e.retryable).toBe(true);
    expect(slack.of('chat.postMessage')).toHaveLength(0);
  });
});

describe('SlackChannel errors', () => {
  it('reports a 429 as retryable with retryAfterMs, without retrying by itself', async () => {
    slack.script.set('chat.postMessage', [{ status: 429, headers: { 'retry-after': '1' }, body: { ok: false, error: 'ratelimited' } }]);
    const started = Date.now();
    const e = await failure(channel().send(sampleFacts()));
    expect(e).toMatchObject({ name: 'ChannelError', code: 'CHANNEL_RATE_LIMITED', retryable: true, retryAfterMs: 1000 });
    expect(slack.calls).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(900);
  });

  it.each([
    ['invalid_auth', false, 'CHANNEL_AUTH'],
    ['token_revoked', false, 'CHANNEL_AUTH'],
    ['channel_not_found', false, 'CHANNEL_REJECTED'],
    ['invalid_blocks', false, 'CHANNEL_REJECTED'],
    ['internal_error', true, 'CHANNEL_UNAVAILABLE'],
    ['service_unavailable', true, 'CHANNEL_UNAVAILABLE'],
    ['ratelimited', true, 'CHANNEL_RATE_LIMITED'],
  ] as const)('reports ok:false %s as retryable=%s (%s)', async (error, retryable, code) => {
    slack.script.set('chat.postMessage', [{ body: { ok: false, error } }]);
    const e = await failure(channel().send(sampleFacts()));
    expect(e).toMatchObject({ retryable, code, providerCode: error });
    expect(e.message).toContain(error);
    expect(slack.calls).toHaveLength(1);
  });

  it.each([
    [500, true],
    [502, true],
    [503, true],
    [400, false],
    [404, false],
  ])('reports HTTP %i as retryable=%s', async (status, retryable) => {
    slack.script.set('chat.postMessage', [{ status, body: '<html>oops</html>' }]);
    const e = await failure(channel().send(sampleFacts()));
    expect(e).toMatchObject({ retryable, providerCode: String(status) });
    expect(slack.calls).toHaveLength(1);
  });

  it('reports an unreachable server as retryable', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const e = await failure(channel(undefined, undefined, `http://127.0.0.1:${port}/api/`).send(sampleFacts()));
    expect(e).toMatchObject({ code: 'CHANNEL_UNREACHABLE', retryable: true });
  });

  it('never puts the token in an error message', async () => {
    for (const reply of [{ body: { ok: false, error: 'invalid_auth' } }, { status: 500, body: `echo ${TOKEN}` }]) {
      slack.script.set('chat.postMessage', [reply]);
      const e = await failure(channel().send(sampleFacts()));
      expect(e.message).not.toContain(TOKEN);
      expect(JSON.stringify({ ...e, message: e.message, stack: e.stack })).not.toContain(TOKEN);
    }
  });

  it('fails every call with a non-retryable error naming the variable when the token is not set', async () => {
    const ch = channel({});
    for (const call of [ch.send(sampleFacts()), ch.followUp(sampleFacts('repeat'), { ref: 'C1:1.1' }), ch.verify()]) {
      const e = await failure(call);
      expect(e).toMatchObject({ code: 'CHANNEL_CONFIG', retryable: false });
      expect(e.message).toContain('SLACK_BOT_TOKEN');
    }
    expect(slack.calls).toHaveLength(0);
  });
});

describe('SlackChannel.sendTest', () => {
  it('posts a test message that says it is one and names the channel and who asked', async () => {
    const ref = await channel().sendTest({ channel: 'eng-slack', at: '2026-03-02T09:00:00.000Z', by: 'alice' });
    expect(ref).toEqual({ ref: 'C123:1700000000.000100' });
    const [post] = slack.posts();
    expect(post!.params['channel']).toBe('#engineering');
    expect(post!.params['text']).toBe('🧪 Test notification from Warden: channel eng-slack works. No action is needed.');
    expect(post!.params['blocks']).toContain('Sent by alice at 2026-03-02T09:00:00.000Z');
  });

  it("fails with the channel's error when Slack refuses it", async () => {
    slack.script.set('chat.postMessage', [{ body: { ok: false, error: 'channel_not_found' } }]);
    const e = await failure(channel().sendTest({ channel: 'eng-slack', at: 'now', by: 'alice' }));
    expect(e).toMatchObject({ code: 'CHANNEL_REJECTED', providerCode: 'channel_not_found' });
    expect(e.message).toContain('channel_not_found');
  });
});

describe('SlackChannel.verify', () => {
  it.each([
    ['with /api/', (origin: string) => `${origin}/api/`],
    ['with /api', (origin: string) => `${origin}/api`],
    ['without /api/', (origin: string) => origin],
    ['without /api/, with a slash', (origin: string) => `${origin}/`],
  ])('takes an apiUrl %s and calls the methods under /api/', async (_how, url) => {
    await channel(undefined, undefined, url(slack.origin)).verify();
    expect(slack.of('auth.test')).toHaveLength(1);
    expect(slack.calls).toEqual([]);
  });

  it('calls auth.test', async () => {
    await channel().verify();
    expect(slack.of('auth.test')).toHaveLength(1);
    expect(slack.of('auth.test')[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('rejects when Slack refuses the token', async () => {
    slack.script.set('auth.test', [{ body: { ok: false, error: 'invalid_auth' } }]);
    const e = await failure(channel().verify());
    expect(e).toMatchObject({ code: 'CHANNEL_AUTH', retryable: false });
  });
});

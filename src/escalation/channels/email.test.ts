import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import type { AddressObject, ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EmailChannelConfig } from '../../config/escalationSchema.js';
import { createRedactor, noRedaction } from '../redact.js';
import { sampleFacts } from '../render/sampleFacts.js';
import { ChannelError } from './Channel.js';
import { EmailChannel } from './email.js';

interface Received {
  mail: ParsedMail;
  envelopeTo: string[];
  user: string | undefined;
}

const received: Received[] = [];
/** SMTP reply codes to refuse the next messages with, one each. */
const refusals: number[] = [];

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  onAuth(auth, _session, cb) {
    if (auth.username === 'warden' && auth.password === 'smtp-secret-pw') cb(null, { user: auth.username });
    else cb(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
  },
  onData(stream, session, cb) {
    simpleParser(stream).then(
      (mail) => {
        const code = refusals.shift();
        if (code) return cb(Object.assign(new Error(code < 500 ? 'Try again later' : 'Mailbox unavailable'), { responseCode: code }));
        received.push({ mail, envelopeTo: session.envelope.rcptTo.map((r) => r.address), user: session.user as string | undefined });
        cb();
      },
      (err: Error) => cb(err),
    );
  },
});

let port = 0;
const open: EmailChannel[] = [];

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
afterEach(async () => {
  received.length = 0;
  refusals.length = 0;
  await Promise.all(open.splice(0).map((c) => c.close()));
});

function channel(opts: { port?: number; env?: Record<string, string>; auth?: boolean; redact?: (s: string) => string } = {}): EmailChannel {
  const cfg: EmailChannelConfig = {
    type: 'email',
    from: 'Warden <warden@example.com>',
    to: ['oncall@example.com', 'lead@example.com'],
    smtp: {
      host: '127.0.0.1',
      port: opts.port ?? port,
      secure: false,
      ...(opts.auth ? { userEnv: 'SMTP_USER', passwordEnv: 'SMTP_PASSWORD' } : {}),
    },
  };
  const ch = new EmailChannel('oncall-email', cfg, {
    env: opts.env ?? {},
    redact: opts.redact ?? noRedaction,
    maxFieldChars: 1500,
    timeoutMs: 2000,
  });
  open.push(ch);
  return ch;
}

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const p = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

async function failure(p: Promise<unknown>): Promise<ChannelError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ChannelError);
  return e as ChannelError;
}

const addresses = (a: AddressObject | AddressObject[] | undefined) => [a ?? []].flat().flatMap((x) => x.value.map((v) => v.address));

describe('EmailChannel.send', () => {
  it('sends one message with the contract subject, sender and recipients, and returns its Message-ID', async () => {
    const facts = sampleFacts();
    const ref = await channel().send(facts);
    expect(received).toHaveLength(1);
    const { mail, envelopeTo } = received[0]!;
    expect(mail.subject).toBe(`[WARDEN][HIGH] code-review failed — task ${facts.taskId}`);
    expect(addresses(mail.from)).toEqual(['warden@example.com']);
    expect(addresses(mail.to)).toEqual(['oncall@example.com', 'lead@example.com']);
    expect(envelopeTo).toEqual(['oncall@example.com', 'lead@example.com']);
    expect(mail.messageId).toBe(ref.ref);
    expect(mail.headers.get('x-warden-escalation')).toBe(facts.escalationId);
  });

  it('carries the same facts in the text and the HTML part', async () => {
    const facts = sampleFacts();
    await channel().send(facts);
    const { mail } = received[0]!;
    const html = String(mail.html);
    for (const needle of [
      facts.taskId,
      'AGENT_TIMEOUT, AUTH_FAILED, AGENT_UNAVAILABLE, FALLBACK_EXHAUSTED',
      'senior-backend-developer',
      'senior-full-stack-developer',
      'senior-ai-engineer',
      'FALLBACK_EXHAUSTED',
    ]) {
      expect(mail.text).toContain(needle);
      expect(html).toContain(needle);
    }
    expect(mail.text).toContain('09:27:23.131 attempting → waiting ATTEMPT_FAILED senior-backend-developer#1 AGENT_TIMEOUT');
    expect(html).toContain(
      '<td>09:27:23.131</td><td>attempting</td><td>→</td><td>waiting</td><td>ATTEMPT_FAILED</td><td>senior-backend-developer#1</td><td>AGENT_TIMEOUT</td>',
    );
    expect(mail.text).toContain(facts.dashboardUrl);
  });

  it('logs in with the credentials from the environment and never shows them', async () => {
    const env = { SMTP_USER: 'warden', SMTP_PASSWORD: 'smtp-secret-pw' };
    await channel({ auth: true, env, redact: createRedactor(Object.values(env)) }).send(
      sampleFacts('firing', { input: { pw: 'smtp-secret-pw' } }),
    );
    expect(received[0]!.user).toBe('warden');
    expect(received[0]!.mail.text).not.toContain('smtp-secret-pw');
    expect(received[0]!.mail.text).toContain('[redacted]');
  });

  it('redacts its own password even when the redactor it was given does not know it', async () => {
    await channel({ auth: true, env: { SMTP_USER: 'warden', SMTP_PASSWORD: 'smtp-secret-pw' } }).send(
      sampleFacts('firing', { output: 'smtp-secret-pw' }),
    );
    expect(String(received[0]!.mail.html)).not.toContain('smtp-secret-pw');
  });
});

describe('EmailChannel.followUp', () => {
  it('replies to the first message under its subject', async () => {
    const ch = channel();
    const parent = await ch.send(sampleFacts());
    const ref = await ch.followUp(sampleFacts('resolved'), parent);
    const reply = received[1]!.mail;
    expect(reply.inReplyTo).toBe(parent.ref);
    expect([reply.references].flat()).toContain(parent.ref);
    expect(reply.subject).toBe(`Re: [WARDEN][HIGH] code-review failed — task ${sampleFacts().taskId} (resolved)`);
    expect(reply.text).toContain('Resolved: code-review succeeded again');
    expect(ref.ref).toBe(reply.messageId);
    expect(ref.ref).not.toBe(parent.ref);
  });
});

describe('EmailChannel errors', () => {
  it('reports an SMTP 451 as retryable', async () => {
    refusals.push(451);
    const e = await failure(channel().send(sampleFacts()));
    expect(e).toMatchObject({ code: 'CHANNEL_UNAVAILABLE', retryable: true, providerCode: '451' });
  });

  it('reports an SMTP 550 as not retryable', async () => {
    refusals.push(550);
    const e = await failure(channel().send(sampleFacts()));
    expect(e).toMatchObject({ code: 'CHANNEL_REJECTED', retryable: false, providerCode: '550' });
  });

  it('reports refused credentials (535) as not retryable, without the password', async () => {
    const e = await failure(channel({ auth: true, env: { SMTP_USER: 'warden', SMTP_PASSWORD: 'wrong-password' } }).send(sampleFacts()));
    expect(e).toMatchObject({ code: 'CHANNEL_AUTH', retryable: false });
    expect(e.message).not.toContain('wrong-password');
  });

  it('reports a server that is down as retryable', async () => {
    const e = await failure(channel({ port: await closedPort() }).send(sampleFacts()));
    expect(e).toMatchObject({ code: 'CHANNEL_UNREACHABLE', retryable: true });
  });

  it('fails every call with a non-retryable error naming the variable when a credential is not set', async () => {
    const ch = channel({ auth: true, env: { SMTP_USER: 'warden' } });
    for (const call of [ch.send(sampleFacts()), ch.followUp(sampleFacts('repeat'), { ref: '<x@y>' }), ch.verify()]) {
      const e = await failure(call);
      expect(e).toMatchObject({ code: 'CHANNEL_CONFIG', retryable: false });
      expect(e.message).toContain('SMTP_PASSWORD');
      expect(e.message).not.toContain('SMTP_USER');
    }
    expect(received).toHaveLength(0);
  });
});

describe('EmailChannel.verify', () => {
  it('resolves against a running server', async () => {
    await expect(channel().verify()).resolves.toBeUndefined();
  });

  it('rejects against a closed port', async () => {
    const e = await failure(channel({ port: await closedPort() }).verify());
    expect(e.retryable).toBe(true);
  });
});

describe('EmailChannel.sendTest', () => {
  it('sends a test email under a subject of its own that says nothing failed', async () => {
    const { ref } = await channel().sendTest({ channel: 'oncall-email', at: '2026-03-02T09:00:00.000Z', by: 'alice' });
    expect(received).toHaveLength(1);
    const { mail, envelopeTo } = received[0]!;
    expect(mail.messageId).toBe(ref);
    expect(mail.subject).toBe('[WARDEN] Test notification — channel oncall-email');
    expect(mail.text).toContain('🧪 Test notification from Warden: channel oncall-email works. No action is needed.');
    expect(mail.text).toContain('Sent by alice at 2026-03-02T09:00:00.000Z');
    expect(mail.headers.get('x-warden-notification')).toBe('test');
    expect(envelopeTo).toEqual(['oncall@example.com', 'lead@example.com']);
  });

  it("fails with the channel's error when the server cannot be reached", async () => {
    const e = await failure(channel({ port: await closedPort() }).sendTest({ channel: 'oncall-email', at: 'now', by: 'alice' }));
    expect(e).toMatchObject({ code: 'CHANNEL_UNREACHABLE', channel: 'oncall-email' });
  });
});

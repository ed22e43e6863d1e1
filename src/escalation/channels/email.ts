/**
 * Email through SMTP as a notification channel.
 * @module
 */
import { createTransport } from 'nodemailer';
import type { SMTPPoolOptions, SMTPPoolSentMessageInfo, SendMailOptions, Transporter } from 'nodemailer';
import type { EmailChannelConfig } from '../../config/escalationSchema.js';
import { combineRedactors, createRedactor } from '../redact.js';
import type { Redactor } from '../redact.js';
import { renderEmail, renderEmailFiring } from '../render/email.js';
import type { EmailMessage } from '../render/email.js';
import type { NotificationFacts, RenderOptions } from '../render/NotificationFacts.js';
import { renderEmailTest, type TestNotice } from '../render/testNotice.js';
import { ChannelError, DEFAULT_MAX_FIELD_CHARS } from './Channel.js';
import type { Channel, ChannelContext, DeliveryRef } from './Channel.js';

/** Options of an {@link EmailChannel}. */
export interface EmailChannelOptions extends ChannelContext {
  /** How long to wait for a connection, the greeting, or any reply, in milliseconds. Defaults to 10000. */
  timeoutMs?: number;
}

/** Node and nodemailer codes for "the server could not be reached or dropped us". */
const CONNECTION_CODES = new Set([
  'ECONNECTION',
  'ETIMEDOUT',
  'ESOCKET',
  'EDNS',
  'EPROXY',
  'EMAXLIMIT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
/** Codes for credentials the server refused or that are missing. */
const AUTH_CODES = new Set(['EAUTH', 'ENOAUTH', 'EOAUTH2']);
/** Codes for a setup that will fail the same way every time. */
const CONFIG_CODES = new Set(['ECONFIG', 'ETLS', 'EREQUIRETLS']);
/** SMTP replies about authentication (RFC 4954). */
const AUTH_REPLIES = new Set([530, 534, 535, 538]);

/**
 * Sends escalations as emails through a pooled SMTP connection. Follow-ups are replies to the
 * first email (`In-Reply-To` and `References` hold its `Message-ID`) under the same subject
 * prefixed `Re:`, so mail clients thread them.
 *
 * @example
 * const mail = new EmailChannel('oncall-email', cfg, { env: process.env, redact, maxFieldChars: 1500 });
 * const { ref } = await mail.send(facts); // ref is the Message-ID
 */
export class EmailChannel implements Channel {
  readonly type = 'email' as const;
  readonly name: string;
  readonly #cfg: EmailChannelConfig;
  readonly #transport: Transporter<SMTPPoolSentMessageInfo, SMTPPoolOptions> | undefined;
  /** Set when the channel cannot work at all; every call fails with it. */
  readonly #configError: ChannelError | undefined;
  readonly #redact: Redactor;
  readonly #render: RenderOptions;

  constructor(name: string, cfg: EmailChannelConfig, ctx: EmailChannelOptions) {
    this.name = name;
    this.#cfg = cfg;
    const { userEnv, passwordEnv } = cfg.smtp;
    const user = userEnv ? ctx.env[userEnv] : undefined;
    const pass = passwordEnv ? ctx.env[passwordEnv] : undefined;
    this.#redact = combineRedactors(ctx.redact, createRedactor([user ?? '', pass ?? '']));
    this.#render = { maxFieldChars: ctx.maxFieldChars ?? DEFAULT_MAX_FIELD_CHARS, redact: this.#redact };
    const unset = [
      userEnv && !user ? `${userEnv} (smtp.userEnv)` : '',
      passwordEnv && !pass ? `${passwordEnv} (smtp.passwordEnv)` : '',
    ].filter(Boolean);
    if (unset.length > 0) {
      // reported on use rather than thrown here, so one unset variable cannot stop the engine starting
      this.#configError = new ChannelError(`email channel "${name}": the environment variable ${unset.join(' and ')} is not set`, {
        code: 'CHANNEL_CONFIG',
        retryable: false,
        channel: name,
      });
      return;
    }
    const timeout = ctx.timeoutMs ?? 10_000;
    this.#transport = createTransport({
      pool: true,
      host: cfg.smtp.host,
      port: cfg.smtp.port,
      secure: cfg.smtp.secure,
      ...(user !== undefined || pass !== undefined ? { auth: { user: user ?? '', pass: pass ?? '' } } : {}),
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
    });
  }

  async send(facts: NotificationFacts): Promise<DeliveryRef> {
    return this.#sendMail('sendMail', facts, renderEmailFiring(facts, this.#render), {});
  }

  async followUp(facts: NotificationFacts, parent: DeliveryRef): Promise<DeliveryRef> {
    return this.#sendMail('sendMail (follow-up)', facts, renderEmail(facts, this.#render), {
      inReplyTo: parent.ref,
      references: [parent.ref],
    });
  }

  async verify(): Promise<void> {
    const transport = this.#ready();
    try {
      await transport.verify();
    } catch (e) {
      throw toChannelError(e, this.name, 'verify', this.#redact);
    }
  }

  async sendTest(notice: TestNotice): Promise<DeliveryRef> {
    return this.#sendMail('sendMail (test)', undefined, renderEmailTest(notice, this.#redact), {});
  }

  async close(): Promise<void> {
    this.#transport?.close();
  }

  /** Sends `msg`; with `facts`, headers name the escalation and the kind of notification, else it is a test. */
  async #sendMail(what: string, facts: NotificationFacts | undefined, msg: EmailMessage, extra: SendMailOptions): Promise<DeliveryRef> {
    const transport = this.#ready();
    try {
      const info = await transport.sendMail({
        from: this.#cfg.from,
        to: this.#cfg.to,
        subject: msg.subject,
        text: msg.text,
        html: msg.html,
        headers: facts
          ? { 'X-Warden-Escalation': facts.escalationId, 'X-Warden-Notification': facts.kind }
          : { 'X-Warden-Notification': 'test' },
        ...extra,
      });
      return { ref: info.messageId };
    } catch (e) {
      throw toChannelError(e, this.name, what, this.#redact);
    }
  }

  #ready(): Transporter<SMTPPoolSentMessageInfo, SMTPPoolOptions> {
    if (this.#configError || !this.#transport) throw this.#configError;
    return this.#transport;
  }
}

/**
 * Classifies what nodemailer threw.
 *
 * - An SMTP reply 4xx: retryable (the server said "not now"). 5xx: not retryable, except 503
 *   (bad sequence of commands: a new connection can succeed, as nodemailer's own
 *   `isPermanentResponseCode` also says). 530/534/535/538 are credential problems.
 * - No reply at all (`ECONNECTION`, `ETIMEDOUT`, `ESOCKET`, `ECONNREFUSED`, …): retryable.
 * - Credentials (`EAUTH`) and setup (`ETLS`, `ECONFIG`) problems: not retryable.
 * - Anything else: retryable; the outbox's attempt limit bounds it.
 *
 * @internal
 */
export function toChannelError(e: unknown, channel: string, what: string, redact: Redactor): ChannelError {
  const err = (e ?? {}) as { message?: unknown; code?: unknown; originalCode?: unknown; responseCode?: unknown };
  const message = typeof err.message === 'string' ? err.message : String(e);
  const code = typeof err.code === 'string' ? err.code : undefined;
  const originalCode = typeof err.originalCode === 'string' ? err.originalCode : undefined;
  const reply = typeof err.responseCode === 'number' ? err.responseCode : undefined;
  const fail = (kind: ChannelError['code'], retryable: boolean, providerCode?: string) =>
    new ChannelError(redact(`email channel "${channel}": ${what} failed: ${message}`), {
      code: kind,
      retryable,
      channel,
      cause: e,
      ...(providerCode ? { providerCode } : {}),
    });

  if (reply !== undefined && reply >= 400 && reply < 600) {
    const providerCode = String(reply);
    if (AUTH_REPLIES.has(reply)) return fail('CHANNEL_AUTH', false, providerCode);
    if (reply < 500 || reply === 503) return fail('CHANNEL_UNAVAILABLE', true, providerCode);
    return fail('CHANNEL_REJECTED', false, providerCode);
  }
  const providerCode = originalCode && originalCode !== code ? `${code}/${originalCode}` : code;
  if (code && AUTH_CODES.has(code)) return fail('CHANNEL_AUTH', false, providerCode);
  if (code && CONFIG_CODES.has(code)) return fail('CHANNEL_CONFIG', false, providerCode);
  if (code === 'EENVELOPE') return fail('CHANNEL_REJECTED', false, providerCode);
  if ((code && CONNECTION_CODES.has(code)) || (originalCode && CONNECTION_CODES.has(originalCode))) {
    return fail('CHANNEL_UNREACHABLE', true, providerCode);
  }
  return fail('CHANNEL_ERROR', true, providerCode);
}

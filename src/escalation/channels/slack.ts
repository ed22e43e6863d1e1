/**
 * Slack (or any Slack-compatible server at `apiUrl`) as a notification channel.
 * @module
 */
import { ErrorCode, LogLevel, WebClient } from '@slack/web-api';
import type { Logger as SlackLogger, WebAPICallResult } from '@slack/web-api';
import type { SlackChannelConfig } from '../../config/escalationSchema.js';
import type { Logger } from '../../lifecycle/logger.js';
import { combineRedactors, createRedactor } from '../redact.js';
import type { Redactor } from '../redact.js';
import type { NotificationFacts, RenderOptions } from '../render/NotificationFacts.js';
import { renderSlackFiring, renderSlackParentUpdate, renderSlackReply } from '../render/slackBlocks.js';
import type { SlackMessage } from '../render/slackBlocks.js';
import { renderSlackTest, type TestNotice } from '../render/testNotice.js';
import { ChannelError, DEFAULT_MAX_FIELD_CHARS } from './Channel.js';
import type { Channel, ChannelContext, DeliveryRef } from './Channel.js';

/** Options of a {@link SlackChannel}. */
export interface SlackChannelOptions extends ChannelContext {
  /** How long one Web API call may take, in milliseconds. Defaults to 10000. */
  timeoutMs?: number;
}

/** Slack `error` values that mean "try again later". */
const TRANSIENT_ERRORS = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);
/** Slack `error` values that mean "slow down". */
const RATE_LIMIT_ERRORS = new Set(['ratelimited', 'rate_limited']);
/** Slack `error` values about the token or its grants. */
const AUTH_ERRORS = new Set([
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'no_permission',
  'missing_scope',
  'not_allowed_token_type',
  'access_denied',
  'ekm_access_denied',
  'org_login_required',
  'team_access_not_granted',
]);

/** Follow-ups that change the state of the first message, so it is updated as well as replied to. */
const MARKING_KINDS = new Set(['acknowledged', 'resolved']);
/** Follow-ups that must be seen by people not following the thread, so they are also posted to the channel. */
const BROADCAST_KINDS = new Set(['repeat', 're-escalated']);

/**
 * Posts escalations to a Slack channel with `chat.postMessage`, threads follow-ups under the
 * first message, and marks it acknowledged or resolved with `chat.update`.
 *
 * The Web API client never retries or waits on a rate limit by itself: the outbox owns retries,
 * so every failure comes straight back as a {@link ChannelError} with `retryable` and, for rate
 * limits, `retryAfterMs`.
 *
 * @example
 * const slack = new SlackChannel('eng-slack', { type: 'slack', channel: '#engineering', tokenEnv: 'SLACK_BOT_TOKEN' },
 *   { env: process.env, redact, maxFieldChars: 1500 });
 * const ref = await slack.send(facts); // { ref: 'C123:1700000000.000100' }
 */
export class SlackChannel implements Channel {
  readonly type = 'slack' as const;
  readonly name: string;
  readonly #cfg: SlackChannelConfig;
  readonly #client: WebClient | undefined;
  /** Set when the channel cannot work at all; every call fails with it. */
  readonly #configError: ChannelError | undefined;
  readonly #redact: Redactor;
  readonly #render: RenderOptions;
  readonly #logger: Logger | undefined;

  constructor(name: string, cfg: SlackChannelConfig, ctx: SlackChannelOptions) {
    this.name = name;
    this.#cfg = cfg;
    this.#logger = ctx.logger;
    const token = ctx.env[cfg.tokenEnv];
    this.#redact = combineRedactors(ctx.redact, createRedactor(token ? [token] : []));
    this.#render = { maxFieldChars: ctx.maxFieldChars ?? DEFAULT_MAX_FIELD_CHARS, redact: this.#redact };
    if (!token) {
      // reported on use rather than thrown here, so one unset variable cannot stop the engine starting
      this.#configError = new ChannelError(`slack channel "${name}": the environment variable ${cfg.tokenEnv} (tokenEnv) is not set`, {
        code: 'CHANNEL_CONFIG',
        retryable: false,
        channel: name,
      });
      return;
    }
    this.#client = new WebClient(token, {
      ...(cfg.apiUrl ? { slackApiUrl: slackApiBase(cfg.apiUrl) } : {}),
      // the outbox owns retries: no retries, no waiting out a 429 inside the client
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: ctx.timeoutMs ?? 10_000,
      logger: quietLogger(ctx.logger, name),
    });
  }

  async send(facts: NotificationFacts): Promise<DeliveryRef> {
    const msg = renderSlackFiring(facts, this.#render);
    const res = await this.#post(msg, {});
    return refOf(res, this.#cfg.channel);
  }

  async followUp(facts: NotificationFacts, parent: DeliveryRef): Promise<DeliveryRef> {
    const { channel, ts } = parseRef(parent.ref, this.#cfg.channel);
    if (MARKING_KINDS.has(facts.kind) && ts) {
      // chat.update first: it is idempotent, so when it fails and the outbox retries, no reply is posted twice
      try {
        await this.#call('chat.update', { channel, ts, ...renderSlackParentUpdate(facts, this.#render) });
      } catch (e) {
        if (!(e instanceof ChannelError) || e.retryable) throw e;
        // the message may be gone or too old to edit; the reply still carries the news
        this.#logger?.warn({ channel: this.name, escalation: facts.escalationId, err: e.message }, 'could not mark the Slack message');
      }
    }
    const msg = facts.kind === 'firing' ? renderSlackFiring(facts, this.#render) : renderSlackReply(facts, this.#render);
    const res = await this.#post(msg, {
      channel,
      ...(ts ? { thread_ts: ts } : {}),
      ...(ts && BROADCAST_KINDS.has(facts.kind) ? { reply_broadcast: true } : {}),
    });
    return refOf(res, channel);
  }

  async verify(): Promise<void> {
    await this.#call('auth.test', {});
  }

  async sendTest(notice: TestNotice): Promise<DeliveryRef> {
    const res = await this.#post(renderSlackTest(notice, this.#redact), {});
    return refOf(res, this.#cfg.channel);
  }

  async close(): Promise<void> {
    // WebClient holds no connections of its own (it uses the global fetch)
  }

  #post(msg: SlackMessage, extra: Record<string, unknown>): Promise<WebAPICallResult> {
    return this.#call('chat.postMessage', {
      channel: this.#cfg.channel,
      text: msg.text,
      blocks: msg.blocks,
      unfurl_links: false,
      unfurl_media: false,
      ...extra,
    });
  }

  async #call(method: string, args: Record<string, unknown>): Promise<WebAPICallResult> {
    if (this.#configError || !this.#client) throw this.#configError;
    try {
      // apiCall rather than the typed methods: the blocks are built as plain objects
      return await this.#client.apiCall(method, args);
    } catch (e) {
      throw toChannelError(e, this.name, method, this.#redact);
    }
  }
}

/**
 * Classifies what the Web API client threw.
 *
 * - 429 (`slack_webapi_rate_limited_error`), and `ok: false` with `ratelimited`: retryable, with
 *   `retryAfterMs` from `Retry-After`.
 * - `ok: false` with `internal_error`, `fatal_error`, `service_unavailable`, `request_timeout`: retryable.
 * - `ok: false` with any other error (`invalid_auth`, `channel_not_found`, `invalid_blocks`, …):
 *   not retryable; Slack meant it.
 * - HTTP 5xx or 408, and requests that got no answer (`slack_webapi_request_error`): retryable;
 *   other HTTP statuses: not.
 *
 * @internal
 */
export function toChannelError(e: unknown, channel: string, method: string, redact: Redactor): ChannelError {
  const where = `slack channel "${channel}": ${method} failed`;
  const fail = (
    code: ChannelError['code'],
    retryable: boolean,
    detail: string,
    extra: { providerCode?: string; retryAfterMs?: number } = {},
  ) => new ChannelError(redact(`${where}: ${detail}`), { code, retryable, channel, cause: e, ...extra });

  const coded = e as { code?: unknown };
  switch (coded.code) {
    case ErrorCode.RateLimitedError: {
      const seconds = (e as { retryAfter?: number }).retryAfter;
      return fail('CHANNEL_RATE_LIMITED', true, `rate limited${seconds !== undefined ? ` (retry after ${seconds} s)` : ''}`, {
        providerCode: 'ratelimited',
        ...(typeof seconds === 'number' && Number.isFinite(seconds) ? { retryAfterMs: seconds * 1000 } : {}),
      });
    }
    case ErrorCode.PlatformError: {
      const data = (e as { data?: { error?: unknown; response_metadata?: { retryAfter?: number } } }).data;
      const error = typeof data?.error === 'string' ? data.error : 'unknown_error';
      if (RATE_LIMIT_ERRORS.has(error)) {
        const seconds = data?.response_metadata?.retryAfter;
        return fail('CHANNEL_RATE_LIMITED', true, error, {
          providerCode: error,
          ...(typeof seconds === 'number' ? { retryAfterMs: seconds * 1000 } : {}),
        });
      }
      if (TRANSIENT_ERRORS.has(error)) return fail('CHANNEL_UNAVAILABLE', true, error, { providerCode: error });
      if (AUTH_ERRORS.has(error)) return fail('CHANNEL_AUTH', false, error, { providerCode: error });
      return fail('CHANNEL_REJECTED', false, error, { providerCode: error });
    }
    case ErrorCode.HTTPError: {
      const { statusCode, statusMessage } = e as { statusCode: number; statusMessage?: string };
      const detail = `HTTP ${statusCode}${statusMessage ? ` ${statusMessage}` : ''}`;
      // 408 is a timeout on the server's side, as retryable as a 5xx
      if (statusCode >= 500 || statusCode === 408) return fail('CHANNEL_UNAVAILABLE', true, detail, { providerCode: String(statusCode) });
      return fail('CHANNEL_REJECTED', false, detail, { providerCode: String(statusCode) });
    }
    case ErrorCode.RequestError: {
      const original = (e as { original?: Error & { cause?: { code?: unknown } } }).original;
      const why =
        typeof original?.cause?.code === 'string' ? original.cause.code : original?.name === 'TimeoutError' ? 'timeout' : undefined;
      return fail('CHANNEL_UNREACHABLE', true, `no answer${why ? ` (${why})` : ''}: ${original?.message ?? 'request failed'}`, {
        ...(why ? { providerCode: why } : {}),
      });
    }
  }
  const message = e instanceof Error ? e.message : String(e);
  // a 429 without a usable Retry-After comes back as a plain Error
  if (/rate limit|retry header/i.test(message)) return fail('CHANNEL_RATE_LIMITED', true, message, { providerCode: 'ratelimited' });
  return fail('CHANNEL_ERROR', true, message);
}

/**
 * The base URL the Web API client appends method names to. Slack's own is
 * `https://slack.com/api/`; a Slack-compatible server may be configured with or without the
 * `/api/` (`http://127.0.0.1:3000`, `…/api`, `…/api/` all mean `…/api/`), since without it every
 * call would go to `…/auth.test` and be answered 404.
 *
 * @example
 * slackApiBase('http://127.0.0.1:3000'); // 'http://127.0.0.1:3000/api/'
 */
export function slackApiBase(apiUrl: string): string {
  const base = apiUrl.replace(/\/+$/, '');
  return base.endsWith('/api') ? `${base}/` : `${base}/api/`;
}

/** The delivery ref of a posted message: the channel id Slack answered with, and the message ts. */
function refOf(res: WebAPICallResult, fallbackChannel: string): DeliveryRef {
  const { channel, ts } = res as { channel?: unknown; ts?: unknown };
  return { ref: `${typeof channel === 'string' && channel ? channel : fallbackChannel}:${typeof ts === 'string' ? ts : ''}` };
}

/** Splits a delivery ref `C123:1700000000.000100` into the channel id and the message ts. */
function parseRef(ref: string, fallbackChannel: string): { channel: string; ts: string } {
  const i = ref.indexOf(':');
  if (i < 0) return { channel: fallbackChannel, ts: ref };
  return { channel: ref.slice(0, i) || fallbackChannel, ts: ref.slice(i + 1) };
}

/**
 * The Web API client's logger: its failures come back to us as errors, so its own warnings
 * only go to the debug log, and nothing reaches stdout.
 */
function quietLogger(logger: Logger | undefined, channel: string): SlackLogger {
  let level = LogLevel.WARN;
  const forward = (msg: unknown[]): void => logger?.debug({ channel, slack: msg.map(String).join(' ') }, 'slack web api');
  return {
    debug() {},
    info() {},
    warn: (...msg: unknown[]) => forward(msg),
    error: (...msg: unknown[]) => forward(msg),
    setLevel(l: LogLevel) {
      level = l;
    },
    getLevel: () => level,
    setName() {},
  };
}

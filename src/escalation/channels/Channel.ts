/**
 * The interface every notification channel implements, and the one error they all fail with.
 * @module
 */
import type { Logger } from '../../lifecycle/logger.js';
import type { Redactor } from '../redact.js';
import type { NotificationFacts } from '../render/NotificationFacts.js';
import type { TestNotice } from '../render/testNotice.js';

/**
 * Where a sent message can be found again, to reply to it: for Slack the channel id and the
 * message's `ts` (`"C123:1700000000.000100"`), for email the SMTP `Message-ID`, for the log
 * `log:<escalationId>:<kind>`.
 */
export interface DeliveryRef {
  ref: string;
}

/**
 * Why a send failed, in words that mean the same for every channel:
 *
 * - `CHANNEL_CONFIG`: the channel cannot work as configured (e.g. the token's environment variable is unset).
 * - `CHANNEL_AUTH`: the service refused the credentials or their permissions.
 * - `CHANNEL_REJECTED`: the service refused this message for good (unknown channel, bad recipient, too long).
 * - `CHANNEL_RATE_LIMITED`: the service asked us to slow down; see `retryAfterMs`.
 * - `CHANNEL_UNAVAILABLE`: the service answered that it cannot take the message now (HTTP 5xx, SMTP 4xx).
 * - `CHANNEL_UNREACHABLE`: no answer at all: connection refused, reset or timed out.
 * - `CHANNEL_ERROR`: anything else.
 */
export type ChannelErrorCode =
  | 'CHANNEL_CONFIG'
  | 'CHANNEL_AUTH'
  | 'CHANNEL_REJECTED'
  | 'CHANNEL_RATE_LIMITED'
  | 'CHANNEL_UNAVAILABLE'
  | 'CHANNEL_UNREACHABLE'
  | 'CHANNEL_ERROR';

/** What a {@link ChannelError} is built from. */
export interface ChannelErrorInit {
  code: ChannelErrorCode;
  retryable: boolean;
  /** The least delay before trying this channel again, in milliseconds. */
  retryAfterMs?: number;
  /** The service's own word for the failure: a Slack `error`, an SMTP reply code, a socket `code`. */
  providerCode?: string;
  /** The channel's configured name. */
  channel?: string;
  cause?: unknown;
}

/**
 * A failed send, verify or follow-up. `retryable` tells the outbox whether trying the same
 * channel again may succeed; when it is false the outbox moves on to the next channel of the
 * severity at once. Messages never hold a secret: they name environment variables, not values.
 */
export class ChannelError extends Error {
  override name = 'ChannelError' as const;
  readonly code: ChannelErrorCode;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  readonly providerCode?: string;
  readonly channel?: string;
  // `declare` keeps the field from being redefined (as undefined) after `super` has set it
  declare readonly cause?: unknown;

  constructor(message: string, init: ChannelErrorInit) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.retryable = init.retryable;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
    if (init.providerCode !== undefined) this.providerCode = init.providerCode;
    if (init.channel !== undefined) this.channel = init.channel;
  }
}

/** True for a {@link ChannelError}, also one from another copy of this library. */
export function isChannelError(e: unknown): e is ChannelError {
  return e instanceof ChannelError || (e instanceof Error && e.name === 'ChannelError' && 'retryable' in e);
}

/** A place escalations are sent to. */
export interface Channel {
  /** The channel's configured name, e.g. `eng-slack`. */
  readonly name: string;
  readonly type: 'slack' | 'email' | 'log';
  /** First message of an escalation. */
  send(facts: NotificationFacts): Promise<DeliveryRef>;
  /** A follow-up in the thread of `parent` (and, for acknowledged/resolved, marks the parent). */
  followUp(facts: NotificationFacts, parent: DeliveryRef): Promise<DeliveryRef>;
  /** Checks the channel is reachable (Slack auth.test, SMTP verify). */
  verify(): Promise<void>;
  /** Sends a test notification, which says it is one (`warden channels test NAME`). */
  sendTest(notice: TestNotice): Promise<DeliveryRef>;
  close(): Promise<void>;
}

/** What every channel is built with. */
export interface ChannelContext {
  /** Where `tokenEnv`, `userEnv` and `passwordEnv` are looked up. */
  env: Readonly<Record<string, string | undefined>>;
  /** Applied to every piece of text sent. The channel also redacts its own credentials. */
  redact: Redactor;
  /** The longest input or output excerpt, in characters. Defaults to {@link DEFAULT_MAX_FIELD_CHARS}. */
  maxFieldChars?: number | undefined;
  /** Where the log channel writes, and where channels report what they skip. Defaults to none. */
  logger?: Logger | undefined;
}

/** The default longest input or output excerpt in a notification. */
export const DEFAULT_MAX_FIELD_CHARS = 1500;

/**
 * What Warden knows of each escalation channel's health, from everything that used it: the
 * verification at start, the supervisor's channels check, every notification sent and every
 * test notification.
 * @module
 */
import { z } from 'zod';
import type { Clock } from '../../clock/index.js';
import { iso } from '../../clock/iso.js';
import type { TestNotice } from '../render/testNotice.js';
import type { NotificationFacts } from '../render/NotificationFacts.js';
import type { Channel, DeliveryRef } from './Channel.js';

/** One channel's health, as `GET /api/health` shows it. */
export const channelHealthSchema = z.object({
  channel: z.string().describe('The configured name, e.g. eng-slack'),
  type: z.enum(['slack', 'email', 'log']),
  status: z
    .enum(['healthy', 'degraded', 'unhealthy', 'unknown'])
    .describe(
      'From the last outcome: healthy after a success; degraded when the service was up but slowed us down or refused one message; unhealthy when it could not be reached or refused the credentials; unknown before any outcome. The log channel is always healthy.',
    ),
  via: z.enum(['verify', 'send', 'test']).optional().describe('What the last outcome came from'),
  checkedAt: z.string().optional().describe('When, on the engine clock (ISO 8601)'),
  error: z
    .object({ code: z.string().describe('CHANNEL_UNREACHABLE, CHANNEL_AUTH, …'), message: z.string() })
    .optional()
    .describe('The last failure, while the channel has not succeeded since'),
});

/** One channel's health. */
export type ChannelHealth = z.infer<typeof channelHealthSchema>;

/** What one use of a channel was. */
type Use = NonNullable<ChannelHealth['via']>;

/**
 * Wraps channels so that every outcome of theirs is recorded: {@link watch} returns a channel
 * that behaves as the one given and reports to the monitor. Verifications of one channel that
 * overlap share one call, so the check at start and the supervisor's first check do not both
 * call Slack.
 *
 * @example
 * const monitor = new ChannelMonitor(clock);
 * const slack = monitor.watch(createChannel('eng-slack', cfg, ctx));
 * await slack.verify().catch(() => {});
 * monitor.health(); // [{ channel: 'eng-slack', type: 'slack', status: 'unhealthy', via: 'verify', error: { code: 'CHANNEL_AUTH', … } }]
 */
export class ChannelMonitor {
  readonly #clock: Clock;
  readonly #health = new Map<string, ChannelHealth>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** `channel`, with each outcome recorded here. */
  watch(channel: Channel): Channel {
    this.#health.set(channel.name, {
      channel: channel.name,
      type: channel.type,
      // the log channel cannot fail (see LogChannel), so it is never in doubt
      status: channel.type === 'log' ? 'healthy' : 'unknown',
    });
    return new WatchedChannel(channel, (use, err) => this.#record(channel, use, err));
  }

  /** Every watched channel's health, in the order they were watched. */
  health(): ChannelHealth[] {
    return [...this.#health.values()].map((h) => ({ ...h }));
  }

  /** One channel's health. */
  of(name: string): ChannelHealth | undefined {
    const h = this.#health.get(name);
    return h && { ...h };
  }

  #record(channel: Channel, via: Use, err: unknown): void {
    const checkedAt = iso(this.#clock.now());
    if (err === undefined) {
      this.#health.set(channel.name, { channel: channel.name, type: channel.type, status: 'healthy', via, checkedAt });
      return;
    }
    const code = typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : 'CHANNEL_ERROR';
    const message = err instanceof Error ? err.message : String(err);
    this.#health.set(channel.name, {
      channel: channel.name,
      type: channel.type,
      status: statusOf(code, via),
      via,
      checkedAt,
      error: { code, message },
    });
  }
}

/**
 * How bad a failure is for the channel as a whole. A rate limit, or one message refused while
 * sending (too long, bad blocks), says the service is up: degraded. Anything else (no answer,
 * refused credentials, a channel that does not exist) says escalations will not get through.
 */
function statusOf(code: string, via: Use): ChannelHealth['status'] {
  if (code === 'CHANNEL_RATE_LIMITED') return 'degraded';
  if (code === 'CHANNEL_REJECTED' && via === 'send') return 'degraded';
  return 'unhealthy';
}

/** A channel that reports each outcome; see {@link ChannelMonitor.watch}. */
class WatchedChannel implements Channel {
  readonly name: string;
  readonly type: Channel['type'];
  readonly #inner: Channel;
  readonly #report: (use: Use, err: unknown) => void;
  #verifying: Promise<void> | undefined;

  constructor(inner: Channel, report: (use: Use, err: unknown) => void) {
    this.#inner = inner;
    this.name = inner.name;
    this.type = inner.type;
    this.#report = report;
  }

  send(facts: NotificationFacts): Promise<DeliveryRef> {
    return this.#watched('send', () => this.#inner.send(facts));
  }

  followUp(facts: NotificationFacts, parent: DeliveryRef): Promise<DeliveryRef> {
    return this.#watched('send', () => this.#inner.followUp(facts, parent));
  }

  verify(): Promise<void> {
    this.#verifying ??= this.#watched('verify', () => this.#inner.verify()).finally(() => {
      this.#verifying = undefined;
    });
    return this.#verifying;
  }

  sendTest(notice: TestNotice): Promise<DeliveryRef> {
    return this.#watched('test', () => this.#inner.sendTest(notice));
  }

  close(): Promise<void> {
    return this.#inner.close();
  }

  async #watched<T>(use: Use, call: () => Promise<T>): Promise<T> {
    try {
      const result = await call();
      this.#report(use, undefined);
      return result;
    } catch (err) {
      this.#report(use, err);
      throw err;
    }
  }
}

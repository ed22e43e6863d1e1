/**
 * Building a channel from its configuration.
 * @module
 */
import type { ChannelConfig } from '../../config/escalationSchema.js';
import { silentLogger } from '../../lifecycle/logger.js';
import type { Channel, ChannelContext } from './Channel.js';
import { EmailChannel } from './email.js';
import { LogChannel } from './log.js';
import { SlackChannel } from './slack.js';

/**
 * The channel `cfg` describes, named `name`. It never throws: a channel whose secret is missing
 * from `ctx.env` is still built, and fails each send with a non-retryable `CHANNEL_CONFIG`
 * {@link ChannelError} naming the variable, so the outbox moves on to the next channel.
 *
 * @example
 * const slack = createChannel('eng-slack', config.escalation.channels['eng-slack'], { env: process.env, redact, logger });
 */
export function createChannel(name: string, cfg: ChannelConfig, ctx: ChannelContext): Channel {
  switch (cfg.type) {
    case 'slack':
      return new SlackChannel(name, cfg, ctx);
    case 'email':
      return new EmailChannel(name, cfg, ctx);
    case 'log':
      return new LogChannel(name, { logger: ctx.logger ?? silentLogger, redact: ctx.redact });
  }
}

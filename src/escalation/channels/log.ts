/**
 * The engine's log as a notification channel: the channel of low severity, and the last resort.
 * @module
 */
import type { Logger } from '../../lifecycle/logger.js';
import type { Redactor } from '../redact.js';
import { failureLine, listedFailures } from '../render/failures.js';
import type { NotificationFacts } from '../render/NotificationFacts.js';
import { type TestNotice, testNoticeLine } from '../render/testNotice.js';
import { followUpLine, kindEmoji, title } from '../render/summary.js';
import type { Channel, DeliveryRef } from './Channel.js';

/** The most failed attempts one log line lists; a long list keeps its first and last. */
const MAX_LOGGED_FAILURES = 10;

/** The one method the log channel needs: pino's `warn(obj, msg)`. */
export type WarnLogger = Pick<Logger, 'warn'>;

/**
 * Writes one structured warning per notification. It never fails: a log that throws is not a
 * reason to hold an escalation back, so errors of the logger itself are swallowed.
 *
 * @example
 * const console = new LogChannel('console', { logger, redact });
 * await console.send(facts); // { ref: 'log:esc_…:firing' }
 */
export class LogChannel implements Channel {
  readonly type = 'log' as const;
  readonly name: string;
  readonly #logger: WarnLogger;
  readonly #redact: Redactor;

  constructor(name: string, ctx: { logger: WarnLogger; redact: Redactor }) {
    this.name = name;
    this.#logger = ctx.logger;
    this.#redact = ctx.redact;
  }

  async send(facts: NotificationFacts): Promise<DeliveryRef> {
    return this.#write(facts, facts.kind === 'firing' ? `${title(facts)} — task ${facts.taskId}` : undefined);
  }

  async followUp(facts: NotificationFacts, _parent: DeliveryRef): Promise<DeliveryRef> {
    return this.#write(facts, undefined);
  }

  async verify(): Promise<void> {}

  async sendTest(notice: TestNotice): Promise<DeliveryRef> {
    try {
      this.#logger.warn({ channel: this.name, kind: 'test', by: this.#redact(notice.by) }, this.#redact(testNoticeLine(notice)));
    } catch {
      // see the class comment: the log channel never fails
    }
    return { ref: `log:test:${notice.at}` };
  }

  async close(): Promise<void> {}

  #write(facts: NotificationFacts, message: string | undefined): DeliveryRef {
    const r = this.#redact;
    const msg = message ?? `${kindEmoji(facts.kind)} ${facts.workflow}: ${followUpLine(facts)}`;
    const entry: Record<string, unknown> = {
      channel: this.name,
      escalation: r(facts.escalationId),
      kind: facts.kind,
      severity: facts.severity,
      workflow: r(facts.workflow),
      outcome: facts.outcome,
      taskId: r(facts.taskId),
      count: facts.count,
      finalErrorCode: r(facts.finalErrorCode),
      errorCodes: facts.errorCodes.map(r),
      agentsTried: facts.agentsTried.map(r),
    };
    if (facts.failures?.length) {
      entry['failures'] = listedFailures(facts.failures, MAX_LOGGED_FAILURES).map((f) => (typeof f === 'string' ? f : failureLine(f, r)));
    }
    if (facts.dashboardUrl) entry['dashboardUrl'] = r(facts.dashboardUrl);
    if (facts.ackedBy) entry['ackedBy'] = r(facts.ackedBy);
    if (facts.resolvedBy) entry['resolvedBy'] = r(facts.resolvedBy);
    if (facts.note) entry['note'] = r(facts.note);
    try {
      this.#logger.warn(entry, r(msg));
    } catch {
      // see the class comment: the log channel never fails
    }
    return { ref: `log:${facts.escalationId}:${facts.kind}` };
  }
}

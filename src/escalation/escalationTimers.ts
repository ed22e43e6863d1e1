/**
 * The durable timers of an escalation: repeat the notice while unacknowledged, and raise the
 * severity when nobody acknowledges it in time.
 * @internal
 */
import type { EscalationConfig } from '../config/index.js';
import type { Logger } from '../lifecycle/logger.js';
import { followUps, outboxRow } from './outboxRow.js';
import { nextSeverity } from './router.js';
import type { EscalationRecord, EscalationTimerKind, EscalationWrite } from './types.js';

type TimerChanges = NonNullable<EscalationWrite['timers']>;

/** The repeat and ack-timeout timers of `e` at its severity, from `now`; an ack timeout the route lacks is cleared. */
export function timersFor(config: EscalationConfig, e: EscalationRecord, now: number): TimerChanges {
  const route = config.severities[e.severity];
  const timers: TimerChanges = [];
  if (route.repeatEveryMs) timers.push({ ownerId: e.id, kind: 'esc-repeat', wakeAt: now + route.repeatEveryMs });
  timers.push({ ownerId: e.id, kind: 'esc-ack', wakeAt: route.ackTimeoutMs ? now + route.ackTimeoutMs : null });
  return timers;
}

/** Clears both timers of an escalation that was acknowledged or resolved. */
export const clearTimers = (id: string): TimerChanges => [
  { ownerId: id, kind: 'esc-repeat', wakeAt: null },
  { ownerId: id, kind: 'esc-ack', wakeAt: null },
];

/**
 * Writes into `write` what the `kind` timer of `e` firing at `now` changes: the timer is spent;
 * an open escalation sends a repeat (and sets the next one while the route repeats until
 * acknowledged) or, on an ack timeout, moves up a severity, telling its channels and adding the
 * new severity's.
 */
export function timerFired(
  config: EscalationConfig,
  logger: Logger,
  e: EscalationRecord,
  kind: EscalationTimerKind,
  write: EscalationWrite,
  now: number,
): void {
  write.timers!.push({ ownerId: e.id, kind, wakeAt: null });
  if (e.status !== 'open') return;
  const route = config.severities[e.severity];
  if (kind === 'esc-repeat') {
    e.repeats += 1;
    write.outbox.push(...followUps(e, 'repeat', now));
    if (route.untilAcked && route.repeatEveryMs) write.timers!.push({ ownerId: e.id, kind, wakeAt: now + route.repeatEveryMs });
    return;
  }
  // An ack timeout raises the severity, as PagerDuty escalation policies do.
  const next = nextSeverity(e.severity);
  if (!next) return;
  const from = e.severity;
  e.previousSeverity = from;
  e.severity = next;
  logger.warn({ escalation: e.id, from, to: next }, `escalation ${e.id} not acknowledged: raised from ${from} to ${next}`);
  write.outbox.push(...followUps(e, 're-escalated', now));
  for (const channel of config.severities[next].channels) {
    if (e.channels.some((c) => c.channel === channel)) continue;
    e.channels.push({ channel, delivered: false, attempts: 0, status: 'pending' });
    write.outbox.push(outboxRow(e.id, channel, 'firing', now, now));
  }
  write.timers!.push(...timersFor(config, e, now).filter((t) => t.kind === 'esc-ack' || t.wakeAt !== null));
}

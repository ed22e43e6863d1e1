/**
 * Outbox rows: the messages an escalation change queues, one per channel.
 * @internal
 */
import { randomUUID } from 'node:crypto';
import type { NotificationKind } from './render/NotificationFacts.js';
import type { EscalationRecord, OutboxRow } from './types.js';

/**
 * Window during which repeats of an open escalation are batched into one thread reply, like
 * Alertmanager's group_interval: 20 identical failures make 1 page and 1 update, not 20 pages.
 */
export const GROUP_INTERVAL_MS = 30_000;

/** A new pending message of `kind` to `channel`, due at `at`. */
export function outboxRow(escalationId: string, channel: string, kind: NotificationKind, at: number, now: number): OutboxRow {
  return { id: `out_${randomUUID()}`, escalationId, channel, kind, status: 'pending', attempts: 0, nextAttemptAt: at, createdAt: now };
}

/** A message of `kind` to each channel that still works, due now. */
export function followUps(e: EscalationRecord, kind: NotificationKind, now: number): OutboxRow[] {
  return e.channels.filter((c) => c.status !== 'failed').map((c) => outboxRow(e.id, c.channel, kind, now, now));
}

/**
 * A batched `grouped` reply, due after {@link GROUP_INTERVAL_MS}, to each channel that still works
 * and has none pending (`pending` names those channels).
 */
export function groupedReplies(e: EscalationRecord, pending: ReadonlySet<string>, now: number): OutboxRow[] {
  return e.channels
    .filter((c) => c.status !== 'failed' && !pending.has(c.channel))
    .map((c) => outboxRow(e.id, c.channel, 'grouped', now + GROUP_INTERVAL_MS, now));
}

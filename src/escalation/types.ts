import type { Severity } from '../errors/index.js';
import type { NotificationKind } from './render/NotificationFacts.js';

/** Where an escalation is in its life. */
export type EscalationStatus = 'open' | 'acknowledged' | 'resolved';

/** One channel of an escalation, as the API shows it. */
export interface ChannelDelivery {
  channel: string;
  /** The first message reached the channel. */
  delivered: boolean;
  /** Send attempts so far, over every message of this escalation on this channel. */
  attempts: number;
  status: 'pending' | 'sent' | 'failed';
  /** Slack `channel:ts` or the SMTP message id of the first message. */
  ref?: string;
  lastError?: string;
  /** Set when this channel was added because `fallbackFor` stayed down. */
  fallbackFor?: string;
  sentAt?: string;
}

/** An escalation: one or more degraded or failed tasks with the same fingerprint, and who was told. */
export interface EscalationRecord {
  id: string;
  fingerprint: string;
  workflow: string;
  /** The workflow's agent plan; a later success with the same plan resolves the escalation. */
  planKey: string;
  severity: Severity;
  initialSeverity: Severity;
  /** The severity before the last re-escalation. */
  previousSeverity?: Severity;
  status: EscalationStatus;
  outcome: 'degraded' | 'failed';
  /** The first task. */
  taskId: string;
  /** Every task grouped into it (the most recent 100). */
  taskIds: string[];
  count: number;
  errorCodes: string[];
  finalErrorCode: string;
  agentsTried: string[];
  channels: ChannelDelivery[];
  createdAt: string;
  updatedAt: string;
  ackedAt?: string;
  ackedBy?: string;
  resolvedAt?: string;
  /** Who resolved it by hand. */
  resolvedBy?: string;
  /** The task whose success resolved it. */
  resolvedByTask?: string;
  /** How many repeats were sent. */
  repeats: number;
  /** For incidents not tied to a task (the supervisor's): what happened, as a timeline. */
  timeline?: import('../lifecycle/types.js').Transition[];
  /** For incidents: extra facts shown as the message's input section. */
  details?: unknown;
}

/** A message waiting to be sent, or sent: the durable outbox. */
export interface OutboxRow {
  id: string;
  escalationId: string;
  channel: string;
  kind: NotificationKind;
  status: 'pending' | 'sent' | 'dead';
  attempts: number;
  /** Absolute ms (engine clock) of the next send attempt. */
  nextAttemptAt: number;
  createdAt: number;
  ref?: string;
  lastError?: string;
}

/** Escalation timer kinds: repeat an unacknowledged escalation, or raise its severity. */
export type EscalationTimerKind = 'esc-repeat' | 'esc-ack';

/** Everything an escalation change writes, atomically. */
export interface EscalationWrite {
  records: EscalationRecord[];
  outbox: OutboxRow[];
  timers?: { ownerId: string; kind: EscalationTimerKind; wakeAt: number | null }[];
}

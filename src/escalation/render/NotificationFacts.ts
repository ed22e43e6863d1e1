/**
 * The model every notification channel renders: what happened, to which tasks, and what is new.
 * @module
 */
import type { Severity } from '../../errors/index.js';
import type { Transition } from '../../lifecycle/types.js';
import type { Redactor } from '../redact.js';

/**
 * Why a notification is sent.
 *
 * - `firing`: the first message of an escalation.
 * - `repeat`: a reminder that it is still not acknowledged (`repeatEveryMs`).
 * - `grouped`: more tasks with the same fingerprint were grouped into it.
 * - `acknowledged`: a human took it.
 * - `resolved`: the workflow succeeded again, or a human closed it.
 * - `re-escalated`: nobody acknowledged it in time, so it moved up a severity.
 */
export type NotificationKind = 'firing' | 'repeat' | 'grouped' | 'acknowledged' | 'resolved' | 're-escalated';

/** Every {@link NotificationKind}, in the order they usually happen. */
export const NOTIFICATION_KINDS: readonly NotificationKind[] = Object.freeze([
  'firing',
  'repeat',
  'grouped',
  'acknowledged',
  'resolved',
  're-escalated',
]);

/** The facts of one notification about one escalation. Channels render these and nothing else. */
export interface NotificationFacts {
  escalationId: string;
  kind: NotificationKind;
  /** The escalation's severity now (for `re-escalated`, the new one). */
  severity: Severity;
  /** For `re-escalated`: the severity before, so email follow-ups keep the thread's subject. */
  previousSeverity?: Severity;
  workflow: string;
  /** How the first task ended. */
  outcome: 'degraded' | 'failed';
  /** The first task. */
  taskId: string;
  /** Every task grouped into this escalation so far, the first included. */
  taskIds: string[];
  /** How many tasks the escalation holds (at least `taskIds.length` when the list is capped). */
  count: number;
  /** The distinct error codes of the first task's failed attempts, in order. */
  errorCodes: string[];
  /** The code of the error that ended the first task. */
  finalErrorCode: string;
  /** The agents the first task tried, in order. */
  agentsTried: string[];
  /** The first task's transitions. */
  timeline: Transition[];
  /** The first task's input. */
  input?: unknown;
  /** The degraded output, if any. */
  output?: unknown;
  /** A link to the task page, e.g. `http://127.0.0.1:8080/#/tasks/<id>`. */
  dashboardUrl?: string;
  /** ISO time of this notification. */
  at: string;
  /** Who acknowledged it. */
  ackedBy?: string;
  /** For `resolved`: the person who resolved it; absent when it resolved because the workflow succeeded again. */
  resolvedBy?: string;
  /** A human's note, for `acknowledged`, `re-escalated` and `resolved`. */
  note?: string;
}

/** How to render: every renderer passes all text through `redact` and cuts excerpts to `maxFieldChars`. */
export interface RenderOptions {
  /** The longest input or output excerpt, in characters. */
  maxFieldChars: number;
  /** Applied to every piece of text before it is placed in a message. */
  redact: Redactor;
}

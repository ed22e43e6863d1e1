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
  /** The agents the first task tried, in order; for a run, those of its failed or degraded steps. */
  agentsTried: string[];
  /**
   * Each failed attempt of the first task, in order, with the agent's own message: what the
   * codes alone do not say. Absent for a run (its step tasks carry theirs) and an incident.
   */
  failures?: AttemptFailure[];
  /** The first task's transitions (of a run: the run's own, a step started, a step ended…). */
  timeline: Transition[];
  /**
   * For a run (a multi-step workflow): its steps that failed or degraded, in the run's order, each
   * with its own tasks' timelines. A run escalates once, as one incident listing these.
   */
  steps?: FailedStepFacts[];
  /** How many more steps failed or degraded than `steps` lists. */
  moreSteps?: number;
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

/** One step of a run that failed or degraded. */
export interface FailedStepFacts {
  /** The step's id in the workflow, e.g. `build`. */
  step: string;
  status: 'failed' | 'degraded';
  /** How many tasks the step started (a `forEach` step: one per item). */
  taskCount: number;
  /** The distinct error codes of its failed or degraded tasks, or its own error's, in order. */
  errorCodes: string[];
  /** The agents its failed or degraded tasks tried, in order. */
  agentsTried: string[];
  /**
   * The step's own error when its tasks do not tell it, e.g. `EXPRESSION_FAILED` when it failed
   * before any task started.
   */
  error?: { code: string; message: string };
  /** Its failed or degraded tasks, by item, each with its own timeline; capped. */
  tasks: StepTaskFacts[];
  /** How many more of its tasks failed or degraded than `tasks` lists. */
  moreTasks: number;
}

/** One failed or degraded task of a run's step. */
export interface StepTaskFacts {
  /** `<runId>.<stepId>`, or `<runId>.<stepId>.<index>` under `forEach`. */
  taskId: string;
  /** The item of a `forEach` step. */
  index?: number;
  status: 'failed' | 'degraded';
  /** The distinct error codes of its attempts and of its end, in order. */
  errorCodes: string[];
  /** The agents it tried, in order. */
  agentsTried: string[];
  /** Each of its failed attempts, in order, with the agent's own message. */
  failures?: AttemptFailure[];
  /** Its own transitions. */
  timeline: Transition[];
}

/**
 * One failed attempt: the agent, which of its attempts, the error code and the message the
 * failure came with (an HTTP status and body excerpt, a timeout, the agent's own words). Raw:
 * renderers redact it, put it on one line and cut it short.
 */
export interface AttemptFailure {
  agent: string;
  attempt: number;
  code: string;
  message: string;
}

/** How to render: every renderer passes all text through `redact` and cuts excerpts to `maxFieldChars`. */
export interface RenderOptions {
  /** The longest input or output excerpt, in characters. */
  maxFieldChars: number;
  /** Applied to every piece of text before it is placed in a message. */
  redact: Redactor;
}

/**
 * What one lifecycle step writes, computed from plain values: the transition row, the next task
 * row, the timers to set or clear, and whether the task ended. Pure: it reads its inputs, never
 * changes them, and does no I/O, so every rule of the timeline is testable without an engine.
 * @module
 */
import { iso } from '../clock/iso.js';
import type { TimerKind } from '../store/Store.js';
import { FINAL_STATES, type TaskContext, type TaskEvent } from './taskMachine.js';
import { type LiveRecord, STATUS_OF, stripFailure, withAttempt } from './taskRecord.js';
import type { AttemptRecord, Transition } from './types.js';

/** A timer to set (`wakeAt` a number) or clear (`wakeAt` null). */
export interface TimerChange {
  kind: Extract<TimerKind, 'wake' | 'deadline'>;
  wakeAt: number | null;
}

/** The facts of one step: the row before it, the machine's state before and after, and the event. */
export interface StepFacts {
  record: LiveRecord;
  from: string;
  to: string;
  /** The machine's context after the event. */
  context: TaskContext;
  event: TaskEvent;
  /** The machine's persisted snapshot after the event. */
  snapshot: unknown;
  /** Extra facts for the transition (a recovery's reason). */
  detail?: Transition['detail'];
  /** The attempt this step finished, if any. */
  attempt?: AttemptRecord;
  /** Engine time of the step. */
  now: number;
}

/** What the step commits. */
export interface RecordedStep {
  transition: Transition;
  /** The row after the step (a new object; the input row is unchanged). */
  record: LiveRecord;
  /** The attempt to upsert in the store with the step, if any. */
  attempt?: AttemptRecord;
  timers: TimerChange[];
  /** The task reached a final state. */
  final: boolean;
  /** The task left `attempting` other than by the attempt's own answer: its call in flight is abandoned. */
  abandonsCall: boolean;
}

/** Events that name the agent and attempt in their transition. */
const AGENT_EVENTS: ReadonlySet<TaskEvent['type']> = new Set([
  'ROUTED',
  'ATTEMPT_OK',
  'ATTEMPT_FAILED',
  'ATTEMPT_DEFERRED',
  'WAKE',
  'OUTPUT_VALID',
  'OUTPUT_INVALID',
]);

/** Events that carry the answer of the call in flight. */
const ANSWERS: ReadonlySet<TaskEvent['type']> = new Set(['ATTEMPT_OK', 'ATTEMPT_FAILED', 'ATTEMPT_DEFERRED']);

/**
 * The time a step is dated by: a failed attempt by its answer, so that the timeline reads
 * wakeAt − at = the backoff; every other step by the clock.
 */
export function stepTime(event: TaskEvent, now: number): number {
  return event.type === 'ATTEMPT_FAILED' || event.type === 'ATTEMPT_DEFERRED' ? event.at : now;
}

/** Records one step. See {@link RecordedStep}. */
export function recordStep(f: StepFacts): RecordedStep {
  const { from, to, context: ctx, event } = f;
  const seq = f.record.seq + 1;
  const at = iso(f.now);
  const t: Transition = { seq, at, from, to, event: event.type };
  const resumed = event.type === 'RECOVERED' && (to === 'attempting' || to === 'waiting' || to === 'validating');
  if ((AGENT_EVENTS.has(event.type) || resumed) && ctx.agent !== undefined) {
    t.agent = ctx.agent;
    t.attempt = ctx.attempt;
  }
  if ('error' in event) t.error = event.error;
  const d: NonNullable<Transition['detail']> = { ...(f.detail ?? {}) };
  if ('skipped' in event && event.skipped.length) d.skipped = event.skipped;
  if (to === 'waiting' && ctx.wakeAt !== undefined) {
    d.delayMs = ctx.backoffMs;
    d.wakeAt = iso(ctx.wakeAt);
  }
  if (Object.keys(d).length) t.detail = d;

  const record: LiveRecord = { ...f.record, seq, state: to, status: STATUS_OF[to] ?? 'running', updatedAt: at, snapshot: f.snapshot };
  let attempt = f.attempt;
  if (attempt) record.attempts = withAttempt(record.attempts, attempt);

  const timers: TimerChange[] = [];
  if (to === 'waiting' && ctx.wakeAt !== undefined) timers.push({ kind: 'wake', wakeAt: ctx.wakeAt });
  else if (from === 'waiting') timers.push({ kind: 'wake', wakeAt: null });

  const final = FINAL_STATES.has(to);
  if (final) {
    timers.push({ kind: 'wake', wakeAt: null }, { kind: 'deadline', wakeAt: null });
    if (to === 'completed') {
      record.output = ctx.output;
      if (ctx.answeredBy !== undefined) record.answeredBy = ctx.answeredBy;
    } else if (to === 'degraded') record.output = ctx.output;
    // Only an unsuccessful end carries `error`: the machine keeps the last failure in finalError
    // even when a later attempt succeeds, and a completed task must not look failed.
    if ((to === 'degraded' || to === 'failed') && ctx.finalError) record.error = stripFailure(ctx.finalError);
    else delete record.error;
  }

  const abandonsCall = from === 'attempting' && to !== 'attempting' && !ANSWERS.has(event.type);
  if (abandonsCall && 'error' in event) {
    // The abandoned call ends here, with the reason, so no attempt is left "running".
    const open = record.attempts.find((a) => a.outcome === 'running');
    if (open) {
      attempt = { ...open, endedAt: at, outcome: 'error', error: event.error };
      record.attempts = withAttempt(record.attempts, attempt);
    }
  }
  return { transition: t, record, ...(attempt ? { attempt } : {}), timers, final, abandonsCall };
}

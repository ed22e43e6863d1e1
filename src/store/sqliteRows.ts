/**
 * Row ↔ record mapping of the SQLite store: records are serialised to rows when a write is
 * made (so the caller may then change its objects), applied by the flush, and parsed back
 * from the JSON columns on read.
 * @internal
 */
import type { EscalationWrite } from '../escalation/types.js';
import type { Transition } from '../lifecycle/types.js';
import type { Params, Statements } from './sqliteStatements.js';
import type { NewTask, StepCommit, TimerKind } from './Store.js';

/** A timer to set (`wakeAt` a number) or clear (`wakeAt` null), for one owner. */
export type TimerChange = [owner: string, kind: TimerKind, wakeAt: number | null];

/** The rows of an escalation write. */
export type EscalationRows = { records: Params[]; outbox: Params[]; timers: TimerChange[] };

/** Inserts a new task with its first transition and timers; `record` is the task's JSON. */
export type TaskInsert = ((st: Statements) => void) & { id: string; record: string };

/** The insert of a new task, serialised now (the caller may change its objects afterwards). */
export function newTaskRows(n: NewTask): TaskInsert {
  const { task, first } = n;
  const record = JSON.stringify(task);
  const key = task.idempotencyKey ?? null;
  const row = [task.id, task.workflow, task.status, task.state, task.createdAt, task.updatedAt, key, task.inputHash, first.seq, record];
  const firstRow = transitionRow(first);
  const timerRows = timerChanges(task.id, n.timers);
  const insert = (st: Statements) => {
    const pos = st.insertTask.run(...row).lastInsertRowid;
    st.insertTransition.run(pos, ...firstRow);
    applyTimers(st, timerRows);
  };
  return Object.assign(insert, { id: task.id, record });
}

/** `[seq, at, body]` of a transition. */
export const transitionRow = (t: Transition): Params => [t.seq, t.at, JSON.stringify(t)];

/** A step's timer changes, owned by its task. */
export const timerChanges = (ownerId: string, timers: StepCommit['timers']): TimerChange[] =>
  (timers ?? []).map((t) => [ownerId, t.kind, t.wakeAt]);

/** Sets or clears timers, in order, so of several changes to one timer the last wins. */
export function applyTimers(st: Statements, timers: TimerChange[]): void {
  for (const [owner, kind, wakeAt] of timers) {
    if (wakeAt === null) st.clearTimer.run(owner, kind);
    else st.setTimer.run(owner, kind, wakeAt);
  }
}

/** The rows of an escalation write: records, outbox rows and timers. */
export function escalationRows(write: EscalationWrite): EscalationRows {
  return {
    records: write.records.map((r) => {
      const createdMs = Date.parse(r.createdAt);
      return [
        r.id,
        r.fingerprint,
        r.workflow,
        r.planKey,
        r.status,
        Number.isNaN(createdMs) ? null : createdMs,
        r.updatedAt,
        JSON.stringify(r),
      ];
    }),
    outbox: write.outbox.map((o) => [o.id, o.escalationId, o.status, o.nextAttemptAt, o.createdAt, JSON.stringify(o)]),
    timers: (write.timers ?? []).map((t) => [t.ownerId, t.kind, t.wakeAt]),
  };
}

/** Upserts an escalation write's records and outbox rows, then applies its timers. */
export function applyEscalation(st: Statements, rows: EscalationRows): void {
  for (const r of rows.records) st.upsertEscalation.run(...r);
  for (const o of rows.outbox) st.upsertOutbox.run(...o);
  applyTimers(st, rows.timers);
}

/** The record in a row's JSON `column`, or undefined for no row. */
export const parseOne = <T>(row: unknown, column: string): T | undefined =>
  row === undefined ? undefined : (JSON.parse((row as Record<string, string>)[column]!) as T);

/** The records in the rows' JSON `column`. */
export const parseAll = <T>(rows: unknown[], column: string): T[] =>
  rows.map((r) => JSON.parse((r as Record<string, string>)[column]!) as T);

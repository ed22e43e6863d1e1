/**
 * Row ↔ record mapping of the Postgres store: records become the columns its statements take,
 * serialised when a write is made so the caller may then change its objects.
 * @internal
 */
import type pg from 'pg';
import type { EscalationWrite } from '../escalation/types.js';
import type { PostgresStoreDb } from './PostgresStoreHooks.js';
import { STREAM_SLOTS, type Statements } from './postgresStatements.js';
import type { StepCommit, TaskRecord, TimerKind } from './Store.js';

/** A client or pool that runs queries. */
export type Queryable = Pick<pg.ClientBase, 'query'>;
type Params = unknown[];

/** The engine's record carries the task's `seq`; a bare {@link TaskRecord} (or a JSON null) may not. */
export const seqOf = (task: TaskRecord): number | undefined => (typeof task.seq === 'number' ? task.seq : undefined);

/** A transaction's client as hooks see it. */
export const dbOf = (client: Queryable): PostgresStoreDb => ({ executeSql: (text, values) => client.query(text, values) });

/** `[ids, seqs, ats, bodies]` of transitions `[seq, at, body]`, for `unnest`; ids are `xid × 1024 + index`. */
export function transitionColumns(xid: bigint, rows: unknown[][], firstSlot = 0): [string[], unknown[], unknown[], unknown[]] {
  const base = xid * BigInt(STREAM_SLOTS) + BigInt(firstSlot);
  return [rows.map((_, i) => String(base + BigInt(i))), rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2])];
}

/**
 * A step's timer changes as `[kinds to clear, kinds to set, their wake times]`, for `unnest`.
 * Changes apply in order, so of several to one kind the last wins.
 */
export function timerColumns(timers: StepCommit['timers']): [string[], string[], number[]] {
  const last = new Map<string, number | null>();
  for (const t of timers ?? []) last.set(t.kind, t.wakeAt);
  const cleared: string[] = [];
  const kinds: string[] = [];
  const wakes: number[] = [];
  for (const [kind, wakeAt] of last) {
    if (wakeAt === null) {
      cleared.push(kind);
    } else {
      kinds.push(kind);
      wakes.push(wakeAt);
    }
  }
  return [cleared, kinds, wakes];
}

/** A timer to set (`wakeAt` a number) or clear (`wakeAt` null), for one owner. */
export type TimerChange = [owner: string, kind: TimerKind, wakeAt: number | null];

/** Sets or clears timers, in order, so of several changes to one timer the last wins. */
async function applyTimers(client: Queryable, sql: Statements, timers: TimerChange[]): Promise<void> {
  for (const [owner, kind, wakeAt] of timers) {
    if (wakeAt === null) await client.query(sql.clearTimer, [owner, kind]);
    else await client.query(sql.setTimer, [owner, kind, wakeAt]);
  }
}

/** The rows of an escalation write. */
export type EscalationRows = { records: Params[]; outbox: Params[]; timers: TimerChange[] };

/** The rows of an escalation write: records, outbox rows and timers. */
export function escalationRows(write: EscalationWrite): EscalationRows {
  return {
    records: write.records.map((r) => {
      const createdMs = Date.parse(r.createdAt);
      return [r.id, r.fingerprint, r.workflow, r.planKey, r.status, Number.isNaN(createdMs) ? null : createdMs, JSON.stringify(r)];
    }),
    outbox: write.outbox.map((o) => [
      o.id,
      o.escalationId,
      o.channel,
      o.kind,
      o.status,
      o.attempts,
      o.nextAttemptAt,
      o.createdAt,
      JSON.stringify(o),
    ]),
    timers: (write.timers ?? []).map((t) => [t.ownerId, t.kind, t.wakeAt]),
  };
}

/** The write-order keys an escalation write touches: its escalations and outbox rows. */
export const escalationKeys = (write: EscalationWrite): string[] => [
  ...write.records.map((r) => `e:${r.id}`),
  ...write.outbox.flatMap((o) => [`o:${o.id}`, `e:${o.escalationId}`]),
  ...(write.timers ?? []).map((t) => `e:${t.ownerId}`),
];

/** Upserts an escalation write's records and outbox rows, then applies its timers. */
export async function applyEscalation(client: Queryable, sql: Statements, rows: EscalationRows): Promise<void> {
  for (const r of rows.records) await client.query(sql.upsertEscalation, r);
  for (const o of rows.outbox) await client.query(sql.upsertOutbox, o);
  await applyTimers(client, sql, rows.timers);
}

/** A LIMIT for Postgres: null for none; like the memory store, ≤ 0 means nothing. */
export function sqlLimit(limit: number): number | null {
  if (limit === Infinity) return null;
  return Number.isFinite(limit) && limit > 0 ? Math.ceil(limit) : 0;
}

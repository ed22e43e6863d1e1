import type { EscalationRecord, EscalationStatus, EscalationWrite, OutboxRow } from '../escalation/types.js';
import type { AttemptRecord, Task, TaskStatus, Transition, TransitionEvent } from '../lifecycle/types.js';
import type { PruneBatch, PruneBefore, PruneLimits } from './Prune.js';

/**
 * The persistence boundary of the engine. One interface, three backends: `memory:` (tests),
 * `sqlite:` (the embedded default) and `postgres://` (many workers).
 *
 * The unit of writing is the **step**: everything one lifecycle step produces (the new snapshot,
 * its transition rows, the attempt it touched, timer changes and outbox rows) commits together
 * or not at all, so a crash leaves every task at a step boundary.
 * @module
 */

/** A task row: the public task plus what the engine needs to resume it. */
export interface TaskRecord extends Task {
  /** The machine's persisted snapshot (XState `getPersistedSnapshot()`). */
  snapshot: unknown;
  /** A stable hash of workflow + input, to tell an idempotent replay from a conflicting reuse. */
  inputHash: string;
  /** The seq of the task's last transition: the version that distributed steps commit against. */
  seq?: number;
  /** What a run's agent or capability step runs (`<workflow>#<step>`); absent: the workflow itself. */
  spec?: string;
}

/** The kinds of durable timer: a task's retry wake-up and deadline, an escalation's repeat and ack timeout. */
export type TimerKind = 'wake' | 'deadline' | 'esc-repeat' | 'esc-ack';

/** A durable timer row. */
export interface TimerRow {
  /** The task, or for `esc-*` kinds the escalation, the timer belongs to. */
  taskId: string;
  kind: TimerKind;
  /** Absolute ms on the engine's clock. */
  wakeAt: number;
}

/** A task created by a step, with its first transition and timers (a run's step tasks). */
export interface NewTask {
  task: TaskRecord;
  first: Transition;
  timers?: readonly { kind: TimerKind; wakeAt: number | null }[];
}

/** What one lifecycle step writes. */
export interface StepCommit {
  task: TaskRecord;
  transitions: readonly Transition[];
  /** The attempt this step started or finished (matched on agent + attempt). */
  attempt?: AttemptRecord;
  /** Timers to set (`wakeAt` a number) or clear (`wakeAt` null). */
  timers?: readonly { kind: TimerKind; wakeAt: number | null }[];
  /** Escalations opened, grouped or resolved by this step, with their outbox rows (the step's outbox). */
  escalation?: EscalationWrite;
  /**
   * Tasks this step starts (a run's step tasks), created in the same transaction: a step's end
   * and the start of the steps it unblocks commit together. An id that exists already is kept.
   */
  create?: readonly NewTask[];
}

/** Filters for listing escalations. */
export interface EscalationFilter {
  status?: EscalationStatus | readonly EscalationStatus[];
  /** Defaults to 100. */
  limit?: number;
}

/** Filters for listing tasks. */
export interface TaskFilter {
  status?: TaskStatus | readonly TaskStatus[];
  workflow?: string;
  /** Only the step tasks of this run (ids `<run>.<step>…` whose `parentId` is the run). */
  parent?: string;
  /** Only tasks that are no run's step (ids without a dot). */
  topLevel?: boolean;
  /** Only tasks whose id starts with this (the short ids the CLI and dashboard show). */
  idPrefix?: string;
  /** Defaults to 100. */
  limit?: number;
}

/** The id range of a run's descendants: every id that starts with `<runId>.`. */
export function childIdRange(runId: string): [from: string, to: string] {
  // '/' is the character after '.', so [runId + '.', runId + '/') holds exactly the prefixed ids.
  return [`${runId}.`, `${runId}/`];
}

/**
 * The id range of the ids that start with `prefix`. Ids compare byte by byte in every store
 * (SQLite's BINARY, Postgres's COLLATE "C"), so an index serves it; only an id that goes on with
 * U+10FFFF, a noncharacter, would fall outside.
 */
export function idPrefixRange(prefix: string): [from: string, to: string] {
  return [prefix, `${prefix}\u{10FFFF}`];
}

/** The persisted form of a circuit breaker. */
export type BreakerRecord = { agent: string; snapshot: unknown; updatedAt: number };

export interface Store {
  /** `memory`, `sqlite` or `postgres`. */
  readonly kind: string;
  /** Creates or migrates the schema. Refuses files it cannot use, with a clear message. */
  init(): Promise<void>;
  /**
   * Inserts a new task with its first transition and timers, durably. When `task.idempotencyKey`
   * is already taken, writes nothing and returns the existing task with `created: false`.
   */
  createTask(task: TaskRecord, first: Transition, timers?: StepCommit['timers']): Promise<{ task: TaskRecord; created: boolean }>;
  /** Commits one step atomically. Resolves once it is durable; returns the stream ids given to its transitions. */
  commit(step: StepCommit): Promise<number[]>;
  getTask(id: string): Promise<TaskRecord | undefined>;
  listTasks(filter?: TaskFilter): Promise<TaskRecord[]>;
  transitions(taskId: string): Promise<Transition[]>;
  /** Transitions of every task with a stream id above `afterId`, oldest first (for SSE resume). */
  transitionsSince(afterId: number, limit?: number): Promise<TransitionEvent[]>;
  /** Every task not in a terminal status, for recovery on start. */
  nonTerminalTasks(): Promise<TaskRecord[]>;
  /** The earliest pending timer, or undefined. */
  nextTimerAt(): Promise<number | undefined>;
  /** Timers due at `now`, earliest first. They stay until a step clears or replaces them. */
  dueTimers(now: number, limit: number): Promise<TimerRow[]>;
  saveBreaker(agent: string, snapshot: unknown, at: number): Promise<void>;
  /** Writes escalation changes, their outbox rows and timers in one transaction. */
  writeEscalations(write: EscalationWrite): Promise<void>;
  getEscalation(id: string): Promise<EscalationRecord | undefined>;
  /** Newest first. */
  listEscalations(filter?: EscalationFilter): Promise<EscalationRecord[]>;
  /** The newest open or acknowledged escalation with this fingerprint created at or after `since`. */
  findOpenEscalation(fingerprint: string, since: number): Promise<EscalationRecord | undefined>;
  /** Open or acknowledged escalations of a workflow and agent plan, for resolving them. */
  findUnresolved(workflow: string, planKey: string): Promise<EscalationRecord[]>;
  /** Pending outbox rows due at `now`, oldest first. */
  dueOutbox(now: number, limit: number): Promise<OutboxRow[]>;
  /** The earliest `nextAttemptAt` of a pending outbox row. */
  nextOutboxAt(): Promise<number | undefined>;
  /** Every outbox row of an escalation, oldest first. */
  outboxOf(escalationId: string): Promise<OutboxRow[]>;
  loadBreakers(): Promise<BreakerRecord[]>;
  /**
   * Deletes one small batch of what retention lets go (or counts it, in a dry run), oldest first:
   * top-level tasks that ended before their status's cut-off, each with its transitions,
   * attempts, timers and, for a run, its step tasks; then resolved escalations changed before
   * theirs, with their outbox rows and timers. Call again with `next` until it is absent.
   *
   * Never deleted: a task that has not ended; a step task on its own (it goes with its run); a
   * run any of whose step tasks has not ended; a task whose escalation is not resolved; an open
   * or acknowledged escalation. A store that reclaims space (SQLite) does a step of it per call.
   */
  prune(before: PruneBefore, limits: PruneLimits): Promise<PruneBatch>;
  close(): Promise<void>;
}

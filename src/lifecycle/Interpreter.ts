/**
 * The one step path every lifecycle machine goes through. For each task it runs events one at
 * a time (a per-task promise chain); each event the machine takes is one step: the machine
 * decides, the lifecycle records the step as plain values, the store commits it, and only then
 * is the row in memory replaced, the transition emitted and the next effect started.
 *
 * What differs between machines (how a step is recorded, committed and followed up) is a
 * {@link Lifecycle}; the task lifecycle is the first, and a run's graph of steps reuses the path.
 * @module
 */
import type { AnyActorRef, AnyMachineSnapshot } from 'xstate';
import type { Clock } from '../clock/index.js';
import { type ErrorInfo, wardenError } from '../errors/index.js';
import type { Store, TaskRecord, TimerKind } from '../store/Store.js';
import type { Logger } from './logger.js';
import type { LiveTask, LiveTasks } from './LiveTasks.js';
import type { LiveRecord } from './taskRecord.js';
import type { AttemptRecord, Transition, TransitionEvent } from './types.js';
import { TERMINAL_STATUSES } from './types.js';

/** A machine event: a `type`, and an `error` for the failures. */
export type MachineEvent = { type: string; error?: ErrorInfo };

/** A step recorded by a lifecycle, ready to commit. */
export interface PreparedStep {
  transition: Transition;
  /** Every transition of the step, in order, when it has more than one (ends with `transition`). */
  transitions?: readonly Transition[];
  /** The row after the step. */
  record: LiveRecord;
}

/** What one kind of machine plugs into the step path. */
export interface Lifecycle<P extends PreparedStep = PreparedStep> {
  /** A started actor for a persisted snapshot. */
  revive(snapshot: unknown): AnyActorRef;
  /** Records the step the machine just took (`before` → `after` on `event`); undefined when it changed nothing worth a row. */
  record(
    task: LiveTask,
    before: AnyMachineSnapshot,
    after: AnyMachineSnapshot,
    event: MachineEvent,
    extra: StepExtra,
  ): P | undefined | Promise<P | undefined>;
  /** Commits the step; resolves with the stream id of its transition. */
  commit(task: LiveTask, step: P): Promise<number | undefined>;
  /** After the commit: starts what the new state asks for, or ends the task. Never awaited inside a step. */
  settle(task: LiveTask, step: P): void;
  /** The event a durable timer of the task sends. */
  timerEvent(record: TaskRecord, kind: TimerKind): MachineEvent;
}

/** Facts a step carries besides its event. */
export interface StepExtra {
  detail?: Transition['detail'];
  attempt?: AttemptRecord;
}

/** What the step path needs from the engine. */
export interface InterpreterDeps {
  clock: Clock;
  store: Store;
  logger: Logger;
  live: LiveTasks;
  /** `distributed`: transitions are emitted by the store-wide feed, and a failed step lets go of the task. */
  distributed: boolean;
  /** The lifecycle of a task row. */
  lifecycleOf(record: TaskRecord): Lifecycle;
  /** Blanks out secrets in an error's message. */
  redactInfo(info: ErrorInfo): ErrorInfo;
  /** True once the engine is stopping: a failed commit is not tried again. */
  stopping(): boolean;
  emitTransition(event: TransitionEvent): void;
  report(err: unknown): void;
}

/** The interpreter of every lifecycle machine. One per engine. */
export class Interpreter {
  /** Backoffs of failed commits in progress. */
  readonly #waits = new Set<() => void>();

  constructor(private readonly deps: InterpreterDeps) {}

  /** Holds a stored task in memory; its actor is revived on its next step. */
  hydrate(rec: TaskRecord): LiveTask {
    return this.deps.live.add({ ...rec, seq: rec.seq ?? 0 }, undefined);
  }

  /** Announces a task created by a step (a run's step task): its first transition. */
  emitCreated(record: TaskRecord, first: Transition): void {
    if (!this.deps.distributed) this.deps.emitTransition({ ...first, taskId: record.id, workflow: record.workflow });
  }

  /**
   * The task `id` held in memory, read from the store if it is not: undefined when it is unknown,
   * or ended (`evenEnded` false). A row read while another copy was held (and let go) is read again,
   * since that copy may have written steps after the read.
   */
  async hold(id: string, evenEnded = false): Promise<LiveTask | TaskRecord | undefined> {
    const { live, store } = this.deps;
    for (;;) {
      const held = live.get(id);
      if (held) return held;
      const epoch = live.epoch(id);
      const rec = await store.getTask(id);
      const now = live.get(id);
      if (now) return now;
      if (live.epoch(id) !== epoch) continue;
      if (!rec) return undefined;
      if (TERMINAL_STATUSES.has(rec.status)) return evenEnded ? rec : undefined;
      return this.hydrate(rec);
    }
  }

  /** Resumes every unfinished task of the store: each re-runs its current step (a waiting one stays parked on its timer). */
  async recover(): Promise<void> {
    const pending = await this.deps.store.nonTerminalTasks();
    const live = new Set(pending.map((r) => r.id));
    const ended = wardenError('CANCELLED', 'its run ended while no process held it').toJSON();
    for (const rec of pending) {
      // A step task whose run ended (its cancel was not yet sent when the process died) is cancelled.
      const orphan = rec.parentId !== undefined && !live.has(rec.parentId);
      this.enqueue(this.hydrate(rec), orphan ? { type: 'CANCEL', error: ended } : { type: 'RECOVERED' }, {
        detail: { reason: 'recovered after restart' },
      });
    }
    if (pending.length) this.deps.logger.info({ tasks: pending.length }, `recovering ${pending.length} unfinished task(s)`);
  }

  /** Queues `event` for the task: it runs after the task's earlier events. */
  enqueue(task: LiveTask, event: MachineEvent, extra: StepExtra = {}): void {
    task.queue = task.queue
      .then(() => this.#step(task, event, extra))
      .catch((err) => {
        if ((err as { code?: string }).code === 'STEP_CONFLICT') {
          // Another worker moved the task on (a deadline, a cancel, a takeover): this copy is stale.
          this.deps.logger.debug({ taskId: task.record.id }, 'step conflict: the task was taken over');
          task.conflicted = true;
          return this.deps.live.drop(task);
        }
        this.deps.report(err);
        this.deps.logger.error({ err: String(err), taskId: task.record.id }, 'task step failed; the task stays at its last durable step');
        if (this.deps.distributed) this.deps.live.drop(task);
      });
  }

  /**
   * Fires a durable timer of a task. A timer the machine does not take (a stale one) is cleared
   * so that it cannot fire again; a task that waits again afterwards is parked.
   */
  async fireTimer(taskId: string, kind: TimerKind): Promise<void> {
    const { live, store } = this.deps;
    const held = await this.hold(taskId, true);
    if (!held) return;
    if (!('queue' in held)) {
      // Ended: its timer is stale.
      await store.commit({ task: held, transitions: [], timers: [{ kind, wakeAt: null }] });
      return;
    }
    const t = held;
    const seq = t.record.seq;
    this.enqueue(t, this.deps.lifecycleOf(t.record).timerEvent(t.record, kind));
    await t.queue;
    if (t.record.seq === seq && !t.done) await store.commit({ task: t.record, transitions: [], timers: [{ kind, wakeAt: null }] });
    if (t.record.state === 'waiting') live.park(t);
  }

  /** The error of a deadline timer. */
  static deadlineError(record: TaskRecord): ErrorInfo {
    return wardenError('DEADLINE_EXCEEDED', `task deadline ${record.deadlineAt} passed`).toJSON();
  }

  async #step(task: LiveTask, event: MachineEvent, extra: StepExtra): Promise<void> {
    if (task.done) return;
    // An agent may echo a secret in its error body: redact before the machine, the store or a log sees it.
    if (event.error) event = { ...event, error: this.deps.redactInfo(event.error) };
    let { attempt } = extra;
    if (attempt?.error) attempt = { ...attempt, error: this.deps.redactInfo(attempt.error) };
    const lifecycle = this.deps.lifecycleOf(task.record);
    for (let failures = 0; ; failures++) {
      task.actor ??= lifecycle.revive(task.record.snapshot);
      const actor = task.actor;
      const before = actor.getSnapshot() as AnyMachineSnapshot;
      actor.send(event);
      const after = actor.getSnapshot() as AnyMachineSnapshot;
      // A recovery re-enters the current state; it is recorded even when nothing else changes.
      if (after === before && event.type !== 'RECOVERED') return;
      const step = await lifecycle.record(task, before, after, event, { ...extra, ...(attempt ? { attempt } : {}) });
      if (!step) return;
      let eventId: number | undefined;
      try {
        eventId = await lifecycle.commit(task, step);
      } catch (err) {
        if ((err as { code?: string }).code === 'STEP_CONFLICT' || this.deps.stopping()) throw err;
        // The store did not take the step (disk full, busy, unreachable): nothing of it applies.
        // The actor, which moved on, goes (revived from the last committed snapshot), and the same
        // event is tried again after a backoff; later events of the task wait behind it.
        actor.stop();
        task.actor = undefined;
        this.deps.report(err);
        task.backingOff = true;
        await this.#backoff(failures).finally(() => {
          task.backingOff = false;
        });
        if (task.done || this.deps.stopping()) return;
        continue;
      }
      task.record = step.record;
      this.#applied(task, lifecycle, step, eventId);
      return;
    }
  }

  /** Waits before trying a failed commit again: 100 ms doubling to 30 s, on the engine clock; cut short by {@link interrupt}. */
  #backoff(failures: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        this.#waits.delete(done);
        this.deps.clock.clearTimeout(handle);
        resolve();
      };
      const handle = this.deps.clock.setTimeout(done, Math.min(100 * 2 ** failures, 30_000));
      this.#waits.add(done);
    });
  }

  /** Ends every backoff now (the engine is stopping): the tasks stay at their last durable step. */
  interrupt(): void {
    for (const done of [...this.#waits]) done();
  }

  /** A committed step: the transition is emitted, then what the new state asks for starts. */
  #applied(task: LiveTask, lifecycle: Lifecycle, step: PreparedStep, eventId: number | undefined): void {
    if (!this.deps.distributed) {
      const rec = step.record;
      // The store numbers a step's transitions consecutively from the first one's stream id.
      for (const [i, t] of (step.transitions ?? [step.transition]).entries()) {
        this.deps.emitTransition({
          ...t,
          taskId: rec.id,
          workflow: rec.workflow,
          ...(eventId !== undefined ? { eventId: eventId + i } : {}),
        });
      }
    }
    lifecycle.settle(task, step);
  }
}

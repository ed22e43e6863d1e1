/**
 * The tasks this engine holds in memory: their rows, actors and step queues, the callers
 * waiting for their end, and the rules for letting go of them. A task lives here while it has
 * work in this process; parked (waiting on a durable timer) or ended, it lives only in the store.
 * @module
 */
import type { AnyActorRef } from 'xstate';
import { wardenError } from '../errors/index.js';
import type { LiveRecord } from './taskRecord.js';
import type { Task } from './types.js';

/** How many tasks' epochs are remembered. */
const MAX_EPOCHS = 100_000;

/** One task held in memory. */
export interface LiveTask {
  record: LiveRecord;
  /** Undefined while an attempt is in flight: `record.snapshot` stands in for it (see {@link LiveTasks.shelve}). */
  actor: AnyActorRef | undefined;
  /** The task's steps, one at a time. */
  queue: Promise<void>;
  /** The attempt in flight: aborted when the task leaves `attempting` some other way. */
  attempt?: { token: object; abort: AbortController };
  done: boolean;
  /** Waiting out the backoff of a failed commit: until the clock moves, it has nothing to do. */
  backingOff?: boolean;
  /** Let go because another worker moved the task on (distributed mode): the job that ran it is retried. */
  conflicted?: boolean;
  /** Distributed mode: resolves the job that runs this task once it parks, ends or is taken over. */
  release?: () => void;
  /** Resolves when the task is dropped (parked, ended or taken over). */
  dropped: Promise<void>;
  onDrop: () => void;
}

/** The table of live tasks and of callers awaiting tasks' ends. */
export class LiveTasks {
  readonly #live = new Map<string, LiveTask>();
  readonly #epochs = new Map<string, number>();
  readonly #waiters = new Map<string, { resolve: (t: Task) => void; reject: (err: unknown) => void }[]>();
  /** Engine work between steps (a run resolving its ready steps, waking a parked run): {@link settled} waits for it. */
  readonly #work = new Set<Promise<unknown>>();
  /** Tasks whose actor is let go on the next turn of the event loop (see {@link shelve}). */
  #shelving: LiveTask[] = [];

  /** How many tasks are held in memory. */
  get size(): number {
    return this.#live.size;
  }

  get(id: string): LiveTask | undefined {
    return this.#live.get(id);
  }

  values(): IterableIterator<LiveTask> {
    return this.#live.values();
  }

  /**
   * How many times a task was held in memory. A row read from the store while no copy was held
   * is current only if no copy was held (and wrote steps) meanwhile: compare the epoch before and after.
   */
  epoch(id: string): number {
    return this.#epochs.get(id) ?? 0;
  }

  /** Holds `record` in memory with `actor` (undefined: revived from the snapshot on its next step). */
  add(record: LiveRecord, actor: AnyActorRef | undefined): LiveTask {
    const epoch = this.epoch(record.id) + 1;
    this.#epochs.delete(record.id);
    this.#epochs.set(record.id, epoch);
    // Bounded: the oldest epochs go (of tasks long let go), so the map does not grow with every task ever run.
    if (this.#epochs.size > MAX_EPOCHS) {
      for (const id of this.#epochs.keys()) {
        if (this.#epochs.size <= MAX_EPOCHS / 2) break;
        if (!this.#live.has(id)) this.#epochs.delete(id);
      }
    }
    let onDrop!: () => void;
    const dropped = new Promise<void>((resolve) => {
      onDrop = resolve;
    });
    const task: LiveTask = { record, actor, queue: Promise.resolve(), done: false, dropped, onDrop };
    this.#live.set(record.id, task);
    return task;
  }

  /** Forgets a task: parked, ended or taken over. Its call in flight, if any, is aborted. */
  drop(task: LiveTask): void {
    task.done = true;
    task.attempt?.abort.abort(new Error('task released'));
    task.actor?.stop();
    if (this.#live.get(task.record.id) === task) this.#live.delete(task.record.id);
    const release = task.release;
    task.release = undefined;
    release?.();
    task.onDrop();
  }

  /** Drops the task once its current steps are done, unless a call is in flight: it lives on in the store. */
  park(task: LiveTask): void {
    if (this.#live.get(task.record.id) !== task) return;
    const queue = task.queue;
    queue.then(() => {
      // An event queued since (a run's step ending) keeps the task: its own step parks it again.
      if (task.queue !== queue || task.attempt || this.#live.get(task.record.id) !== task) return;
      this.drop(task);
    });
  }

  /**
   * Lets go of the actor of a task whose attempt is in flight; the next event revives it from the
   * snapshot its last step wrote. An actor is 4 KB, most of what an in-flight task costs, and an
   * agent holds a task for seconds where a step takes microseconds (see docs/benchmarks.md).
   * Done on the next turn of the event loop, in one sweep: a call still open by then is a slow
   * one, while an agent that answers within the burst (an in-process one) keeps its actor and
   * skips the revival, which costs about as much as a step.
   */
  shelve(task: LiveTask): void {
    if (this.#shelving.push(task) > 1) return;
    setImmediate(() => {
      const tasks = this.#shelving;
      this.#shelving = [];
      // Only the start of a step uses the actor, so one between steps can go.
      for (const t of tasks) {
        if (!t.attempt || t.done || t.record.state !== 'attempting') continue;
        t.actor?.stop();
        t.actor = undefined;
      }
    });
  }

  /** Resolves once every queued step of every live task has run, and no new one was queued meanwhile. */
  async quiesce(): Promise<void> {
    for (let changed = true; changed; ) {
      const queues = [...this.#live.values()].map((t) => t.queue);
      await Promise.allSettled(queues);
      await new Promise((r) => setImmediate(r));
      const again = [...this.#live.values()].map((t) => t.queue);
      changed = again.length !== queues.length || again.some((q, i) => q !== queues[i]);
    }
  }

  /**
   * Lets calls in flight finish for up to `timeoutMs` of real time (draining is about the
   * process's wall-clock exit, not the engine clock), commits the steps of the answers that
   * arrived, then marks every task done and aborts what is still in flight: those tasks stay at
   * their last durable step (`attempting`) and are re-attempted on the next start.
   */
  async drain(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && [...this.#live.values()].some((t) => t.attempt)) {
      await new Promise((r) => setTimeout(r, 10));
    }
    // No new attempt starts while stopping, so this ends.
    await this.quiesce();
    // Marking the tasks done first keeps the aborted calls from feeding stopped actors.
    for (const t of this.#live.values()) {
      t.done = true;
      t.attempt?.abort.abort(new Error('engine stopping'));
    }
    await Promise.allSettled([...this.#live.values()].map((t) => t.queue));
  }

  /**
   * Resolves once every queued step has committed and `busy()` (timers being fired) is false:
   * nothing is left to do until time passes or an agent answers. For tests and drills on a
   * simulated clock.
   */
  async settled(busy: () => boolean): Promise<void> {
    for (let i = 0; i < 10_000; i++) {
      await Promise.allSettled([...this.#work]);
      // A task backing off a failed commit waits for the clock, as a parked one does.
      const active = () => [...this.#live.values()].filter((t) => !t.backingOff).map((t) => t.queue);
      const queues = active();
      await Promise.all(queues);
      await new Promise((r) => setImmediate(r));
      const again = active();
      if (!busy() && this.#work.size === 0 && again.length === queues.length && again.every((q, j) => q === queues[j])) return;
      if (busy()) await new Promise((r) => setTimeout(r, 1));
    }
  }

  /** Runs engine work that ends in an event for some task, so that {@link settled} waits for it. Errors go to `onError`. */
  track(work: Promise<unknown>, onError: (err: unknown) => void): void {
    const p = work.catch(onError).finally(() => this.#work.delete(p));
    this.#work.add(p);
  }

  /** Stops every actor and forgets every task (the engine is stopping). */
  clear(): void {
    for (const t of this.#live.values()) t.actor?.stop();
    this.#live.clear();
  }

  /** A promise of the task's end, settled by {@link ended} or {@link rejectWaiters}. */
  waitFor(id: string): Promise<Task> {
    return new Promise<Task>((resolve, reject) => {
      const list = this.#waiters.get(id) ?? [];
      list.push({ resolve, reject });
      this.#waiters.set(id, list);
    });
  }

  /** Forgets the waiters of `id` without settling them (an unknown task). */
  forgetWaiters(id: string): void {
    this.#waiters.delete(id);
  }

  /** The task ended: every caller awaiting it gets it. */
  ended(task: Task): void {
    const list = this.#waiters.get(task.id);
    if (!list) return;
    this.#waiters.delete(task.id);
    for (const w of list) w.resolve(task);
  }

  /** The engine stopped: every caller still awaiting a task is told so, rather than left hanging. */
  rejectWaiters(): void {
    for (const [id, list] of this.#waiters) {
      const err = wardenError('ENGINE_STOPPING', `the engine stopped before task ${id} ended; it resumes on the next start`);
      for (const w of list) w.reject(err);
    }
    this.#waiters.clear();
  }
}

/**
 * The engine's side of distributed mode: a worker runs a task that pg-boss hands it until the
 * task parks on a timer, ends, or another worker takes it over; and every node feeds the
 * store-wide transition feed to its listeners and to the callers awaiting a task's end.
 * It reaches the engine only through {@link DistributedPort}.
 * @module
 */
import { wardenError } from '../errors/index.js';
import type { Interpreter, MachineEvent } from '../lifecycle/Interpreter.js';
import type { LiveTasks } from '../lifecycle/LiveTasks.js';
import type { Task, TransitionEvent } from '../lifecycle/types.js';
import { TERMINAL_STATUSES } from '../lifecycle/types.js';
import type { Store } from '../store/Store.js';

/** What wakes a task in distributed mode: its start job, a retry wake-up, or its deadline. */
export type RunKind = 'start' | 'wake' | 'deadline';

/** The narrow port between distributed mode and the engine. */
export interface DistributedPort {
  store: Pick<Store, 'getTask'>;
  live: LiveTasks;
  interpreter: Interpreter;
  /** True once the engine is stopping. */
  stopping(): boolean;
  emitTransition(event: TransitionEvent): void;
  emitTaskEnded(task: Task): void;
}

/** Runs handed-over tasks and feeds the transition feed. @internal */
export class DistributedRunner {
  constructor(private readonly port: DistributedPort) {}

  /**
   * Runs a task handed to this worker until it parks on a timer, ends, or another worker takes
   * it over. `retried` means the job's worker died mid-run: the task re-runs its current step.
   */
  async runTask(taskId: string, kind: RunKind, retried = false): Promise<void> {
    const { live, store, interpreter } = this.port;
    if (this.port.stopping()) throw wardenError('ENGINE_STOPPING', 'the worker is shutting down');
    // The task may still be running here, about to park (a short wake-up fires first): wait for it
    // to let go, then read where it is, so the job is neither lost nor run twice.
    for (let held = live.get(taskId); held; held = live.get(taskId)) await held.dropped;
    const rec = await store.getTask(taskId);
    if (!rec || TERMINAL_STATUSES.has(rec.status)) return;
    // A job whose own purpose is still pending (a start, a due wake-up) does just that.
    let event: MachineEvent | undefined;
    if (kind === 'deadline')
      event = { type: 'DEADLINE', error: wardenError('DEADLINE_EXCEEDED', `task deadline ${rec.deadlineAt} passed`).toJSON() };
    else if (kind === 'start' && rec.state === 'queued') event = { type: 'START' };
    else if (kind === 'wake' && rec.state === 'waiting') event = { type: 'WAKE' };
    else if (retried) event = { type: 'RECOVERED' };
    if (!event) return; // a duplicate or stale job
    const task = interpreter.hydrate(rec);
    const released = new Promise<void>((resolve) => {
      task.release = resolve;
    });
    const detail = event.type === 'RECOVERED' ? { reason: 'its worker died; recovered on another' } : undefined;
    const seq = task.record.seq;
    interpreter.enqueue(task, event, detail ? { detail } : {});
    await task.queue;
    // An event the machine did not take (a deadline after the end, a wake of a task not waiting) releases at once.
    if (task.record.seq === seq && !task.done) live.drop(task);
    return released;
  }

  /** A transition read from the store's feed, from any worker. */
  feedTransition(event: TransitionEvent): void {
    this.port.emitTransition(event);
  }

  /** A task seen ending in the store's feed. */
  feedTaskEnded(task: Task): void {
    this.port.emitTaskEnded(task);
    this.port.live.ended(task);
  }
}

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
import type { StepCommit, Store, TaskRecord } from '../store/Store.js';
import type { LiveTask } from '../lifecycle/LiveTasks.js';
import type { Transition } from '../lifecycle/types.js';
import { childTaskId } from '../runs/recordRunStep.js';
import type { RunContext } from '../runs/runMachine.js';

/**
 * What wakes a task in distributed mode: its start job, a retry wake-up, its deadline; for a run,
 * one of its step tasks ended (`child`); for a step task, its run no longer needs it (`cancel`).
 */
export type RunKind = 'start' | 'wake' | 'deadline' | 'child' | 'cancel';

/**
 * The jobs a committed step asks for besides its timers: a step task that ended wakes its run;
 * a run step that aborts children cancels each of them.
 */
export function runJobs(step: StepCommit): { taskId: string; kind: RunKind }[] {
  const jobs: { taskId: string; kind: RunKind }[] = [];
  const { task } = step;
  if (task.parentId !== undefined && TERMINAL_STATUSES.has(task.status) && step.transitions.length)
    jobs.push({ taskId: task.parentId, kind: 'child' });
  if (task.kind === 'run') {
    const ctx = (task.snapshot as { context?: RunContext } | undefined)?.context;
    for (const ref of ctx?.abort ?? []) {
      jobs.push({ taskId: childTaskId(task.id, ref.step, ref.index, ctx!.steps[ref.step]?.forEach ?? false), kind: 'cancel' });
    }
  }
  return jobs;
}

/** The narrow port between distributed mode and the engine. */
export interface DistributedPort {
  store: Pick<Store, 'getTask'>;
  /** The CHILD_ENDED events of a run's step tasks that ended while the run counts them running. */
  childEnds(run: TaskRecord): Promise<MachineEvent[]>;
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
    if (kind === 'child') return this.#syncRun(taskId);
    let event: MachineEvent | undefined;
    if (kind === 'cancel') event = { type: 'CANCEL', error: wardenError('CANCELLED', 'its run no longer needs it').toJSON() };
    else if (kind === 'deadline')
      event = { type: 'DEADLINE', error: wardenError('DEADLINE_EXCEEDED', `task deadline ${rec.deadlineAt} passed`).toJSON() };
    else if (kind === 'start' && rec.state === 'queued') event = { type: 'START' };
    else if (kind === 'wake' && rec.state === 'waiting') event = { type: 'WAKE' };
    else if (retried) event = { type: 'RECOVERED' };
    if (!event) return; // a duplicate or stale job
    const task = interpreter.hydrate(rec);
    const detail = event.type === 'RECOVERED' ? { reason: 'its worker died; recovered on another' } : undefined;
    await this.#run(task, [event], detail);
  }

  /**
   * A step task of the run ended: the run takes the end of every step task that ended and it
   * still counts as running (`reconcile`), which also covers ends whose job came before.
   * @throws WardenError STEP_CONFLICT when another worker moved the run meanwhile: the job is
   * retried, and reads the run again.
   */
  async #syncRun(runId: string): Promise<void> {
    const rec = await this.port.store.getTask(runId);
    if (!rec || TERMINAL_STATUSES.has(rec.status) || rec.kind !== 'run') return;
    const events = await this.port.childEnds(rec);
    if (!events.length) return;
    await this.#run(this.port.interpreter.hydrate(rec), events);
  }

  /** Feeds `events` to a task held here until it parks, ends, or another worker takes it over. */
  async #run(task: LiveTask, events: MachineEvent[], detail?: Transition['detail']): Promise<void> {
    const { live, interpreter } = this.port;
    const released = new Promise<void>((resolve) => {
      task.release = resolve;
    });
    const seq = task.record.seq;
    for (const event of events) interpreter.enqueue(task, event, detail ? { detail } : {});
    await task.queue;
    // An event the machine did not take (a deadline after the end, a wake of a task not waiting) releases at once.
    if (task.record.seq === seq && !task.done) live.drop(task);
    await released;
    if (task.conflicted) throw wardenError('STEP_CONFLICT', `task ${task.record.id} was moved on by another worker; trying again`);
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

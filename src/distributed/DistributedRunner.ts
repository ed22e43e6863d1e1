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
  /** Forgets what this process remembers of a run that ended (here or on another worker). */
  forgetRun(runId: string): void;
  live: LiveTasks;
  interpreter: Interpreter;
  /** True once the engine is stopping. */
  stopping(): boolean;
  emitTransition(event: TransitionEvent): void;
  emitTaskEnded(task: Task): void;
}

/** How many times a run's `child` job reads the run again after another worker moved it, before pg-boss retries the job. */
const CHILD_SYNC_TRIES = 20;

/** Runs handed-over tasks and feeds the transition feed. @internal */
export class DistributedRunner {
  constructor(private readonly port: DistributedPort) {}

  /**
   * Runs a task handed to this worker until it parks on a timer, ends, or another worker takes
   * it over. `retried` means the job's worker died mid-run (or the job failed): the task re-runs
   * its current step.
   * @throws WardenError STEP_CONFLICT when another worker moved the task on meanwhile: the job is
   * retried, and reads the task again.
   */
  async runTask(taskId: string, kind: RunKind, retried = false): Promise<void> {
    if (this.port.stopping()) throw wardenError('ENGINE_STOPPING', 'the worker is shutting down');
    if ((kind === 'cancel' || kind === 'deadline') && (await this.#interrupt(taskId, kind))) return;
    for (let tries = 1; ; tries++) {
      const rec = await this.#read(taskId);
      if (!rec || TERMINAL_STATUSES.has(rec.status)) return;
      const events = await this.#events(rec, kind, retried);
      if (!events.length) return; // a duplicate or stale job
      try {
        return await this.#run(this.port.interpreter.hydrate(rec), events);
      } catch (err) {
        // A step task's end, while another worker moved its run on: read the run again here and
        // take what is left, rather than wait for pg-boss's retry. The other worker took over the
        // run's own work, so this is no longer a recovery.
        if (kind !== 'child' || (err as { code?: string }).code !== 'STEP_CONFLICT' || tries >= CHILD_SYNC_TRIES) throw err;
        retried = false;
      }
    }
  }

  /**
   * The task's row, once no copy of it is held here. A copy still held may be about to park (a
   * short wake-up fires first): wait for it to let go, then read where it is, so the job is
   * neither lost nor run twice.
   */
  async #read(taskId: string): Promise<TaskRecord | undefined> {
    const { live, store } = this.port;
    for (let held = live.get(taskId); held; held = live.get(taskId)) await held.dropped;
    return store.getTask(taskId);
  }

  /**
   * What a job feeds the task: a job whose own purpose is still pending (a start, a due wake-up)
   * does just that; a retried job re-runs the current step (RECOVERED); a run's `child` job takes
   * the end of every step task that ended while the run counts it running, which also covers
   * ends whose job came earlier. A run recovered takes those ends too, in the same hold, so they
   * are taken before it can park.
   */
  async #events(rec: TaskRecord, kind: RunKind, retried: boolean): Promise<MachineEvent[]> {
    const isRun = rec.kind === 'run';
    if (kind === 'cancel') return [cancelEvent()];
    if (kind === 'deadline') return [deadlineEvent(rec)];
    if (kind === 'start' && rec.state === 'queued') return [{ type: 'START' }];
    if (kind === 'wake' && rec.state === 'waiting') return [{ type: 'WAKE' }];
    if (kind === 'child' && !retried) return isRun ? this.port.childEnds(rec) : [];
    if (!retried) return [];
    return [{ type: 'RECOVERED' }, ...(isRun ? await this.port.childEnds(rec) : [])];
  }

  /**
   * A cancel or a deadline of a task held here goes to that copy at once, aborting its call in
   * flight, rather than waiting for the copy to let go, which a call in flight may not do for a
   * long while. False when no live copy is held here.
   */
  async #interrupt(taskId: string, kind: 'cancel' | 'deadline'): Promise<boolean> {
    const held = this.port.live.get(taskId);
    if (!held || held.done) return false;
    this.port.interpreter.enqueue(held, kind === 'cancel' ? cancelEvent() : deadlineEvent(held.record));
    await held.queue;
    if (held.conflicted) throw wardenError('STEP_CONFLICT', `task ${taskId} was moved on by another worker; trying again`);
    return true;
  }

  /** Feeds `events` to a task held here until it parks, ends, or another worker takes it over. */
  async #run(task: LiveTask, events: MachineEvent[]): Promise<void> {
    const { live, interpreter } = this.port;
    const released = new Promise<void>((resolve) => {
      task.release = resolve;
    });
    const seq = task.record.seq;
    for (const event of events) interpreter.enqueue(task, event, event.type === 'RECOVERED' ? { detail: RECOVERED_DETAIL } : {});
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

  /**
   * A task seen ending in the store's feed. A copy still held here was moved on by another
   * worker (a cancel, its run's cancel, a deadline) while it waited on a call: it lets go,
   * aborting the call, and its job, retried, finds the task ended. (A copy whose own final step
   * is still committing is let go the same way, a moment early; its job is retried for nothing.)
   */
  feedTaskEnded(task: Task): void {
    const held = this.port.live.get(task.id);
    if (held && !held.done) {
      held.conflicted = true;
      this.port.live.drop(held);
    }
    if (task.kind === 'run') this.port.forgetRun(task.id);
    this.port.emitTaskEnded(task);
    this.port.live.ended(task);
  }
}

const RECOVERED_DETAIL = { reason: 'its worker died; recovered on another' };

function cancelEvent(): MachineEvent {
  return { type: 'CANCEL', error: wardenError('CANCELLED', 'its run no longer needs it').toJSON() };
}

function deadlineEvent(rec: TaskRecord): MachineEvent {
  return { type: 'DEADLINE', error: wardenError('DEADLINE_EXCEEDED', `task deadline ${rec.deadlineAt} passed`).toJSON() };
}

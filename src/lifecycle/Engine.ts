/**
 * The engine: the facade users and the HTTP API hold. It accepts, reads, awaits and cancels
 * tasks, and starts and stops the pieces that run them (see docs/architecture.md):
 * the {@link Interpreter} step path with the {@link TaskLifecycle}, the {@link AttemptRunner},
 * the {@link StepCommitter}, the {@link LiveTasks} table, the durable-timer {@link Scheduler}
 * and the escalation service.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'eventemitter3';
import type { Clock } from '../clock/index.js';
import type { LoadedConfig, Workflow } from '../config/index.js';
import type { DistributedRunner } from '../distributed/DistributedRunner.js';
import type { EscalationService } from '../escalation/EscalationService.js';
import type { Redactor } from '../escalation/redact.js';
import type { Pruner } from '../retention/Pruner.js';
import { wardenError } from '../errors/index.js';
import type { DistributedHooks, EngineParts, StopOptions, SubmitOptions, SubmitResult } from './engineOptions.js';
import type { Store, TaskFilter } from '../store/Store.js';
import type { Supervisor } from '../supervisor/Supervisor.js';
import type { AgentPool, AgentView } from './AgentPool.js';
import { emitSafely } from './emitSafely.js';
import type { EngineEvents, InternalErrorSite } from './events.js';
import { LiveTasks } from './LiveTasks.js';
import type { Logger } from './logger.js';
import { type EngineWiring, wireEngine } from './wireEngine.js';
import { toTask } from './taskRecord.js';
import { TERMINAL_STATUSES, type Task, type Transition } from './types.js';

/** How many times a cancel is made again after another worker moved the task on meanwhile. */
const CANCEL_TRIES = 20;

/**
 * The engine. The machines decide, the engine acts and feeds the results back as events.
 *
 * @example
 * const engine = await createEngine({ configPath: './agents.config.json' });
 * const { id } = await engine.submit('code-review', { content: 'diff --git …' });
 * const task = await engine.result(id);
 */
export class Engine extends EventEmitter<EngineEvents> {
  readonly clock: Clock;
  readonly store: Store;
  readonly config: LoadedConfig;
  readonly agents: AgentPool;
  readonly logger: Logger;
  /** Escalations: routing, outbox, ack, repeats and resolved notices. */
  readonly escalations: EscalationService;
  /**
   * Blanks out every secret value the config names through an `…Env` field (and the API tokens).
   * Applied to error messages before they reach a transition, a task or a log; the HTTP API
   * applies it to its answers too.
   */
  readonly redact: Redactor;
  /**
   * Retention: deletes ended tasks and resolved escalations older than `retention` allows, in
   * small batches. The runtime runs it in the background; `retention.run()` runs a pass at once.
   */
  readonly retention: Pruner;
  /** Distributed mode: runs the tasks the dispatcher hands this worker. @internal */
  readonly distributedRunner: DistributedRunner | undefined;
  /** Set by the distributed dispatcher. @internal */
  distributed: DistributedHooks | undefined;

  readonly #w: EngineWiring;
  readonly #live = new LiveTasks();
  readonly #internalErrors = new Map<InternalErrorSite, number>();
  readonly #ownsStore: boolean;
  readonly #distributed: boolean;
  readonly #stopHooks: ((opts: StopOptions) => Promise<void>)[] = [];
  #supervisorOf: () => Supervisor | undefined = () => undefined;
  #accepting = false;
  #stopping = false;
  #stopped = false;

  /** @internal use `createEngine`. */
  constructor(parts: EngineParts, breakerState: Map<string, unknown>) {
    super();
    this.clock = parts.clock;
    this.store = parts.store;
    this.config = parts.loaded;
    this.logger = parts.logger;
    this.#ownsStore = parts.ownsStore;
    this.#distributed = parts.mode === 'distributed';
    this.#w = wireEngine({
      parts,
      breakerState,
      live: this.#live,
      lease: () => this.distributed?.lease,
      stopping: () => this.#stopping,
      emit: (event, ...args) => this.#emit(event, ...args),
      report: (err, where) => this.#report(err, where),
    });
    this.agents = this.#w.agents;
    this.redact = this.#w.redact;
    this.escalations = this.#w.escalations;
    this.retention = this.#w.retention;
    this.distributedRunner = this.#w.distributedRunner;
  }

  /** The workflows this engine runs, by name. */
  get workflows(): ReadonlyMap<string, Workflow> {
    return this.config.workflows;
  }

  /**
   * How many tasks this process holds in memory: tasks with a step to run or a call in flight
   * (whose actor may be shelved meanwhile). Parked and ended tasks live only in the store.
   */
  get liveActorCount(): number {
    return this.#live.size;
  }

  /**
   * Resolves once every queued lifecycle step has committed and no timer is being fired: the
   * engine has nothing left to do until time passes or an agent answers. For tests and drills
   * that drive a simulated clock.
   */
  async settled(): Promise<void> {
    await this.#live.settled(() => this.#w.scheduler.busy);
  }

  /** Problems the engine survived since it started, by where they happened (`/metrics`: `warden_internal_errors_total`). */
  get internalErrors(): ReadonlyMap<InternalErrorSite, number> {
    return this.#internalErrors;
  }

  /** Whether `submit` currently accepts work. */
  get accepting(): boolean {
    return this.#accepting;
  }

  /**
   * Where the engine is in its life: `starting` until it has resumed its tasks, `running` while
   * it accepts work, `stopping` while it drains, `stopped` after. What `/readyz` explains a 503 by.
   */
  get phase(): 'starting' | 'running' | 'stopping' | 'stopped' {
    if (this.#stopped) return 'stopped';
    if (this.#stopping) return 'stopping';
    return this.#accepting ? 'running' : 'starting';
  }

  /**
   * Resumes every unfinished task from the store, then accepts work. Called by `createEngine`.
   * @internal
   */
  async start(): Promise<void> {
    await this.#w.registry.prepare();
    await this.#w.degraded.prepare();
    if (this.#distributed) {
      // Recovery and timers are the dispatcher's: an unfinished task's job comes back by itself.
      // Only the leader sends escalations; the dispatcher turns the sender on when elected.
      await this.escalations.start({ send: false });
      this.#accepting = true;
      return;
    }
    await this.#w.interpreter.recover();
    this.#accepting = true;
    await this.#w.scheduler.start();
    await this.escalations.start();
  }

  /**
   * Accepts a task. Resolves once the task's first row is durable.
   * @throws WardenError WORKFLOW_NOT_FOUND, INPUT_INVALID (with `issues`), IDEMPOTENCY_CONFLICT or ENGINE_STOPPING.
   */
  async submit(workflowName: string, input: unknown, opts: SubmitOptions = {}): Promise<SubmitResult> {
    if (!this.#accepting) throw wardenError('ENGINE_STOPPING', 'the engine is not accepting tasks (it is starting or shutting down)');
    const wf = this.#w.validator.admit(this.config.workflows, workflowName, input, opts.deadlineMs);
    const now = this.clock.now();
    const deadlineAt = now + (opts.deadlineMs ?? wf.deadlineMs);
    const key = opts.idempotencyKey;
    const origin = { id: randomUUID(), input, now, deadlineAt, ...(key !== undefined ? { idempotencyKey: key } : {}) };
    const { record, actor, first } = (wf.run ? this.#w.runs : this.#w.tasks).build(wf, origin);
    const { task, created } = await this.store.createTask(record, first, [{ kind: 'deadline', wakeAt: deadlineAt }]);
    if (!created) {
      actor.stop();
      if (task.inputHash !== record.inputHash) {
        const message = `idempotency key "${opts.idempotencyKey}" was used for task ${task.id} with different input`;
        throw wardenError('IDEMPOTENCY_CONFLICT', message, { details: { taskId: task.id } });
      }
      return { id: task.id, status: task.status, created: false };
    }
    if (this.#distributed) {
      // The store's transaction also queued the task's job; a worker runs it.
      actor.stop();
      return { id: record.id, status: 'queued', created: true };
    }
    this.#emit('transition', { ...first, taskId: record.id, workflow: record.workflow });
    this.#w.scheduler.notify(deadlineAt);
    this.#w.interpreter.enqueue(this.#live.add(record, actor), { type: 'START' });
    return { id: record.id, status: 'queued', created: true };
  }

  /** The task, or undefined. Live tasks answer from memory, so a running attempt shows. */
  async get(id: string): Promise<Task | undefined> {
    const live = this.#live.get(id);
    const rec = live?.record ?? (await this.store.getTask(id));
    if (!rec) return undefined;
    return rec.kind === 'run' ? this.#w.runs.withOutputs(toTask(rec)) : toTask(rec);
  }

  /** Tasks, newest first. */
  async list(filter: TaskFilter = {}): Promise<Task[]> {
    const recs = await this.store.listTasks(filter);
    return recs.map((r) => toTask(this.#live.get(r.id)?.record ?? r));
  }

  /** The task's transitions, in order. */
  async transitions(id: string): Promise<Transition[]> {
    return this.store.transitions(id);
  }

  /**
   * Resolves with the task once it is terminal. Rejects with TASK_NOT_FOUND for an unknown id,
   * and with ENGINE_STOPPING when the engine stops first (the task resumes on the next start).
   */
  async result(id: string): Promise<Task> {
    if (this.#stopped) throw wardenError('ENGINE_STOPPING', `the engine is stopped; task ${id} resumes on the next start`);
    const done = this.#live.waitFor(id);
    // The engine may stop while the read below waits: the rejection is the caller's, once returned.
    done.catch(() => {});
    const current = await this.get(id);
    if (!current) {
      this.#live.forgetWaiters(id);
      throw wardenError('TASK_NOT_FOUND', `no task ${id}`);
    }
    if (TERMINAL_STATUSES.has(current.status)) {
      this.#live.ended(current);
      return current;
    }
    return done;
  }

  /**
   * Cancels a task that is not yet terminal; a terminal task is returned unchanged.
   * An attempt in flight is aborted through its AbortSignal.
   */
  async cancel(id: string, reason = 'cancelled by request'): Promise<Task | undefined> {
    for (let tries = 1; ; tries++) {
      const task = await this.#w.interpreter.hold(id, true);
      if (!task) return undefined;
      if (!('queue' in task)) return toTask(task);
      this.#w.interpreter.enqueue(task, { type: 'CANCEL', error: wardenError('CANCELLED', reason).toJSON() });
      await task.queue;
      // Distributed mode: another worker moved the task on meanwhile (a run taking its steps'
      // ends does so often); the cancel is made again where the task is now.
      if (!task.conflicted || tries >= CANCEL_TRIES) return this.get(id);
    }
  }

  /** The agents view: circuit, health and load of each agent. */
  agentViews(): AgentView[] {
    return this.agents.views();
  }

  /** Closes the circuit of an agent by hand. */
  resetCircuit(agent: string): AgentView | undefined {
    const slot = this.agents.get(agent);
    if (!slot) return undefined;
    slot.breaker.reset();
    return this.agents.view(agent);
  }

  /** Runs `hook` first when the engine stops, with the stop's options (the runtime uses it). @internal */
  onStop(hook: (opts: StopOptions) => Promise<void>): void {
    this.#stopHooks.push(hook);
  }

  /** The supervisor the runtime runs beside this engine (health checks, recovery, managed agent processes), if any. */
  get supervisor(): Supervisor | undefined {
    return this.#supervisorOf();
  }

  /** Where `supervisor` is read from: the runtime that owns it. @internal */
  showSupervisor(of: () => Supervisor | undefined): void {
    this.#supervisorOf = of;
  }

  /**
   * Stops accepting tasks, lets in-flight attempts finish up to `drainTimeoutMs`, parks the
   * rest in the store (they resume on the next start), and closes what the engine opened.
   * Callers still awaiting `result()` are rejected with ENGINE_STOPPING.
   */
  async stop(opts: StopOptions = {}): Promise<void> {
    if (this.#stopped) return;
    this.#accepting = false;
    this.#stopping = true;
    // What runs beside the engine stops before it drains (the runtime: the supervisor, then the distributed dispatcher).
    for (const hook of this.#stopHooks.splice(0)) await hook(opts).catch((err) => this.#report(err, 'stop-hook'));
    this.#w.scheduler.stop();
    this.#w.interpreter.interrupt();
    await this.#live.drain(opts.drainTimeoutMs ?? 30_000);
    this.#live.clear();
    this.#stopped = true;
    this.#live.rejectWaiters();
    await this.escalations.stop();
    await this.#w.registry.close();
    if (this.#ownsStore) await this.store.close();
  }

  #emit<E extends keyof EngineEvents>(event: E, ...args: Parameters<EngineEvents[E]>): void {
    emitSafely(this as unknown as EventEmitter, event, args, (err) => this.#report(err, 'listener'));
  }

  /** A problem the engine survived: logged with where it happened, counted (`internalError`), and emitted as `error` to whoever listens. */
  #report(err: unknown, where: InternalErrorSite): void {
    this.#internalErrors.set(where, (this.#internalErrors.get(where) ?? 0) + 1);
    const message = err instanceof Error ? err.message : String(err);
    this.logger.error({ err: message, where }, `internal error (${where}): ${message}`);
    // Not through #emit: a throwing listener of these must not report again, in a loop.
    emitSafely(this as unknown as EventEmitter, 'internalError', [{ where, message }], () => {});
    if (this.listenerCount('error') > 0) emitSafely(this as unknown as EventEmitter, 'error', [err], () => {});
  }
}

export type { DistributedHooks, EngineParts, StopOptions, SubmitOptions, SubmitResult } from './engineOptions.js';
export { toTask } from './taskRecord.js';
export type { RunKind } from '../distributed/DistributedRunner.js';

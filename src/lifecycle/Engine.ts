import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EventEmitter } from 'eventemitter3';
import { createActor, type Actor } from 'xstate';
import { AgentRegistry, type AdapterContext, type AgentAdapter } from '../agents/index.js';
import type { Clock } from '../clock/index.js';
import { iso } from '../clock/iso.js';
import { secretValues, type AgentConfig, type LoadedConfig, type Workflow } from '../config/index.js';
import { EscalationService } from '../escalation/EscalationService.js';
import { failpoint } from '../escalation/failpoint.js';
import { createRedactor, type Redactor } from '../escalation/redact.js';
import type { EscalationWrite } from '../escalation/types.js';
import { ErrorClassifier, maxSeverity, wardenError, type ErrorInfo, type Severity } from '../errors/index.js';
import { attemptSignal, BulkheadFullError, computeDelay, type BackoffOptions } from '../policies/index.js';
import type { Store, TaskFilter, TaskRecord, TimerKind } from '../store/Store.js';
import type { Supervisor } from '../supervisor/Supervisor.js';
import { AgentPool, type AgentView } from './AgentPool.js';
import { hashJson } from './canonicalJson.js';
import { emitSafely } from './emitSafely.js';
import type { EngineEvents, EscalationEvent } from './events.js';
import { InputValidator } from './InputValidator.js';
import type { Logger } from './logger.js';
import { Scheduler } from './Scheduler.js';
import { FINAL_STATES, persistedSnapshot, taskMachine, type FailureInfo, type TaskContext, type TaskEvent } from './taskMachine.js';
import { TERMINAL_STATUSES, type AttemptRecord, type Task, type TaskStatus, type Transition, type TransitionEvent } from './types.js';

/** Options for {@link Engine.submit}. */
export interface SubmitOptions {
  /** Submitting again with the same key returns the first task; with other input it is refused (IDEMPOTENCY_CONFLICT). */
  idempotencyKey?: string;
  /** Overrides the workflow's `deadlineMs` for this task. */
  deadlineMs?: number;
}

/** What {@link Engine.submit} answers. */
export interface SubmitResult {
  id: string;
  status: TaskStatus;
  /** False when an idempotency key matched an existing task. */
  created: boolean;
}

/** Options for {@link Engine.stop}. */
export interface StopOptions {
  /** How long in-flight attempts may run before they are parked for the next start. Defaults to 30 s. */
  drainTimeoutMs?: number;
}

/** @internal the engine's wiring, built by `createEngine`. */
export interface EngineParts {
  loaded: LoadedConfig;
  store: Store;
  clock: Clock;
  random: () => number;
  logger: Logger;
  env: Record<string, string | undefined>;
  /** Close the store on stop (true when the engine opened it). */
  ownsStore: boolean;
  /** Replaces an agent's adapter (drills put simulated agents behind every agent); undefined keeps the configured one. */
  adapterFor?: (agentId: string, ctx: AdapterContext) => AgentAdapter | undefined;
  /**
   * `local` (default): this process runs every task it accepts and fires the store's timers.
   * `distributed`: tasks run where a dispatcher (pg-boss) hands them, through {@link Engine.runTask};
   * transitions are emitted by a store-wide feed, not by the worker that made them.
   */
  mode?: 'local' | 'distributed';
}

/** What wakes a task in distributed mode: its start job, a retry wake-up, or its deadline. */
export type RunKind = 'start' | 'wake' | 'deadline';

/** The hooks distributed mode plugs into the engine. @internal */
export interface DistributedHooks {
  /** Takes a slot of the agent's global concurrency limit; resolves with its release. */
  lease(agent: string, limit: number, ttlMs: number, signal: AbortSignal): Promise<() => void>;
}

type Machine = typeof taskMachine;

/** A workflow's degraded-response function: `(task, failures) => response`. */
type Degrader = (task: { id: string; workflow: string; input: unknown }, failures: ErrorInfo[]) => unknown;

interface TaskRun {
  record: TaskRecord & { seq: number };
  /** Undefined while an attempt is in flight: `record.snapshot` stands in for it (see #shelve). */
  actor: Actor<Machine> | undefined;
  queue: Promise<void>;
  /** The attempt in flight: aborted when the task leaves `attempting` some other way. */
  attempt?: { token: object; abort: AbortController };
  done: boolean;
  /** Distributed mode: resolves the job that runs this task once it parks, ends or is taken over. */
  release?: () => void;
  /** Resolves when the run is dropped (parked, ended or taken over). */
  dropped: Promise<void>;
  onDrop: () => void;
}

const STATUS_OF: Record<string, TaskStatus> = {
  queued: 'queued',
  routing: 'running',
  attempting: 'running',
  validating: 'running',
  degrading: 'running',
  waiting: 'waiting',
  completed: 'completed',
  degraded: 'degraded',
  failed: 'failed',
  cancelled: 'cancelled',
};

/** Lifecycle codes that say where the lifecycle went, not how bad an agent's failure was. */
const NOT_FOR_SEVERITY = new Set(['FALLBACK_EXHAUSTED', 'CIRCUIT_OPEN', 'BULKHEAD_FULL', 'AGENT_UNHEALTHY', 'CANCELLED']);

/**
 * The interpreter of the task lifecycle. It owns the clock, the store, the agents and the
 * timers; the machine decides, the engine acts and feeds the results back as events.
 *
 * Each task's events are handled one at a time (a per-task promise chain), and each accepted
 * event is one step: the new snapshot and its transition row are committed together, then the
 * transition is emitted, then the next effect (call an agent, arm a timer, degrade) starts.
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
  readonly #registry: AgentRegistry;
  /** Adapters that replace configured ones (a drill's simulated agents). */
  readonly #adapterOverrides = new Map<string, AgentAdapter>();
  /** Runs whose actor is let go on the next turn of the event loop (see #shelve). */
  #shelving: TaskRun[] = [];
  /** Steps inside the escalation lock right now (see #nothingToResolve). */
  #escalating = 0;
  readonly #classifier: ErrorClassifier;
  readonly #random: () => number;
  readonly #validator: InputValidator;
  readonly #scheduler: Scheduler;
  readonly #live = new Map<string, TaskRun>();
  readonly #waiters = new Map<string, ((t: Task) => void)[]>();
  readonly #ownsStore: boolean;
  readonly #degraders = new Map<string, Degrader>();
  #accepting = false;
  #stopping = false;
  #stopped = false;
  readonly #distributed: boolean;
  /** Set by the distributed dispatcher. @internal */
  distributed: DistributedHooks | undefined;
  readonly #stopHooks: ((opts: StopOptions) => Promise<void>)[] = [];
  #supervisorOf: () => Supervisor | undefined = () => undefined;

  /** @internal use `createEngine`. */
  constructor(parts: EngineParts, breakerState: Map<string, unknown>) {
    super();
    this.clock = parts.clock;
    this.store = parts.store;
    this.config = parts.loaded;
    this.logger = parts.logger;
    this.#random = parts.random;
    this.#ownsStore = parts.ownsStore;
    this.#distributed = parts.mode === 'distributed';
    const { config } = parts.loaded;
    this.#classifier = new ErrorClassifier(config.errors.rules, { now: () => this.clock.now() });
    const adapterCtx: AdapterContext = {
      configDir: parts.loaded.configDir,
      env: parts.env,
      classifier: this.#classifier,
      clock: this.clock,
      random: this.#random,
    };
    this.#registry = new AgentRegistry(config.agents, adapterCtx);
    for (const id of Object.keys(config.agents)) {
      const adapter = parts.adapterFor?.(id, adapterCtx);
      if (adapter) this.#adapterOverrides.set(id, adapter);
    }
    this.agents = new AgentPool(config.agents, this.clock, breakerState);
    this.agents.on('circuit', (agent, from, to, snapshot) => {
      const at = this.clock.now();
      this.store.saveBreaker(agent, snapshot, at).catch((err) => this.#report(err));
      this.logger.warn({ agent, from, to }, `circuit of ${agent} ${to}`);
      this.#emit('circuit', { agent, from, to, at: iso(at) });
    });
    this.redact = createRedactor(secretValues(config, parts.env));
    this.#validator = new InputValidator(parts.loaded.workflows);
    this.#scheduler = new Scheduler(
      this.clock,
      this.store,
      (row) => this.#fireTimer(row.taskId, row.kind),
      (err) => this.#report(err),
    );
    this.escalations = new EscalationService({
      config: config.escalation,
      store: this.store,
      clock: this.clock,
      logger: this.logger,
      env: parts.env,
      secrets: secretValues(config, parts.env),
      random: this.#random,
      onTimer: (at) => this.#scheduler.notify(at),
    });
  }

  /** The workflows this engine runs, by name. */
  get workflows(): ReadonlyMap<string, Workflow> {
    return this.config.workflows;
  }

  /** How many tasks have a live actor in memory. Parked and finished tasks have none. */
  get liveActorCount(): number {
    return this.#live.size;
  }

  /**
   * Resolves once every queued lifecycle step has committed and no timer is being fired: the
   * engine has nothing left to do until time passes or an agent answers. For tests and drills
   * that drive a simulated clock.
   */
  async settled(): Promise<void> {
    for (let i = 0; i < 10_000; i++) {
      const queues = [...this.#live.values()].map((r) => r.queue);
      await Promise.all(queues);
      await new Promise((r) => setImmediate(r));
      const again = [...this.#live.values()].map((r) => r.queue);
      if (this.#scheduler.firing === 0 && again.length === queues.length && again.every((q, j) => q === queues[j])) return;
      if (this.#scheduler.firing > 0) await new Promise((r) => setTimeout(r, 1));
    }
  }

  /** Whether `submit` currently accepts work. */
  get accepting(): boolean {
    return this.#accepting;
  }

  /**
   * Resumes every unfinished task from the store, then accepts work. Called by `createEngine`.
   * @internal
   */
  async start(): Promise<void> {
    await this.#registry.prepare();
    await this.#prepareDegraders();
    if (this.#distributed) {
      // Recovery and timers are the dispatcher's: an unfinished task's job comes back by itself.
      // Only the leader sends escalations; the dispatcher turns the sender on when elected.
      await this.escalations.start({ send: false });
      this.#accepting = true;
      return;
    }
    const pending = await this.store.nonTerminalTasks();
    for (const rec of pending) {
      const run = this.#hydrate(rec);
      // Waiting tasks stay parked on their durable timer; the rest re-run their current step.
      this.#enqueue(run, { type: 'RECOVERED' }, { reason: 'recovered after restart' });
    }
    if (pending.length) this.logger.info({ tasks: pending.length }, `recovering ${pending.length} unfinished task(s)`);
    this.#accepting = true;
    await this.#scheduler.start();
    await this.escalations.start();
  }

  /**
   * Accepts a task. Resolves once the task's first row is durable.
   * @throws WardenError WORKFLOW_NOT_FOUND, INPUT_INVALID (with `issues`), IDEMPOTENCY_CONFLICT or ENGINE_STOPPING.
   */
  async submit(workflowName: string, input: unknown, opts: SubmitOptions = {}): Promise<SubmitResult> {
    if (!this.#accepting) throw wardenError('ENGINE_STOPPING', 'the engine is not accepting tasks (it is starting or shutting down)');
    const wf = this.config.workflows.get(workflowName);
    if (!wf) throw wardenError('WORKFLOW_NOT_FOUND', `unknown workflow "${workflowName}"`);
    const issues = this.#validator.validate(workflowName, input);
    if (issues) throw wardenError('INPUT_INVALID', `input does not match the ${workflowName} inputSchema`, { issues });
    if (opts.deadlineMs !== undefined && !(opts.deadlineMs > 0)) {
      throw wardenError('INPUT_INVALID', 'deadlineMs must be a positive number of milliseconds', {
        issues: [{ path: 'deadlineMs', message: 'must be > 0' }],
      });
    }

    const now = this.clock.now();
    const id = randomUUID();
    const plan = this.#plan(wf);
    const deadlineAt = now + (opts.deadlineMs ?? wf.deadlineMs);
    const actor = createActor(taskMachine, {
      input: {
        taskId: id,
        workflow: wf.name,
        plan,
        maxAttempts: plan.map((a) => this.#retryFor(wf, this.config.config.agents[a]).maxAttempts),
        deadlineAt,
        hasDegraded: wf.degraded !== undefined,
      },
      clock: this.clock as never,
    });
    actor.start();
    const record: TaskRecord & { seq: number } = {
      id,
      workflow: wf.name,
      status: 'queued',
      state: 'queued',
      input,
      attempts: [],
      escalationIds: [],
      plan,
      deadlineAt: iso(deadlineAt),
      ...(opts.idempotencyKey !== undefined ? { idempotencyKey: opts.idempotencyKey } : {}),
      createdAt: iso(now),
      updatedAt: iso(now),
      snapshot: persistedSnapshot(actor),
      inputHash: hashJson({ workflow: wf.name, input }),
      seq: 1,
    };
    const first: Transition = { seq: 1, at: iso(now), from: null, to: 'queued', event: 'SUBMIT' };
    const { task, created } = await this.store.createTask(record, first, [{ kind: 'deadline', wakeAt: deadlineAt }]);
    if (!created) {
      actor.stop();
      if (task.inputHash !== record.inputHash) {
        throw wardenError(
          'IDEMPOTENCY_CONFLICT',
          `idempotency key "${opts.idempotencyKey}" was used for task ${task.id} with different input`,
          {
            details: { taskId: task.id },
          },
        );
      }
      return { id: task.id, status: task.status, created: false };
    }
    if (this.#distributed) {
      // The store's transaction also queued the task's job; a worker runs it.
      actor.stop();
      return { id, status: 'queued', created: true };
    }
    this.#emit('transition', { ...first, taskId: id, workflow: wf.name });
    this.#scheduler.notify(deadlineAt);
    const run: TaskRun = { record, actor, queue: Promise.resolve(), done: false, ...dropSignal() };
    this.#live.set(id, run);
    this.#enqueue(run, { type: 'START' });
    return { id, status: 'queued', created: true };
  }

  /** The task, or undefined. Live tasks answer from memory, so a running attempt shows. */
  async get(id: string): Promise<Task | undefined> {
    const live = this.#live.get(id);
    if (live) return toTask(live.record);
    const rec = await this.store.getTask(id);
    return rec && toTask(rec);
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

  /** Resolves with the task once it is terminal. Rejects with TASK_NOT_FOUND for an unknown id. */
  async result(id: string): Promise<Task> {
    const done = new Promise<Task>((res) => {
      const list = this.#waiters.get(id) ?? [];
      list.push(res);
      this.#waiters.set(id, list);
    });
    const current = await this.get(id);
    if (!current) {
      this.#waiters.delete(id);
      throw wardenError('TASK_NOT_FOUND', `no task ${id}`);
    }
    if (TERMINAL_STATUSES.has(current.status)) {
      this.#resolveWaiters(current);
      return current;
    }
    return done;
  }

  /**
   * Cancels a task that is not yet terminal; a terminal task is returned unchanged.
   * An attempt in flight is aborted through its AbortSignal.
   */
  async cancel(id: string, reason = 'cancelled by request'): Promise<Task | undefined> {
    let run = this.#live.get(id);
    if (!run) {
      const rec = await this.store.getTask(id);
      if (!rec) return undefined;
      if (TERMINAL_STATUSES.has(rec.status)) return toTask(rec);
      run = this.#live.get(id) ?? this.#hydrate(rec);
    }
    this.#enqueue(run, { type: 'CANCEL', error: wardenError('CANCELLED', reason).toJSON() });
    await run.queue;
    return this.get(id);
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

  /**
   * Stops accepting tasks, lets in-flight attempts finish up to `drainTimeoutMs`, parks the
   * rest in the store (they resume on the next start), and closes what the engine opened.
   */
  async stop(opts: StopOptions = {}): Promise<void> {
    if (this.#stopped) return;
    this.#accepting = false;
    this.#stopping = true;
    // What runs beside the engine stops before it drains (the runtime: the supervisor, then the distributed dispatcher).
    for (const hook of this.#stopHooks.splice(0)) await hook(opts).catch((err) => this.#report(err));
    this.#scheduler.stop();
    const drainMs = opts.drainTimeoutMs ?? 30_000;
    const deadline = Date.now() + drainMs;
    // Real time here, not the engine clock: draining is about the process's wall-clock exit.
    while (Date.now() < deadline && [...this.#live.values()].some((r) => r.attempt)) {
      await new Promise((r) => setTimeout(r, 10));
    }
    // Answers that arrived are committed first: their steps (and the validation and completion
    // they lead to) run to the end. No new attempt starts while stopping.
    for (let changed = true; changed; ) {
      const queues = [...this.#live.values()].map((r) => r.queue);
      await Promise.allSettled(queues);
      await new Promise((r) => setImmediate(r));
      const again = [...this.#live.values()].map((r) => r.queue);
      changed = again.length !== queues.length || again.some((q, i) => q !== queues[i]);
    }
    // What is still in flight stays at its last durable step (`attempting`) and is re-attempted on
    // the next start; marking the runs done first keeps the aborted calls from feeding stopped actors.
    for (const run of this.#live.values()) {
      run.done = true;
      run.attempt?.abort.abort(new Error('engine stopping'));
    }
    await Promise.allSettled([...this.#live.values()].map((r) => r.queue));
    for (const run of this.#live.values()) run.actor?.stop();
    this.#live.clear();
    this.#stopped = true;
    await this.escalations.stop();
    await this.#registry.close();
    if (this.#ownsStore) await this.store.close();
  }

  // ---- the interpreter ----

  #plan(wf: Workflow): string[] {
    const { agents, fallbackChains } = this.config.config;
    if (wf.agent !== undefined) return [wf.agent, ...(fallbackChains[wf.agent] ?? [])];
    return Object.keys(agents).filter((id) => agents[id]!.capabilities.includes(wf.capability!));
  }

  #retryFor(wf: Workflow, agent: AgentConfig | undefined): AgentConfig['retry'] {
    const base = agent?.retry ?? { maxAttempts: 1, initialDelayMs: 0, maxDelayMs: 0, multiplier: 1, jitter: 'none', errorMultipliers: {} };
    return { ...base, ...(wf.retry ?? {}) } as AgentConfig['retry'];
  }

  #hydrate(rec: TaskRecord): TaskRun {
    const run: TaskRun = {
      record: { ...rec, seq: rec.seq ?? 0 },
      actor: this.#revive(rec.snapshot),
      queue: Promise.resolve(),
      done: false,
      ...dropSignal(),
    };
    this.#live.set(rec.id, run);
    return run;
  }

  #enqueue(run: TaskRun, event: TaskEvent, detail?: Transition['detail'], attempt?: AttemptRecord): void {
    run.queue = run.queue
      .then(() => this.#step(run, event, detail, attempt))
      .catch((err) => {
        if ((err as { code?: string }).code === 'STEP_CONFLICT') {
          // Another worker moved the task on (a deadline, a cancel, a takeover): this copy is stale.
          this.logger.debug({ taskId: run.record.id }, 'step conflict: the task was taken over');
          return this.#drop(run);
        }
        this.#report(err);
        this.logger.error({ err: String(err), taskId: run.record.id }, 'task step failed; the task stays at its last durable step');
        if (this.#distributed) this.#drop(run);
      });
  }

  async #step(run: TaskRun, event: TaskEvent, detail?: Transition['detail'], attempt?: AttemptRecord): Promise<void> {
    if (run.done) return;
    // An agent may echo a secret in its error body: redact before the machine, the store or a log sees it.
    if ('error' in event) event = { ...event, error: this.#redactInfo(event.error) };
    if (attempt?.error) attempt = { ...attempt, error: this.#redactInfo(attempt.error) };
    const actor = (run.actor ??= this.#revive(run.record.snapshot));
    const before = actor.getSnapshot();
    actor.send(event);
    const after = actor.getSnapshot();
    // A recovery re-enters the current state; it is recorded even when nothing else changes.
    if (after === before && event.type !== 'RECOVERED') return;
    const from = before.value as string;
    const to = after.value as string;
    const ctx = after.context;
    // A failed attempt is dated by its answer, so the timeline reads wakeAt − at = the backoff.
    const now = event.type === 'ATTEMPT_FAILED' || event.type === 'ATTEMPT_DEFERRED' ? event.at : this.clock.now();
    const rec = run.record;

    const t: Transition = { seq: ++rec.seq, at: iso(now), from, to, event: event.type };
    const resumed = event.type === 'RECOVERED' && (to === 'attempting' || to === 'waiting' || to === 'validating');
    if ((agentEvent(event.type) || resumed) && ctx.agent !== undefined) {
      t.agent = ctx.agent;
      t.attempt = ctx.attempt;
    }
    if ('error' in event) t.error = event.error;
    const d: NonNullable<Transition['detail']> = { ...(detail ?? {}) };
    if ('skipped' in event && event.skipped.length) d.skipped = event.skipped;
    if (to === 'waiting' && ctx.wakeAt !== undefined) {
      d.delayMs = ctx.backoffMs;
      d.wakeAt = iso(ctx.wakeAt);
    }
    if (Object.keys(d).length) t.detail = d;

    rec.state = to;
    rec.status = STATUS_OF[to] ?? 'running';
    rec.updatedAt = t.at;
    rec.snapshot = persistedSnapshot(actor);
    if (attempt) upsertAttempt(rec.attempts, attempt);

    const timers: { kind: 'wake' | 'deadline'; wakeAt: number | null }[] = [];
    if (to === 'waiting' && ctx.wakeAt !== undefined) timers.push({ kind: 'wake', wakeAt: ctx.wakeAt });
    else if (from === 'waiting') timers.push({ kind: 'wake', wakeAt: null });

    const final = FINAL_STATES.has(to);
    let escalation: EscalationEvent | undefined;
    if (final) {
      timers.push({ kind: 'wake', wakeAt: null }, { kind: 'deadline', wakeAt: null });
      if (to === 'completed') {
        rec.output = ctx.output;
        if (ctx.answeredBy !== undefined) rec.answeredBy = ctx.answeredBy;
      } else if (to === 'degraded') rec.output = ctx.output;
      if (ctx.finalError) rec.error = stripFailure(ctx.finalError);
      if (to === 'degraded' || to === 'failed') {
        rec.severity = this.#severity(ctx);
        escalation = this.#escalationFor(rec, ctx, to, now);
      }
    }
    // Leaving `attempting` other than by the attempt's own result abandons the call.
    if (
      from === 'attempting' &&
      to !== 'attempting' &&
      event.type !== 'ATTEMPT_OK' &&
      event.type !== 'ATTEMPT_FAILED' &&
      event.type !== 'ATTEMPT_DEFERRED'
    ) {
      if (run.attempt) {
        run.attempt.abort.abort(new Error(`task ${event.type.toLowerCase()}`));
        run.attempt = undefined;
      }
      // The abandoned call ends here, with the reason, so no attempt is left "running".
      const open = rec.attempts.find((a) => a.outcome === 'running');
      if (open && 'error' in event) {
        attempt = { ...open, endedAt: t.at, outcome: 'error', error: event.error };
        upsertAttempt(rec.attempts, attempt);
      }
    }

    const step = { task: rec, transitions: [t], ...(attempt ? { attempt } : {}), timers };
    let eventId: number | undefined;
    let escWrite: EscalationWrite | undefined;
    if (to === 'completed' && !escalation && (await this.#nothingToResolve(rec))) {
      // Under the escalation lock every completion waited for the previous one's commit, so a
      // group commit batched nothing (390 tasks/s on SQLite; see docs/benchmarks.md).
      [eventId] = await this.store.commit(step);
    } else if (escalation || to === 'completed') {
      // The escalation (or the resolved notices) commit in the task's final transaction: the outbox.
      this.#escalating++;
      [eventId, escWrite] = await this.escalations
        .exclusive(async () => {
          let write: EscalationWrite | undefined;
          if (escalation) {
            const planned = await this.escalations.planTaskEnded(rec, escalation);
            escalation!.escalationId = planned.id;
            if (!rec.escalationIds.includes(planned.id)) rec.escalationIds.push(planned.id);
            write = planned.write;
          } else write = await this.escalations.planTaskCompleted(rec);
          const [id] = await this.store.commit({ ...step, ...(write ? { escalation: write } : {}) });
          return [id, write] as const;
        })
        .finally(() => this.#escalating--);
      if (escWrite) {
        if (escWrite.outbox.length) failpoint('after-outbox-write');
        this.escalations.committed(escWrite);
      }
    } else [eventId] = await this.store.commit(step);
    for (const tm of timers) if (tm.wakeAt !== null) this.#scheduler.notify(tm.wakeAt);
    if (!this.#distributed)
      this.#emit('transition', { ...t, taskId: rec.id, workflow: rec.workflow, ...(eventId !== undefined ? { eventId } : {}) });

    if (final) return this.#finish(run, escalation);
    this.#effect(run, to, ctx);
  }

  /**
   * Whether a completed task can commit without the escalation lock: no escalation of its
   * workflow and plan is unresolved, and none is being written by this engine. A failure whose
   * escalation is still being planned commits after this success, so this success rightly
   * does not resolve it.
   */
  async #nothingToResolve(rec: TaskRecord): Promise<boolean> {
    if (this.#escalating > 0) return false;
    const write = await this.escalations.planTaskCompleted(rec);
    return write === undefined && this.#escalating === 0;
  }

  /** Starts what entering `state` asks for. Never awaited inside a step. */
  #effect(run: TaskRun, state: string, ctx: TaskContext): void {
    switch (state) {
      case 'queued':
        this.#enqueue(run, { type: 'START' });
        return;
      case 'routing': {
        const { index, skipped } = this.agents.route(ctx.plan, ctx.index);
        if (index >= 0) this.#enqueue(run, { type: 'ROUTED', agent: ctx.plan[index]!, index, skipped });
        else {
          const tried = ctx.plan.length
            ? `all ${ctx.plan.length} agent(s) of the plan failed or were unavailable`
            : 'the workflow has no agent';
          this.#enqueue(run, { type: 'NO_AGENT', skipped, error: wardenError('FALLBACK_EXHAUSTED', tried).toJSON() });
        }
        return;
      }
      case 'attempting':
        if (this.#stopping) return this.#park(run); // resumes on the next start
        void this.#attempt(run, ctx);
        this.#shelve(run);
        return;
      case 'validating':
        this.#validate(run, ctx);
        return;
      case 'waiting':
        this.#park(run);
        return;
      case 'degrading':
        void this.#degrade(run, ctx);
        return;
    }
  }

  /** An actor for a persisted snapshot. */
  #revive(snapshot: unknown): Actor<Machine> {
    const actor = createActor(taskMachine, { snapshot: snapshot as never, clock: this.clock as never, input: undefined as never });
    actor.start();
    return actor;
  }

  /**
   * Lets go of the actor of a task whose attempt is in flight; the next event revives it from the
   * snapshot its last step wrote. An actor is 4 KB, most of what an in-flight task costs, and an
   * agent holds a task for seconds where a step takes microseconds (see docs/benchmarks.md).
   * Done on the next turn of the event loop, in one sweep: a call still open by then is a slow
   * one, while an agent that answers within the burst (an in-process one) keeps its actor and
   * skips the revival, which costs about as much as a step.
   */
  #shelve(run: TaskRun): void {
    if (this.#shelving.push(run) > 1) return;
    setImmediate(() => {
      const runs = this.#shelving;
      this.#shelving = [];
      // Only the start of a step uses the actor, so one between steps can go.
      for (const r of runs) {
        if (!r.attempt || r.done || r.record.state !== 'attempting') continue;
        r.actor?.stop();
        r.actor = undefined;
      }
    });
  }

  /** Drops the task's actor: it lives only in the store until a timer or a request needs it. */
  #park(run: TaskRun): void {
    if (this.#live.get(run.record.id) !== run) return;
    // Parking happens at the end of a step; later events for this run rehydrate a fresh one.
    run.queue.then(() => {
      if (run.attempt || this.#live.get(run.record.id) !== run) return;
      this.#drop(run);
    });
  }

  async #attempt(run: TaskRun, ctx: TaskContext): Promise<void> {
    const agent = ctx.agent!;
    const number = ctx.attempt;
    const slot = this.agents.get(agent);
    const wf = this.config.workflows.get(run.record.workflow)!;
    const token = {};
    const abort = new AbortController();
    run.attempt = { token, abort };
    const current = () => run.attempt?.token === token && !run.done;
    const fail = (error: ErrorInfo, rec?: AttemptRecord) => {
      run.attempt = undefined;
      this.#enqueue(run, { type: 'ATTEMPT_FAILED', error, at: this.clock.now(), delayMs: 0 }, undefined, rec);
    };
    if (!slot) return fail(wardenError('CONFIG_INVALID', `agent ${agent} is not configured`).toJSON());

    let release: (() => void) | undefined;
    try {
      release = slot.bulkhead.tryAcquire() ?? (await slot.bulkhead.acquire(abort.signal));
    } catch (err) {
      if (!current()) return;
      const error =
        err instanceof BulkheadFullError
          ? wardenError('BULKHEAD_FULL', `${agent} is at its concurrency limit and its queue is full`, { agent, cause: err })
          : this.#classifier.classify(err);
      return fail(error.toJSON());
    }
    if (!current()) return release();
    if (this.distributed) {
      // The agent's limit is global across workers: hold a lease in the database for the call.
      try {
        const local = release;
        const lease = await this.distributed.lease(
          agent,
          slot.bulkhead.limit,
          (wf.timeoutMs ?? slot.config.timeoutMs) + 60_000,
          abort.signal,
        );
        release = () => {
          local();
          lease();
        };
      } catch (err) {
        release();
        if (!current()) return;
        return fail(this.#classifier.classify(err).toJSON());
      }
      if (!current()) return release();
    }
    // The agent asked every client to wait (a Retry-After another task received): no call before then.
    const heldMs = slot.holdUntil - this.clock.now();
    if (heldMs > 0) {
      release();
      run.attempt = undefined;
      const error = wardenError('RATE_LIMITED', `${agent} asked not to be called for another ${Math.ceil(heldMs)} ms`, {
        agent,
        retryAfterMs: heldMs,
      }).toJSON();
      // No call was made, so no attempt is spent: the task waits for the hold to end (or moves on past its deadline).
      return this.#enqueue(run, { type: 'ATTEMPT_DEFERRED', error, at: this.clock.now(), delayMs: heldMs });
    }
    if (!slot.breaker.tryAcquire()) {
      release();
      return fail(wardenError('CIRCUIT_OPEN', `circuit of ${agent} is open`, { agent }).toJSON());
    }

    const startedAt = this.clock.now();
    const rec: AttemptRecord = { agent, attempt: number, startedAt: iso(startedAt), outcome: 'running' };
    upsertAttempt(run.record.attempts, rec);
    const timeoutMs = Math.max(1, Math.min(wf.timeoutMs ?? slot.config.timeoutMs, ctx.deadlineAt - startedAt));
    const { signal, clear } = attemptSignal(this.clock, timeoutMs, abort.signal);
    const adapter = this.#adapterOverrides.get(agent) ?? this.#registry.adapter(agent);
    try {
      const output = await adapter.call(
        {
          taskId: run.record.id,
          workflow: run.record.workflow,
          input: run.record.input,
          attempt: number,
          agent,
          deadline: iso(ctx.deadlineAt),
          idempotencyKey: `${run.record.id}:${agent}`,
        },
        signal,
      );
      const end = this.clock.now();
      this.agents.note(agent, end, true, end - startedAt);
      if (!current()) return slot.breaker.release();
      slot.breaker.recordSuccess();
      run.attempt = undefined;
      const ok: AttemptRecord = { ...rec, endedAt: iso(end), outcome: 'ok' };
      this.#enqueue(run, { type: 'ATTEMPT_OK', output }, undefined, ok);
      this.#emit('attempt', { ...ok, taskId: run.record.id, workflow: run.record.workflow, durationMs: end - startedAt });
    } catch (err) {
      const end = this.clock.now();
      if (!current()) return slot.breaker.release();
      const error = this.#classifier.classify(err);
      this.agents.note(agent, end, false, end - startedAt);
      if (error.retryAfterMs !== undefined && error.retryAfterMs > 0) this.agents.hold(agent, error.retryAfterMs);
      // Only failures that say something about the agent's health move its breaker.
      if (error.category === 'logic') slot.breaker.release();
      else slot.breaker.recordFailure();
      const retry = this.#retryFor(wf, slot.config);
      const delayMs = computeDelay(retry as BackoffOptions, {
        attempt: number,
        ...(ctx.backoffMs > 0 ? { previousDelayMs: ctx.backoffMs } : {}),
        errorCode: error.code,
        ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
        random: this.#random,
      });
      const info = this.#redactInfo(error.toJSON());
      run.attempt = undefined;
      const failed: AttemptRecord = { ...rec, endedAt: iso(end), outcome: 'error', error: info };
      this.#enqueue(run, { type: 'ATTEMPT_FAILED', error: info, at: end, delayMs }, undefined, failed);
      this.#emit('attempt', { ...failed, taskId: run.record.id, workflow: run.record.workflow, durationMs: end - startedAt });
    } finally {
      clear();
      release();
    }
  }

  #validate(run: TaskRun, ctx: TaskContext): void {
    const issues = this.#validator.validateOutput(run.record.workflow, ctx.output);
    if (!issues) return this.#enqueue(run, { type: 'OUTPUT_VALID' });
    const error = wardenError('OUTPUT_INVALID', `output of ${ctx.agent} does not match the outputSchema`, { issues });
    this.#enqueue(run, { type: 'OUTPUT_INVALID', error: error.toJSON() });
  }

  /** Imports every degrader module up front, so a broken one stops the start, not a task. */
  async #prepareDegraders(): Promise<void> {
    for (const wf of this.config.workflows.values()) {
      const spec = wf.degraded;
      if (!spec || !('module' in spec)) continue;
      const file = resolve(this.config.configDir, spec.module);
      let mod: Record<string, unknown>;
      try {
        mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
      } catch (err) {
        throw wardenError(
          'CONFIG_INVALID',
          `degraded module ${file} of workflow ${wf.name} could not be imported: ${err instanceof Error ? err.message : String(err)}`,
          { cause: err },
        );
      }
      const fn = mod[spec.export ?? 'default'];
      if (typeof fn !== 'function')
        throw wardenError(
          'CONFIG_INVALID',
          `degraded module ${file} of workflow ${wf.name} has no function export "${spec.export ?? 'default'}"`,
        );
      this.#degraders.set(wf.name, fn as Degrader);
    }
  }

  async #degrade(run: TaskRun, ctx: TaskContext): Promise<void> {
    const wf = this.config.workflows.get(run.record.workflow)!;
    const spec = wf.degraded;
    try {
      if (!spec) throw new Error('the workflow has no degraded response');
      let output: unknown;
      if ('response' in spec) output = spec.response;
      else {
        const task = { id: run.record.id, workflow: run.record.workflow, input: run.record.input };
        output = await this.#degraders.get(wf.name)!(task, ctx.failures.map(stripFailure));
      }
      this.#enqueue(run, { type: 'DEGRADED', output });
    } catch (err) {
      const error = wardenError('DEGRADE_FAILED', `degraded response failed: ${err instanceof Error ? err.message : String(err)}`, {
        cause: err,
      });
      this.#enqueue(run, { type: 'DEGRADE_FAILED', error: error.toJSON() });
    }
  }

  #severity(ctx: TaskContext): Severity {
    const wf = this.config.workflows.get(ctx.workflow);
    const counted = ctx.failures.filter((f) => !NOT_FOR_SEVERITY.has(f.code)).map((f) => f.severity);
    return maxSeverity(wf?.severity ?? 'medium', ...counted);
  }

  #escalationFor(rec: TaskRecord, ctx: TaskContext, status: 'degraded' | 'failed', now: number): EscalationEvent {
    const agentsTried = [...new Set(rec.attempts.map((a) => a.agent))];
    const agentFailures = ctx.failures.filter((f) => f.agent !== undefined && !NOT_FOR_SEVERITY.has(f.code));
    const finalErrorCode = agentFailures.at(-1)?.code ?? ctx.finalError?.code ?? 'FALLBACK_EXHAUSTED';
    return {
      taskId: rec.id,
      workflow: rec.workflow,
      status,
      severity: rec.severity ?? 'medium',
      errorCodes: ctx.failures.map((f) => f.code),
      finalErrorCode,
      agentsTried,
      fingerprint: `${rec.workflow}|${finalErrorCode}|${[...agentsTried].sort().join(',')}`,
      ...(ctx.finalError ? { error: stripFailure(ctx.finalError) } : {}),
      at: iso(now),
    };
  }

  #finish(run: TaskRun, escalation: EscalationEvent | undefined): void {
    this.#drop(run);
    const task = toTask(run.record);
    if (this.#distributed) {
      if (escalation) this.#emit('escalation', escalation);
      return;
    }
    this.#emit('taskEnded', task);
    if (escalation) {
      this.logger.warn({ escalation }, `task ${task.id} ${task.status} (${escalation.severity})`);
      this.#emit('escalation', escalation);
    }
    this.#resolveWaiters(task);
  }

  async #fireTimer(taskId: string, kind: TimerKind): Promise<void> {
    if (kind === 'esc-repeat' || kind === 'esc-ack') return this.escalations.fireTimer(taskId, kind);
    let run = this.#live.get(taskId);
    if (!run) {
      const rec = await this.store.getTask(taskId);
      run = this.#live.get(taskId);
      if (!run) {
        if (!rec || TERMINAL_STATUSES.has(rec.status)) {
          if (rec) await this.store.commit({ task: rec, transitions: [], timers: [{ kind, wakeAt: null }] });
          return;
        }
        run = this.#hydrate(rec);
      }
    }
    const r = run;
    const event: TaskEvent =
      kind === 'wake'
        ? { type: 'WAKE' }
        : { type: 'DEADLINE', error: wardenError('DEADLINE_EXCEEDED', `task deadline ${r.record.deadlineAt} passed`).toJSON() };
    const seq = r.record.seq;
    this.#enqueue(r, event);
    await r.queue;
    // A timer the machine did not take (a stale one) is cleared so that it cannot fire again.
    if (r.record.seq === seq && !r.done) await this.store.commit({ task: r.record, transitions: [], timers: [{ kind, wakeAt: null }] });
    if (r.record.state === 'waiting') this.#park(r);
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

  /** Forgets a task's in-memory run: parked, ended or taken over. */
  #drop(run: TaskRun): void {
    run.done = true;
    run.attempt?.abort.abort(new Error('task released'));
    run.actor?.stop();
    if (this.#live.get(run.record.id) === run) this.#live.delete(run.record.id);
    const release = run.release;
    run.release = undefined;
    release?.();
    run.onDrop();
  }

  /**
   * Distributed mode: runs a task handed to this worker until it parks on a timer, ends, or
   * another worker takes it over. `recover` re-runs the current step of a task whose worker died.
   * @internal
   */
  async runTask(taskId: string, kind: RunKind, retried = false): Promise<void> {
    if (this.#stopping) throw wardenError('ENGINE_STOPPING', 'the worker is shutting down');
    // The task may still be running here, about to park (a short wake-up fires first): wait for it
    // to let go, then read where it is, so the job is neither lost nor run twice.
    for (let live = this.#live.get(taskId); live; live = this.#live.get(taskId)) await live.dropped;
    const rec = await this.store.getTask(taskId);
    if (!rec || TERMINAL_STATUSES.has(rec.status)) return;
    // A retried job means its worker died mid-run: the task re-runs its current step, except
    // that a job whose own purpose is still pending (a start, a due wake-up) does just that.
    let event: TaskEvent | undefined;
    if (kind === 'deadline')
      event = { type: 'DEADLINE', error: wardenError('DEADLINE_EXCEEDED', `task deadline ${rec.deadlineAt} passed`).toJSON() };
    else if (kind === 'start' && rec.state === 'queued') event = { type: 'START' };
    else if (kind === 'wake' && rec.state === 'waiting') event = { type: 'WAKE' };
    else if (retried) event = { type: 'RECOVERED' };
    if (!event) return; // a duplicate or stale job
    const run = this.#hydrate(rec);
    const released = new Promise<void>((resolve) => (run.release = resolve));
    const detail = event.type === 'RECOVERED' ? { reason: 'its worker died; recovered on another' } : undefined;
    const seq = run.record.seq;
    this.#enqueue(run, event, detail);
    await run.queue;
    // An event the machine did not take (a deadline after the end, a wake of a task not waiting) releases at once.
    if (run.record.seq === seq && !run.done) this.#drop(run);
    return released;
  }

  /** Distributed mode: a transition read from the store's feed, from any worker. @internal */
  feedTransition(event: TransitionEvent): void {
    this.#emit('transition', event);
  }

  /** Distributed mode: a task seen ending in the store's feed. @internal */
  feedTaskEnded(task: Task): void {
    this.#emit('taskEnded', task);
    this.#resolveWaiters(task);
  }

  /** How many tasks this process is running right now (distributed workers). */
  get runningCount(): number {
    return this.#live.size;
  }

  #resolveWaiters(task: Task): void {
    const list = this.#waiters.get(task.id);
    if (!list) return;
    this.#waiters.delete(task.id);
    for (const res of list) res(task);
  }

  #redactInfo(info: ErrorInfo): ErrorInfo {
    const message = this.redact(info.message);
    return message === info.message ? info : { ...info, message };
  }

  #emit<E extends keyof EngineEvents>(event: E, ...args: Parameters<EngineEvents[E]>): void {
    emitSafely(this as unknown as EventEmitter, event, args, (err) => this.#report(err));
  }

  #report(err: unknown): void {
    if (this.listenerCount('error') > 0) this.#emit('error', err);
  }
}

function dropSignal(): { dropped: Promise<void>; onDrop: () => void } {
  let onDrop!: () => void;
  const dropped = new Promise<void>((resolve) => (onDrop = resolve));
  return { dropped, onDrop };
}

function agentEvent(type: TaskEvent['type']): boolean {
  return (
    type === 'ROUTED' ||
    type === 'ATTEMPT_OK' ||
    type === 'ATTEMPT_FAILED' ||
    type === 'ATTEMPT_DEFERRED' ||
    type === 'WAKE' ||
    type === 'OUTPUT_VALID' ||
    type === 'OUTPUT_INVALID'
  );
}

function upsertAttempt(list: AttemptRecord[], a: AttemptRecord): void {
  const i = list.findIndex((x) => x.agent === a.agent && x.attempt === a.attempt && x.startedAt === a.startedAt);
  if (i >= 0) list[i] = a;
  else list.push(a);
}

function stripFailure(f: FailureInfo): ErrorInfo {
  const { agent: _a, attempt: _n, ...info } = f;
  return info;
}

/** The public shape of a stored task. */
export function toTask(rec: TaskRecord): Task {
  const { snapshot: _s, inputHash: _h, seq: _q, ...task } = rec as TaskRecord & { seq?: number };
  return structuredClone(task);
}

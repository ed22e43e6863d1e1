/**
 * The task lifecycle on the interpreter's step path: how a step of the task machine is recorded
 * and committed, and what entering each state starts (routing, an attempt, validation, a
 * durable wait, the degraded response) or how the task ends.
 * @module
 */
import { type AnyActorRef, type AnyMachineSnapshot, createActor } from 'xstate';
import type { Clock } from '../clock/index.js';
import type { LoadedConfig, Workflow } from '../config/index.js';
import { taskPlan } from './TaskPlan.js';
import { specKeyOf } from './TaskSpecs.js';
import { escalationFacts, taskSeverity } from '../escalation/EscalationFacts.js';
import { wardenError } from '../errors/index.js';
import type { TaskRecord, TimerKind } from '../store/Store.js';
import type { AgentPool } from './AgentPool.js';
import type { AttemptRunner } from './AttemptRunner.js';
import type { DegradedResponses } from './DegradedResponses.js';
import type { EscalationEvent } from './events.js';
import type { InputValidator } from './InputValidator.js';
import { Interpreter, type Lifecycle, type MachineEvent, type StepExtra } from './Interpreter.js';
import type { LiveTask, LiveTasks } from './LiveTasks.js';
import type { Logger } from './logger.js';
import type { StepCommitter } from './StepCommitter.js';
import { type RecordedStep, recordStep, stepTime } from './StepRecorder.js';
import { persistedSnapshot, type TaskContext, type TaskEvent, taskMachine } from './taskMachine.js';
import {
  firstTransition,
  type LiveRecord,
  type NewLiveTask,
  originFields,
  stripFailure,
  type TaskOrigin,
  toTask,
  upsertAttempt,
} from './taskRecord.js';
import type { Task } from './types.js';

/** A recorded task step, with the escalation it opens when it ends the task degraded or failed. */
export interface TaskStep extends RecordedStep {
  escalation?: EscalationEvent;
  context: TaskContext;
}

/** What the task lifecycle needs from the engine. */
export interface TaskLifecycleDeps {
  config: LoadedConfig;
  /** What each task runs, by key (see `taskSpecs`). */
  specs: ReadonlyMap<string, Workflow>;
  clock: Clock;
  logger: Logger;
  live: LiveTasks;
  agents: AgentPool;
  attempts: AttemptRunner;
  committer: StepCommitter;
  validator: InputValidator;
  degraded: DegradedResponses;
  /** The step path (set once the interpreter exists). */
  interpreter(): Interpreter;
  /** True once the engine is stopping: no new attempt starts. */
  stopping(): boolean;
  distributed: boolean;
  emitEnded(task: Task, escalation: EscalationEvent | undefined): void;
  /** A run's step task ended: its run takes it. */
  childEnded(child: TaskRecord): Promise<void>;
  emitAttempt(event: NonNullable<Awaited<ReturnType<AttemptRunner['run']>>>['report'] & object): void;
}

/** The task machine's lifecycle. */
export class TaskLifecycle implements Lifecycle<TaskStep> {
  constructor(private readonly deps: TaskLifecycleDeps) {}

  /** A new task of a single-step workflow (or a run's agent step): its first row and transition, and its started actor. */
  build(wf: Workflow, origin: TaskOrigin): NewLiveTask {
    const { id, now, deadlineAt } = origin;
    const plan = taskPlan(this.deps.config.config, wf);
    const actor = createActor(taskMachine, {
      input: {
        taskId: id,
        workflow: wf.name,
        plan: plan.agents,
        maxAttempts: plan.maxAttempts,
        deadlineAt,
        hasDegraded: wf.degraded !== undefined,
      },
      clock: this.deps.clock as never,
    });
    actor.start();
    const record: LiveRecord = { ...originFields(wf, origin), plan: plan.agents, snapshot: persistedSnapshot(actor) };
    return { record, actor, first: firstTransition(now) };
  }

  revive(snapshot: unknown): AnyActorRef {
    const actor = createActor(taskMachine, { snapshot: snapshot as never, clock: this.deps.clock as never, input: undefined as never });
    actor.start();
    return actor;
  }

  record(task: LiveTask, before: AnyMachineSnapshot, after: AnyMachineSnapshot, ev: MachineEvent, extra: StepExtra): TaskStep {
    const event = ev as TaskEvent;
    const ctx = after.context as TaskContext;
    const now = stepTime(event, this.deps.clock.now());
    const step: TaskStep = {
      ...recordStep({
        record: task.record,
        from: before.value as string,
        to: after.value as string,
        context: ctx,
        event,
        snapshot: persistedSnapshot(task.actor as never),
        ...(extra.detail ? { detail: extra.detail } : {}),
        ...(extra.attempt ? { attempt: extra.attempt } : {}),
        now,
      }),
      context: ctx,
    };
    const rec = step.record;
    if (rec.status === 'degraded' || rec.status === 'failed') {
      rec.severity = taskSeverity(this.deps.specs.get(specKeyOf(rec))?.severity, ctx.failures);
      // A run's step task does not escalate by itself: its run escalates once, listing its steps.
      if (rec.parentId === undefined)
        step.escalation = escalationFacts({
          taskId: rec.id,
          workflow: rec.workflow,
          status: rec.status,
          severity: rec.severity,
          attempts: rec.attempts,
          failures: ctx.failures,
          finalError: ctx.finalError,
          at: now,
        });
    }
    // Leaving `attempting` other than by the attempt's own answer abandons the call, before the
    // commit, so that a late answer cannot count for the agent's breaker.
    if (step.abandonsCall && task.attempt) {
      task.attempt.abort.abort(new Error(`task ${event.type.toLowerCase()}`));
      task.attempt = undefined;
    }
    return step;
  }

  commit(_task: LiveTask, step: TaskStep): Promise<number | undefined> {
    return this.deps.committer.commit(step, step.escalation);
  }

  settle(task: LiveTask, step: TaskStep): void {
    if (step.final) return this.#finish(task, step.escalation);
    this.#effect(task, step.record.state, step.context);
  }

  timerEvent(record: TaskRecord, kind: TimerKind): MachineEvent {
    return kind === 'wake' ? { type: 'WAKE' } : { type: 'DEADLINE', error: Interpreter.deadlineError(record) };
  }

  /** Starts what entering `state` asks for. */
  #effect(task: LiveTask, state: string, ctx: TaskContext): void {
    const path = this.deps.interpreter();
    switch (state) {
      case 'queued':
        path.enqueue(task, { type: 'START' });
        return;
      case 'routing': {
        const { index, skipped } = this.deps.agents.route(ctx.plan, ctx.index);
        if (index >= 0) path.enqueue(task, { type: 'ROUTED', agent: ctx.plan[index]!, index, skipped } as MachineEvent);
        else {
          const tried = ctx.plan.length
            ? `all ${ctx.plan.length} agent(s) of the plan failed or were unavailable`
            : 'the workflow has no agent';
          path.enqueue(task, { type: 'NO_AGENT', skipped, error: wardenError('FALLBACK_EXHAUSTED', tried).toJSON() } as MachineEvent);
        }
        return;
      }
      case 'attempting':
        if (this.deps.stopping()) return this.deps.live.park(task); // resumes on the next start
        void this.#attempt(task, ctx);
        this.deps.live.shelve(task);
        return;
      case 'validating': {
        const issues = this.deps.validator.validateOutput(specKeyOf(task.record), ctx.output);
        if (!issues) return path.enqueue(task, { type: 'OUTPUT_VALID' });
        const error = wardenError('OUTPUT_INVALID', `output of ${ctx.agent} does not match the outputSchema`, { issues });
        return path.enqueue(task, { type: 'OUTPUT_INVALID', error: error.toJSON() });
      }
      case 'waiting':
        this.deps.live.park(task);
        return;
      case 'degrading':
        void this.#degrade(task, ctx);
        return;
    }
  }

  async #attempt(task: LiveTask, ctx: TaskContext): Promise<void> {
    const token = {};
    const abort = new AbortController();
    task.attempt = { token, abort };
    const isCurrent = () => task.attempt?.token === token && !task.done;
    const outcome = await this.deps.attempts.run({
      taskId: task.record.id,
      workflow: this.deps.specs.get(specKeyOf(task.record))!,
      input: task.record.input,
      agent: ctx.agent!,
      attempt: ctx.attempt,
      deadlineAt: ctx.deadlineAt,
      backoffMs: ctx.backoffMs,
      signal: abort.signal,
      isCurrent,
      onStart: (running) => upsertAttempt(task.record.attempts, running),
    });
    if (!outcome) return;
    task.attempt = undefined;
    this.deps.interpreter().enqueue(task, outcome.event as MachineEvent, outcome.attempt ? { attempt: outcome.attempt } : {});
    if (outcome.report) this.deps.emitAttempt(outcome.report);
  }

  async #degrade(task: LiveTask, ctx: TaskContext): Promise<void> {
    const { id, workflow, input } = task.record;
    let event: MachineEvent;
    try {
      event = {
        type: 'DEGRADED',
        output: await this.deps.degraded.produce({ id, workflow, input }, ctx.failures.map(stripFailure), specKeyOf(task.record)),
      } as MachineEvent;
    } catch (err) {
      const error = wardenError('DEGRADE_FAILED', `degraded response failed: ${err instanceof Error ? err.message : String(err)}`, {
        cause: err,
      });
      event = { type: 'DEGRADE_FAILED', error: error.toJSON() };
    }
    this.deps.interpreter().enqueue(task, event);
  }

  #finish(task: LiveTask, escalation: EscalationEvent | undefined): void {
    this.deps.live.drop(task);
    const ended = toTask(task.record);
    if (this.deps.distributed) {
      this.deps.emitEnded(ended, escalation);
      return;
    }
    if (escalation) this.deps.logger.warn({ escalation }, `task ${ended.id} ${ended.status} (${escalation.severity})`);
    this.deps.emitEnded(ended, escalation);
    this.deps.live.ended(ended);
    if (task.record.parentId !== undefined)
      this.deps.live.track(this.deps.childEnded(task.record), (err) =>
        this.deps.logger.error({ err: String(err) }, 'telling a run its step ended failed'),
      );
  }
}

/**
 * A run (a multi-step workflow) on the interpreter's step path: how a step of the run machine is
 * recorded and committed, with the step tasks it launches created in the same transaction, and
 * what each state of the run asks for (resolving ready steps, evaluating the output, the
 * degraded response, cancelling children, the end and its one escalation).
 * @module
 */
import { type AnyActorRef, type AnyMachineSnapshot, createActor } from 'xstate';
import type { Clock } from '../clock/index.js';
import type { LoadedConfig, LoadedWorkflow, Workflow } from '../config/index.js';
import { escalationFacts, taskSeverity } from '../escalation/EscalationFacts.js';
import { type ErrorInfo, isWardenError, wardenError } from '../errors/index.js';
import type { DegradedResponses } from '../lifecycle/DegradedResponses.js';
import type { EscalationEvent } from '../lifecycle/events.js';
import type { InputValidator } from '../lifecycle/InputValidator.js';
import { Interpreter, type Lifecycle, type MachineEvent, type PreparedStep, type StepExtra } from '../lifecycle/Interpreter.js';
import type { LiveTask, LiveTasks } from '../lifecycle/LiveTasks.js';
import type { Logger } from '../lifecycle/logger.js';
import type { StepCommitter } from '../lifecycle/StepCommitter.js';
import type { FailureInfo } from '../lifecycle/taskMachine.js';
import { stepSpecKey } from '../lifecycle/TaskSpecs.js';
import { firstTransition, type LiveRecord, type NewLiveTask, originFields, type TaskOrigin, toTask } from '../lifecycle/taskRecord.js';
import type { Task, Transition } from '../lifecycle/types.js';
import type { NewTask, TaskRecord, TimerKind } from '../store/Store.js';
import type { CompiledRun } from './compileRun.js';
import { runMachineInput } from './compileRun.js';
import { evaluateExpression, evaluateForEach, evaluateWhen } from './expressions.js';
import { RunData } from './RunData.js';
import { childTaskId, isNoOp, type RecordedRunStep, recordRunStep } from './recordRunStep.js';
import { persistedRunSnapshot, type RunContext, type RunEvent, runMachine } from './runMachine.js';
import type { ChildRef } from './stepProgress.js';

/** A recorded step of a run, with the step tasks it creates and the escalation of its end. */
export interface RunStep extends RecordedRunStep, PreparedStep {
  context: RunContext;
  /** Every transition of the step: its event's, then the resolutions of the steps it made ready. */
  transitions: Transition[];
  /** Running children to cancel, from every event of the step. */
  abort: ChildRef[];
  /** Step tasks created with this step (started after the commit). */
  launched: NewLiveTask[];
  escalation?: EscalationEvent;
  /** The event was RECOVERED: children that ended meanwhile are read from the store. */
  recovered: boolean;
}

/** Builds the first row of a step task of a given workflow: a task, or a run for a multi-step one. */
export type TaskBuilder = (wf: Workflow, origin: TaskOrigin) => NewLiveTask;

/** What the run lifecycle needs from the engine. */
export interface RunLifecycleDeps {
  config: LoadedConfig;
  specs: ReadonlyMap<string, Workflow>;
  clock: Clock;
  logger: Logger;
  live: LiveTasks;
  store: ConstructorParameters<typeof RunData>[0] & { getTask(id: string): Promise<TaskRecord | undefined> };
  validator: InputValidator;
  degraded: DegradedResponses;
  committer: StepCommitter;
  /** Builds a single-step task's first row. */
  buildTask: TaskBuilder;
  interpreter(): Interpreter;
  distributed: boolean;
  emitEnded(task: Task, escalation: EscalationEvent | undefined): void;
  /** A problem a run survived (logged and counted by the engine). */
  report(err: unknown): void;
}

/** The run machine's lifecycle. */
export class RunLifecycle implements Lifecycle<RunStep> {
  readonly #data: RunData;
  /**
   * Ready steps being resolved now, by copy of the run held in memory, so that a later step of that
   * copy does not resolve them again. By copy, not by run id: a copy let go (parked, or in
   * distributed mode moved on by another worker) abandons its resolutions, and the next copy,
   * here or on another worker, resolves what is still ready afresh.
   */
  readonly #resolving = new WeakMap<LiveTask, Set<string>>();

  constructor(private readonly deps: RunLifecycleDeps) {
    this.#data = new RunData(deps.store);
  }

  /** A new run of a multi-step workflow: its first row and transition, and its started actor. */
  build(wf: Workflow, origin: TaskOrigin): NewLiveTask {
    const run = this.#compiled(wf.name);
    const input = runMachineInput(run, { runId: origin.id, deadlineAt: origin.deadlineAt, hasDegraded: wf.degraded !== undefined });
    const actor = createActor(runMachine, { input, clock: this.deps.clock as never });
    actor.start();
    const record: LiveRecord = { ...originFields(wf, origin), kind: 'run', plan: [], snapshot: persistedRunSnapshot(actor) };
    return { record, actor, first: firstTransition(origin.now) };
  }

  revive(snapshot: unknown): AnyActorRef {
    const actor = createActor(runMachine, { snapshot: snapshot as never, clock: this.deps.clock as never, input: undefined as never });
    actor.start();
    return actor;
  }

  async record(
    task: LiveTask,
    before: AnyMachineSnapshot,
    after: AnyMachineSnapshot,
    ev: MachineEvent,
    extra: StepExtra,
  ): Promise<RunStep | undefined> {
    const event = ev as RunEvent;
    const ctx = after.context as RunContext;
    const facts = { from: before.value as string, to: after.value as string, before: before.context as RunContext, context: ctx, event };
    if (isNoOp(facts)) return undefined;
    const now = this.deps.clock.now();
    const actor = task.actor!;
    let recorded = recordRunStep({
      ...facts,
      record: task.record,
      snapshot: persistedRunSnapshot(actor as never),
      ...(extra.detail ? { detail: extra.detail } : {}),
      now,
    });
    const transitions = [recorded.transition];
    const launch = [...ctx.launch];
    const abort = [...ctx.abort];
    // The steps this event made ready are resolved in the same step: a step's end and the start
    // of the steps it unblocks commit together (and a run makes one commit per step task's end).
    for (let current = after; current.value === 'running'; ) {
      const ready = readySteps(current.context as RunContext);
      if (!ready.length) break;
      for (const stepId of ready) {
        const resolution = await this.#resolution(recorded.record, current.context as RunContext, stepId);
        actor.send(resolution);
        const next = actor.getSnapshot() as AnyMachineSnapshot;
        const nextCtx = next.context as RunContext;
        recorded = recordRunStep({
          record: recorded.record,
          from: current.value as string,
          to: next.value as string,
          before: current.context as RunContext,
          context: nextCtx,
          event: resolution,
          snapshot: persistedRunSnapshot(actor as never),
          now,
        });
        transitions.push(recorded.transition);
        launch.push(...nextCtx.launch);
        abort.push(...nextCtx.abort);
        current = next;
        if (current.value !== 'running') break;
      }
    }
    const last = (actor.getSnapshot() as AnyMachineSnapshot).context as RunContext;
    const launched = await this.#launch(recorded.record, last, launch, now);
    const step: RunStep = { ...recorded, transitions, abort, context: last, launched, recovered: event.type === 'RECOVERED' };
    const rec = step.record;
    if (rec.status === 'degraded' || rec.status === 'failed') {
      const failures = stepFailures(last);
      rec.severity = taskSeverity(this.deps.config.workflows.get(rec.workflow)?.severity, failures);
      // A run inside a run escalates through its parent, as a step task does.
      if (rec.parentId === undefined) {
        step.escalation = escalationFacts({
          taskId: rec.id,
          workflow: rec.workflow,
          status: rec.status,
          severity: rec.severity,
          attempts: [],
          failures,
          finalError: last.error,
          at: now,
        });
      }
    }
    return step;
  }

  commit(_task: LiveTask, step: RunStep): Promise<number | undefined> {
    const create: NewTask[] = step.launched.map((c) => ({
      task: c.record,
      first: c.first,
      timers: [{ kind: 'deadline', wakeAt: Date.parse(c.record.deadlineAt) }],
    }));
    return this.deps.committer.commit({ ...step, create }, step.escalation);
  }

  settle(task: LiveTask, step: RunStep): void {
    const path = this.deps.interpreter();
    for (const child of step.launched) {
      if (this.deps.distributed) {
        child.actor.stop(); // the store's transaction queued each child's job
        continue;
      }
      this.deps.interpreter().emitCreated(child.record, child.first);
      // The child keeps the actor its first row was taken from, as a submitted task does: no revival on START.
      path.enqueue(this.deps.live.add(child.record, child.actor), { type: 'START' });
    }
    // Distributed mode: the commit queued a cancel job for each (see runJobs).
    for (const ref of this.deps.distributed ? [] : step.abort) {
      const forEach = step.context.steps[ref.step]?.forEach ?? false;
      this.#track(this.#cancelChild(childTaskId(task.record.id, ref.step, ref.index, forEach), task.record.id));
    }
    if (step.final) return this.#finish(task, step);
    switch (step.record.state) {
      case 'queued':
        path.enqueue(task, { type: 'START' });
        return;
      case 'running':
        // Distributed mode: the job that recovers a run brings the ends along (see DistributedRunner).
        if (step.recovered && !this.deps.distributed) this.#track(this.#reconcile(task));
        if (!this.#resolveReady(task, step.context)) {
          this.#data.park(task.record.id, step.context);
          this.deps.live.park(task);
        }
        return;
      case 'finishing':
        this.#track(this.#output(task, step.context));
        return;
      case 'degrading':
        this.#track(this.#degrade(task, step.context));
        return;
    }
  }

  timerEvent(record: TaskRecord, _kind: TimerKind): MachineEvent {
    return { type: 'DEADLINE', error: Interpreter.deadlineError(record) };
  }

  /**
   * A step task ended (a task's or a nested run's end): its run takes it as CHILD_ENDED. The
   * run is woken from the store if it is parked.
   */
  async childEnded(child: TaskRecord): Promise<void> {
    if (child.parentId === undefined || child.step === undefined) return;
    this.#data.childEnded(child);
    await this.#send(child.parentId, childEndedEvent(child));
  }

  /** Forgets what this process remembers of a run that ended (distributed mode: seen ending in the feed, on any worker). */
  forget(runId: string): void {
    this.#data.forget(runId);
  }

  /** The run's view with each ended step's output, for the API. */
  async withOutputs(task: Task): Promise<Task> {
    if (task.kind !== 'run' || !task.steps) return task;
    const rec = await this.deps.store.getTask(task.id);
    if (!rec) return task;
    const ctx = (rec.snapshot as { context: RunContext }).context;
    const views = await new RunData(this.deps.store).stepViews(task.id, ctx);
    const steps = Object.fromEntries(
      Object.entries(task.steps).map(([id, s]) => [id, views[id]?.output !== undefined ? { ...s, output: views[id]!.output } : s]),
    );
    return { ...task, steps };
  }

  #track(work: Promise<unknown>): void {
    this.deps.live.track(work, (err) => this.deps.report(err));
  }

  #compiled(workflow: string): CompiledRun {
    const run = (this.deps.config.workflows.get(workflow) as LoadedWorkflow | undefined)?.run;
    if (!run) throw wardenError('WORKFLOW_NOT_FOUND', `workflow "${workflow}" has no steps`);
    return run;
  }

  /** The step tasks that `ctx.launch` starts, built from their steps' inputs. */
  async #launch(run: LiveRecord, ctx: RunContext, launch: readonly ChildRef[], now: number): Promise<NewLiveTask[]> {
    if (!launch.length) return [];
    const compiled = this.#compiled(run.workflow);
    const out: NewLiveTask[] = [];
    for (const ref of launch) {
      const step = compiled.steps[ref.step]!;
      const inputs = this.#data.inputs(run.id, ref.step) ?? (await this.#inputsOf(run, ctx, ref.step));
      const wf =
        step.kind === 'workflow' ? this.deps.config.workflows.get(step.target)! : this.deps.specs.get(stepSpecKey(run.workflow, ref.step))!;
      const origin: TaskOrigin = {
        id: childTaskId(run.id, ref.step, ref.index, step.forEach !== undefined),
        input: inputs[ref.index],
        now,
        // A step inherits what is left of its run's deadline.
        deadlineAt: Math.min(Date.parse(run.deadlineAt), now + wf.deadlineMs),
        parentId: run.id,
        step: ref.step,
        ...(step.forEach !== undefined ? { index: ref.index } : {}),
        ...(step.kind !== 'workflow' ? { spec: stepSpecKey(run.workflow, ref.step) } : {}),
      };
      out.push((wf as LoadedWorkflow).run ? this.build(wf, origin) : this.deps.buildTask(wf, origin));
    }
    return out;
  }

  /**
   * The inputs of a step's children: one per forEach item, or one. Kept for the launches to come.
   * @throws WardenError EXPRESSION_FAILED, or INPUT_INVALID when a workflow step's input breaks that workflow's inputSchema.
   */
  async #inputsOf(run: LiveRecord, ctx: RunContext, stepId: string): Promise<unknown[]> {
    const compiled = this.#compiled(run.workflow);
    const step = compiled.steps[stepId]!;
    const data = { input: run.input, steps: await this.#data.stepViews(run.id, ctx), run: { id: run.id } };
    const items = step.forEach ? await evaluateForEach(step.forEach, data, compiled.limits) : [undefined];
    const inputs: unknown[] = [];
    for (const [index, item] of items.entries()) {
      const itemData = step.forEach ? { ...data, item, index } : data;
      const input = step.input ? await evaluateExpression(step.input, itemData, compiled.limits) : run.input;
      if (step.kind === 'workflow') {
        const issues = this.deps.validator.validate(step.target, input);
        if (issues) throw wardenError('INPUT_INVALID', `steps.${stepId}: input does not match the ${step.target} inputSchema`, { issues });
      }
      inputs.push(input);
    }
    this.#data.setInputs(run.id, stepId, inputs);
    return inputs;
  }

  /** Evaluates `when` and `forEach` of every ready step; true when any was ready. */
  #resolveReady(task: LiveTask, ctx: RunContext): boolean {
    const ready = Object.entries(ctx.progress)
      .filter(([, p]) => p.status === 'ready')
      .map(([id]) => id);
    if (!ready.length) return false;
    const busy = this.#resolving.get(task) ?? new Set<string>();
    this.#resolving.set(task, busy);
    // A step stays `busy` from its resolution until the run has taken the answer.
    for (const stepId of busy) if (ctx.progress[stepId]?.status !== 'ready') busy.delete(stepId);
    for (const stepId of ready) {
      if (busy.has(stepId)) continue;
      busy.add(stepId);
      this.#track(this.#resolve(task, ctx, stepId));
    }
    return true;
  }

  async #resolve(task: LiveTask, ctx: RunContext, stepId: string): Promise<void> {
    this.#answer(task, await this.#resolution(task.record, ctx, stepId));
  }

  /** The answer for a ready step: its `when`, and its children's inputs (one per `forEach` item). */
  async #resolution(run: LiveRecord, ctx: RunContext, stepId: string): Promise<RunEvent> {
    const compiled = this.#compiled(run.workflow);
    const step = compiled.steps[stepId]!;
    try {
      const data = { input: run.input, steps: await this.#data.stepViews(run.id, ctx), run: { id: run.id } };
      if (step.when && !(await evaluateWhen(step.when, data, compiled.limits))) return { type: 'STEP_RESOLVED', step: stepId, skip: true };
      const inputs = await this.#inputsOf(run, ctx, stepId);
      return { type: 'STEP_RESOLVED', step: stepId, skip: false, items: inputs.length };
    } catch (err) {
      return { type: 'STEP_REFUSED', step: stepId, error: expressionError(err, `steps.${stepId}`) };
    }
  }

  /**
   * After a restart: the children that ended while no process held the run. Sent wherever the run
   * is by then, since the copy that recovered may have parked meanwhile.
   */
  async #reconcile(task: LiveTask): Promise<void> {
    for (const event of await this.childEnds(task.record)) await this.#send(task.record.id, event);
  }

  /**
   * The CHILD_ENDED events of the run's step tasks that ended while the run still counts them
   * running: after a restart, or (distributed mode) when an end's job comes to a worker.
   */
  async childEnds(run: TaskRecord): Promise<MachineEvent[]> {
    const ctx = (run.snapshot as { context: RunContext }).context;
    const events: MachineEvent[] = [];
    for (const [stepId, p] of Object.entries(ctx.progress)) {
      for (const index of p.running) {
        const child = await this.deps.store.getTask(childTaskId(run.id, stepId, index, ctx.steps[stepId]?.forEach ?? false));
        if (!child || !ENDED.has(child.status)) continue;
        this.#data.childEnded(child);
        events.push(childEndedEvent(child) as MachineEvent);
      }
    }
    return events;
  }

  async #output(task: LiveTask, ctx: RunContext): Promise<void> {
    const run = task.record;
    const compiled = this.#compiled(run.workflow);
    let event: RunEvent;
    try {
      const steps = await this.#data.stepViews(run.id, ctx);
      const output = compiled.output
        ? await evaluateExpression(compiled.output, { input: run.input, steps, run: { id: run.id } }, compiled.limits)
        : Object.fromEntries(Object.entries(steps).map(([id, s]) => [id, s.output]));
      event = { type: 'OUTPUT_RESOLVED', output };
    } catch (err) {
      event = { type: 'OUTPUT_FAILED', error: expressionError(err, 'output') };
    }
    this.#answer(task, event);
  }

  async #degrade(task: LiveTask, ctx: RunContext): Promise<void> {
    const { id, workflow, input } = task.record;
    let event: RunEvent;
    try {
      event = { type: 'DEGRADED', output: await this.deps.degraded.produce({ id, workflow, input }, stepFailures(ctx)) };
    } catch (err) {
      const message = `degraded response failed: ${err instanceof Error ? err.message : String(err)}`;
      event = { type: 'DEGRADE_FAILED', error: wardenError('DEGRADE_FAILED', message, { cause: err }).toJSON() };
    }
    this.#answer(task, event);
  }

  /** Cancels a step task (its run failed, ended by deadline or was cancelled). */
  async #cancelChild(childId: string, runId: string): Promise<void> {
    await this.#send(childId, { type: 'CANCEL', error: wardenError('CANCELLED', `its run ${runId} no longer needs it`).toJSON() });
  }

  /**
   * Answers the run's own work (a resolution, its output, its degraded response) to the copy that
   * began it. A copy let go meanwhile drops the answer: it was let go because the run ended, the
   * engine is stopping, or (distributed mode) another worker moved the run on and does that work
   * itself. Waking a copy here instead would run the run outside any job, where a worker's death
   * would go unnoticed. (A copy with work in flight is not parked: see {@link LiveTasks.park}.)
   */
  #answer(task: LiveTask, event: RunEvent | MachineEvent): void {
    if (!task.done) this.deps.interpreter().enqueue(task, event as MachineEvent);
  }

  /**
   * Sends `event` to the task `id` wherever it is: held here, or parked in the store (woken).
   * The copy is looked up at the moment of sending, since one held when the work began may
   * have been let go since; nothing is sent to an ended task.
   */
  async #send(id: string, event: RunEvent | MachineEvent): Promise<void> {
    for (;;) {
      const held = (await this.deps.interpreter().hold(id)) as LiveTask | undefined;
      if (!held) return;
      // The check and the enqueue run in one turn: a task is let go only in a turn of its own.
      if (!held.done) return this.deps.interpreter().enqueue(held, event as MachineEvent);
    }
  }

  #finish(task: LiveTask, step: RunStep): void {
    this.deps.live.drop(task);
    this.#data.forget(task.record.id);
    const ended = toTask(task.record);
    if (step.escalation)
      this.deps.logger.warn({ escalation: step.escalation }, `run ${ended.id} ${ended.status} (${step.escalation.severity})`);
    this.deps.emitEnded(ended, step.escalation);
    if (!this.deps.distributed) this.deps.live.ended(ended);
    // Distributed mode: the commit queued the parent's job (see runJobs).
    if (task.record.parentId !== undefined && !this.deps.distributed) this.#track(this.childEnded(task.record));
  }
}

const ENDED: ReadonlySet<string> = new Set(['completed', 'degraded', 'failed', 'cancelled']);

/** The steps waiting for their `when` and `forEach` to be evaluated. */
function readySteps(ctx: RunContext): string[] {
  return Object.entries(ctx.progress)
    .filter(([, p]) => p.status === 'ready')
    .map(([id]) => id);
}

/** A step task's end, as its run takes it. */
function childEndedEvent(child: TaskRecord): RunEvent {
  return {
    type: 'CHILD_ENDED',
    step: child.step!,
    index: child.index ?? 0,
    status: child.status as 'completed',
    // A step task that completed after a failed attempt may still name that error: it is not the step's.
    ...(child.error && child.status !== 'completed' ? { error: child.error } : {}),
  };
}

/** The failures of a run's steps, for its severity and escalation. */
function stepFailures(ctx: RunContext): FailureInfo[] {
  const failures: FailureInfo[] = [];
  for (const p of Object.values(ctx.progress)) if (p.error) failures.push(p.error);
  if (ctx.error && !failures.includes(ctx.error)) failures.push(ctx.error);
  return failures;
}

/** An expression's failure as the machine records it. */
function expressionError(err: unknown, at: string): ErrorInfo {
  if (isWardenError(err)) return err.toJSON();
  return wardenError('EXPRESSION_FAILED', `${at}: ${err instanceof Error ? err.message : String(err)}`).toJSON();
}

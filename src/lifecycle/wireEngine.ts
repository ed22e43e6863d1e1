/**
 * The wiring of the engine's pieces: the agents' adapters, the validators, the degraded
 * responses, the durable-timer scheduler, the escalation service, the attempt runner, the task
 * lifecycle, the interpreter that drives it, and in distributed mode the runner of handed-over tasks. Kept apart from the
 * {@link Engine} facade so that the facade reads as the list of what users can do.
 * @module
 */
import { type AdapterContext, type AgentAdapter, AgentRegistry } from '../agents/index.js';
import { secretValues } from '../config/index.js';
import { DistributedRunner } from '../distributed/DistributedRunner.js';
import { EscalationService } from '../escalation/EscalationService.js';
import { createRedactor, type Redactor } from '../escalation/redact.js';
import { ErrorClassifier, type ErrorInfo } from '../errors/index.js';
import { AgentPool } from './AgentPool.js';
import { iso } from '../clock/iso.js';
import { AttemptRunner, type LeaseFn } from './AttemptRunner.js';
import { DegradedResponses } from './DegradedResponses.js';
import type { EngineParts } from './engineOptions.js';
import type { EngineEvents, InternalErrorSite } from './events.js';
import { InputValidator } from './InputValidator.js';
import { Scheduler } from './Scheduler.js';
import { taskSpecs } from './TaskSpecs.js';
import { Interpreter } from './Interpreter.js';
import type { LiveTasks } from './LiveTasks.js';
import { StepCommitter } from './StepCommitter.js';
import { Pruner } from '../retention/Pruner.js';
import { RunLifecycle } from '../runs/RunLifecycle.js';
import type { EscalationEvent } from './events.js';
import { TaskLifecycle } from './TaskLifecycle.js';
import type { Task } from './types.js';

/** What the step path is built from. @internal */
export interface EngineWiringDeps {
  parts: EngineParts;
  /** Breaker snapshots from the store, by agent. */
  breakerState: Map<string, unknown>;
  live: LiveTasks;
  lease(): LeaseFn | undefined;
  stopping(): boolean;
  emit<E extends keyof EngineEvents>(event: E, ...args: Parameters<EngineEvents[E]>): void;
  report(err: unknown, where: InternalErrorSite): void;
}

/** The built step path. @internal */
export interface EngineWiring {
  agents: AgentPool;
  redact: Redactor;
  registry: AgentRegistry;
  validator: InputValidator;
  degraded: DegradedResponses;
  scheduler: Scheduler;
  escalations: EscalationService;
  interpreter: Interpreter;
  runs: RunLifecycle;
  tasks: TaskLifecycle;
  distributedRunner: DistributedRunner | undefined;
  retention: Pruner;
}

/** Builds the step path of an engine. @internal */
export function wireEngine(d: EngineWiringDeps): EngineWiring {
  const { parts } = d;
  const { config } = parts.loaded;
  const distributed = parts.mode === 'distributed';
  const agents = new AgentPool(config.agents, parts.clock, d.breakerState);
  agents.on('circuit', (agent, from, to, snapshot) => {
    const at = parts.clock.now();
    parts.store.saveBreaker(agent, snapshot, at).catch((err) => d.report(err, 'breaker-save'));
    parts.logger.warn({ agent, from, to }, `circuit of ${agent} ${to}`);
    d.emit('circuit', { agent, from, to, at: iso(at) });
  });
  const redact = createRedactor(secretValues(config, parts.env));
  const classifier = new ErrorClassifier(config.errors.rules, { now: () => parts.clock.now() });
  const adapterCtx: AdapterContext = {
    configDir: parts.loaded.configDir,
    env: parts.env,
    classifier,
    clock: parts.clock,
    random: parts.random,
  };
  const registry = new AgentRegistry(config.agents, adapterCtx);
  const overrides = new Map<string, AgentAdapter>();
  for (const id of Object.keys(config.agents)) {
    const adapter = parts.adapterFor?.(id, adapterCtx);
    if (adapter) overrides.set(id, adapter);
  }
  const specs = taskSpecs(parts.loaded);
  const validator = new InputValidator(specs);
  const degraded = new DegradedResponses(specs, parts.loaded.configDir);
  const scheduler: Scheduler = new Scheduler(
    parts.clock,
    parts.store,
    (row) =>
      row.kind === 'esc-repeat' || row.kind === 'esc-ack'
        ? escalations.fireTimer(row.taskId, row.kind)
        : interpreter.fireTimer(row.taskId, row.kind),
    (err) => d.report(err, 'scheduler'),
  );
  const escalations = new EscalationService({
    config: config.escalation,
    store: parts.store,
    clock: parts.clock,
    logger: parts.logger,
    env: parts.env,
    secrets: secretValues(config, parts.env),
    random: parts.random,
    onTimer: (at) => scheduler.notify(at),
  });
  const redactInfo = (info: ErrorInfo): ErrorInfo => {
    const message = redact(info.message);
    return message === info.message ? info : { ...info, message };
  };
  const attempts = new AttemptRunner({
    agents: agents,
    clock: parts.clock,
    classifier,
    random: parts.random,
    adapter: (agent) => overrides.get(agent) ?? registry.adapter(agent),
    redactInfo,
    lease: d.lease,
  });
  const committer = new StepCommitter(parts.store, escalations, (at) => scheduler.notify(at));
  const emitEnded = (task: Task, escalation: EscalationEvent | undefined) => {
    if (!distributed) d.emit('taskEnded', task);
    if (escalation) d.emit('escalation', escalation);
  };
  const tasks: TaskLifecycle = new TaskLifecycle({
    config: parts.loaded,
    specs,
    clock: parts.clock,
    logger: parts.logger,
    live: d.live,
    agents: agents,
    attempts,
    committer,
    validator,
    degraded,
    interpreter: () => interpreter,
    stopping: d.stopping,
    distributed: distributed,
    emitEnded,
    emitAttempt: (event) => d.emit('attempt', event),
    childEnded: (child) => runs.childEnded(child),
  });
  const runs: RunLifecycle = new RunLifecycle({
    config: parts.loaded,
    specs,
    clock: parts.clock,
    logger: parts.logger,
    live: d.live,
    store: parts.store,
    validator,
    degraded,
    committer,
    buildTask: (wf, origin) => tasks.build(wf, origin),
    interpreter: () => interpreter,
    distributed,
    emitEnded,
    report: (err) => d.report(err, 'run'),
  });
  const interpreter: Interpreter = new Interpreter({
    clock: parts.clock,
    store: parts.store,
    logger: parts.logger,
    live: d.live,
    distributed: distributed,
    lifecycleOf: (record) => (record.kind === 'run' ? runs : tasks),
    redactInfo,
    stopping: d.stopping,
    emitTransition: (event) => d.emit('transition', event),
    report: (err) => d.report(err, 'step'),
  });
  const distributedRunner = distributed
    ? new DistributedRunner({
        store: parts.store,
        live: d.live,
        interpreter,
        childEnds: (run) => runs.childEnds(run),
        forgetRun: (runId) => runs.forget(runId),
        stopping: d.stopping,
        emitTransition: (event) => d.emit('transition', event),
        emitTaskEnded: (task) => d.emit('taskEnded', task),
      })
    : undefined;
  const retention = new Pruner({
    store: parts.store,
    clock: parts.clock,
    retention: config.retention,
    logger: parts.logger,
    onBatch: (counts) => d.emit('pruned', counts),
    onError: (err) => d.report(err, 'retention'),
  });
  return { agents, redact, registry, validator, degraded, scheduler, escalations, interpreter, tasks, runs, distributedRunner, retention };
}

/**
 * Warden: a workflow engine for fleets of AI agents. This file is the library's only public
 * surface; the CLI (`warden`), the HTTP server and the dashboard are separate entry points.
 *
 * @example
 * import { createEngine } from 'warden';
 * const engine = await createEngine({ configPath: './agents.config.json', store: 'memory:' });
 * const { id } = await engine.submit('code-review', { content: 'const x = 1;' });
 * const task = await engine.result(id);
 * @module
 */
export { createEngine } from './lifecycle/createEngine.js';
export type { CreateEngineOptions } from './lifecycle/createEngine.js';
export { Engine, toTask } from './lifecycle/Engine.js';
export type { SubmitOptions, SubmitResult, StopOptions } from './lifecycle/Engine.js';
export type { EngineEvents, EscalationEvent } from './lifecycle/events.js';
export type { Task, TaskStatus, Transition, TransitionEvent, AttemptRecord } from './lifecycle/types.js';
export { TERMINAL_STATUSES } from './lifecycle/types.js';
export { taskMachine, TASK_STATES, FINAL_STATES } from './lifecycle/taskMachine.js';
export type { TaskContext, TaskEvent, TaskMachineInput, FailureInfo, SkipInfo } from './lifecycle/taskMachine.js';
export { runMachine, RUN_STATES, FINAL_RUN_STATES, compileRun } from './runs/index.js';
export type { RunContext, RunEvent, RunMachineInput, StepStatus, CompiledRun, CompiledStep, ExpressionLimits } from './runs/index.js';
export type { AgentView, HealthStatus } from './lifecycle/AgentPool.js';
export { createLogger, silentLogger } from './lifecycle/logger.js';
export type { Logger } from './lifecycle/logger.js';

export { systemClock, acceleratedClock, SimulatedClock } from './clock/index.js';
export type { Clock, TimerHandle } from './clock/index.js';

export {
  WardenError,
  isWardenError,
  wardenError,
  ErrorClassifier,
  errorCodes,
  maxSeverity,
  severityRank,
  parseRetryAfter,
} from './errors/index.js';
export type { ErrorInfo, ErrorCategory, Severity, ClassifierRule } from './errors/index.js';

export { ExponentialBackoff, computeDelay, CircuitBreaker, Bulkhead, BulkheadFullError, attemptSignal } from './policies/index.js';
export type { BackoffOptions, BreakerOptions, BreakerSnapshot, BreakerState, BulkheadOptions } from './policies/index.js';

export { loadConfig, createLoadedConfig, ConfigError, configSchema, workflowSchema } from './config/index.js';
export type { Config, Workflow, Step, LoadedConfig, AgentConfig, ConfigProblem, RetentionConfig } from './config/index.js';

export { AgentRegistry, createAdapter } from './agents/index.js';
export type { AgentAdapter, AgentRequest, AdapterContext } from './agents/index.js';

export { MemoryStore } from './store/MemoryStore.js';
export { openStore } from './store/openStore.js';
export type { Store, TaskRecord, StepCommit, TaskFilter, TimerRow } from './store/Store.js';
export type { PruneBefore, PruneLimits, PruneBatch, PruneCounts } from './store/Prune.js';
export { Pruner } from './retention/Pruner.js';
export type { PrunerOptions, PruneOptions, PruneReport } from './retention/Pruner.js';

export { createApp } from './http/app.js';
export type { AppOptions } from './http/app.js';
export { startServer } from './http/server.js';
export type { ServerOptions, RunningServer } from './http/server.js';
export { attachMetrics } from './metrics/Metrics.js';
export type { Metrics, MetricsOptions } from './metrics/Metrics.js';

export { runDrill } from './drill/runDrill.js';
export type { DrillOptions, DrillReport, WorkflowDrillReport } from './drill/runDrill.js';
export { createScenario, SCENARIO_NAMES } from './drill/scenarios.js';
export type { Scenario, ScenarioName, ScenarioOptions } from './drill/scenarios.js';
export { FaultyAgents } from './drill/FaultyAgents.js';
export type { AgentCallStats, CallRecord, RetryAfterStats } from './drill/FaultyAgents.js';
export type { Fault, FaultSchedule, TimeWindow } from './drill/FaultSchedule.js';

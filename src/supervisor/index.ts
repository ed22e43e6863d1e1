/**
 * The supervisor: health checks, a supervisor machine per component, recovery ladders, managed
 * agent processes, and escalation of what it cannot heal.
 * @module
 */
export { Supervisor } from './Supervisor.js';
export type { SupervisorOptions, SupervisorStopOptions } from './Supervisor.js';
export type { SupervisedAgents, SupervisorEscalations, SupervisorHost, SupervisorStore, WatchedChannel } from './SupervisorHost.js';
export { supervisorMachine, SUPERVISOR_STATES, readinessOf } from './SupervisorMachine.js';
export type { SupervisorContext, SupervisorEvent, SupervisorMachineInput, SupervisorState } from './SupervisorMachine.js';
export { ManagedProcess } from './ManagedProcess.js';
export type { ManagedProcessEvents, ManagedProcessOptions, ProcessState, RestartRecord } from './ManagedProcess.js';
export { decideRestart, NO_RESTARTS } from './restartPolicy.js';
export type { RestartDecision, RestartHistory, RestartPolicyOptions } from './restartPolicy.js';
export { summarize, statusOf } from './healthSummary.js';
export { builtinStrategies } from './strategies/registry.js';
export type { RecoveryContext, RecoveryStrategy, RecoveryTargetInfo, StrategyResult } from './strategies/Strategy.js';
export type { UserRecoveryFunction } from './strategies/moduleStrategy.js';
export type { CheckResult, CheckTiming, HealthCheck } from './checks/HealthCheck.js';
export type {
  CheckRecord,
  ComponentHealth,
  ComponentKind,
  ComponentView,
  HealthSummary,
  Readiness,
  StrategyOutcome,
  SupervisorEvents,
  SupervisorTransition,
} from './types.js';

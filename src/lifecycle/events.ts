import type { ErrorInfo, Severity } from '../errors/index.js';
import type { PruneCounts } from '../store/Prune.js';
import type { AttemptRecord, Task, TransitionEvent } from './types.js';

/** One finished call to an agent, as the engine saw it end (before its step commits). */
export interface AttemptEvent extends AttemptRecord {
  taskId: string;
  workflow: string;
  /** Engine-clock time from the call's start to its answer. */
  durationMs: number;
}

/** What the engine tells the humans' side when a task ends degraded or failed. */
export interface EscalationEvent {
  taskId: string;
  workflow: string;
  status: 'degraded' | 'failed';
  severity: Severity;
  /** Error codes of the task's failures, in order. */
  errorCodes: string[];
  /** The code that ended the task: the last agent failure, or the lifecycle's own. */
  finalErrorCode: string;
  /** Agents that were called, in order, without repeats. */
  agentsTried: string[];
  /** workflow + final error code + agents tried: repeats within the dedup window group on it. */
  fingerprint: string;
  /** The escalation the task opened or was grouped into. */
  escalationId?: string;
  error?: ErrorInfo;
  at: string;
}

/** Where an internal error happened, as `/metrics` labels it (`warden_internal_errors_total{where}`). */
export type InternalErrorSite = 'breaker-save' | 'scheduler' | 'stop-hook' | 'listener' | 'step' | 'run' | 'timer' | 'retention';

/** Engine events and their listeners (typed for eventemitter3, as BullMQ's WorkerListener). */
export interface EngineEvents {
  /** Every task state change, after it is durable. */
  transition: (event: TransitionEvent) => void;
  /** A call to an agent answered or failed (not emitted for calls abandoned by cancel or deadline). */
  attempt: (event: AttemptEvent) => void;
  /** A task reached a terminal status. */
  taskEnded: (task: Task) => void;
  /** A task ended degraded or failed. */
  escalation: (event: EscalationEvent) => void;
  /** A circuit breaker changed state. */
  circuit: (event: { agent: string; from: string; to: string; at: string }) => void;
  /** Retention deleted a batch of ended tasks and resolved escalations (what `warden_pruned_total` counts). */
  pruned: (counts: PruneCounts) => void;
  /** A problem the engine survived (a throwing listener, a failed store write). */
  error: (err: unknown) => void;
  /** A problem the engine survived, always emitted (logged and counted), with where it happened. */
  internalError: (event: { where: InternalErrorSite; message: string }) => void;
}

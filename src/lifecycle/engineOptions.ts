/**
 * The options and results of the {@link Engine}'s public methods, and its wiring by `createEngine`.
 * @module
 */
import type { AdapterContext, AgentAdapter } from '../agents/index.js';
import type { Clock } from '../clock/index.js';
import type { LoadedConfig } from '../config/index.js';
import type { Store } from '../store/Store.js';
import type { LeaseFn } from './AttemptRunner.js';
import type { Logger } from './logger.js';
import type { TaskStatus } from './types.js';

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
   * `distributed`: tasks run where a dispatcher (pg-boss) hands them, through `Engine.distributedRunner`;
   * transitions are emitted by a store-wide feed, not by the worker that made them.
   */
  mode?: 'local' | 'distributed';
}

/** The hooks distributed mode plugs into the engine. @internal */
export interface DistributedHooks {
  /** Takes a slot of the agent's global concurrency limit; resolves with its release. */
  lease: LeaseFn;
}

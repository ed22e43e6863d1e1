/**
 * The seam between the engine and an agent: one call per attempt, cancelled through an
 * `AbortSignal`, answering with the task's output or throwing a classified `WardenError`.
 * @module
 */
import type { Clock } from '../clock/index.js';
import type { ErrorClassifier } from '../errors/index.js';

/** One attempt of one task on one agent. */
export interface AgentRequest {
  taskId: string;
  workflow: string;
  input: unknown;
  /** 1-based attempt number on this agent. */
  attempt: number;
  /** The id of the agent being called. */
  agent: string;
  /** When the whole task must be finished, as an ISO-8601 string. */
  deadline: string;
  /** `${taskId}:${agentId}`; the same for every retry of the task on this agent. */
  idempotencyKey: string;
}

/**
 * Calls one agent.
 *
 * Implementations throw a classified `WardenError` on every failure, and when `signal` aborts
 * they stop work and throw the error {@link abortError} builds (`AGENT_TIMEOUT` or `CANCELLED`).
 */
export interface AgentAdapter {
  /** Runs one attempt and resolves with the task's output. */
  call(req: AgentRequest, signal: AbortSignal): Promise<unknown>;
  /**
   * Loads what the adapter needs before the first call (a module agent imports its module), so a
   * broken agent fails when the engine starts rather than on its first task. Optional.
   */
  prepare?(): Promise<void>;
  /** Releases resources (connections, cached modules). Optional. */
  close?(): Promise<void>;
}

/** What adapters need from their surroundings; injected so tests control env, time and chance. */
export interface AdapterContext {
  /** The folder of the config file; relative paths (`cwd`, module `path`) resolve against it. */
  configDir: string;
  /** Where `…Env` fields are looked up, at call time. Usually `process.env`. */
  env: NodeJS.ProcessEnv | Record<string, string | undefined>;
  classifier: ErrorClassifier;
  clock: Clock;
  /** A uniform random number in [0, 1); `Math.random` unless a seeded source is wanted. */
  random: () => number;
}

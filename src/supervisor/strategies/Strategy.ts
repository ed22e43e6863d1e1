/**
 * The recovery strategy interface, and what every strategy is given.
 * @module
 */
import type { Clock } from '../../clock/index.js';
import type { RecoveryStep } from '../../config/index.js';
import type { AgentSlot } from '../../lifecycle/AgentPool.js';
import type { Logger } from '../../lifecycle/logger.js';
import type { ManagedProcess } from '../ManagedProcess.js';
import type { SupervisorStore, WatchedChannel } from '../SupervisorHost.js';
import type { CheckRecord, ComponentKind } from '../types.js';

/** The component a strategy works on. */
export interface RecoveryTargetInfo {
  /** `agent:<id>` or `system:<check>`. */
  name: string;
  kind: ComponentKind;
  /** The agent id, for agents. */
  agent?: string;
  /** The check's type: `http`, `passive`, `event-loop`, `store`… */
  check: string;
}

/** What a strategy runs with. */
export interface RecoveryContext {
  component: RecoveryTargetInfo;
  /** The store, for `reconnect` to write and read back a row. */
  store: SupervisorStore;
  /** The escalation channels by name, for `reconnect` to verify. */
  channels: ReadonlyMap<string, WatchedChannel>;
  /** The agent's live policies (breaker, bulkhead, health, drained), for agents. */
  slot?: AgentSlot;
  /** The agent's managed process, for agents Warden runs. */
  process?: ManagedProcess;
  clock: Clock;
  logger: Logger;
  /** Aborts at the strategy's timeout, or when the supervisor stops. */
  signal: AbortSignal;
  /** Relative paths (module files, `cwd`s) resolve against it. */
  configDir: string;
  /** Where `headersEnv` values are read. */
  env: Readonly<Record<string, string | undefined>>;
  /** The component's recent check results, oldest first. */
  history: readonly CheckRecord[];
  /** The index of this strategy in the ladder. */
  index: number;
  /** Cache clearers registered with the supervisor, run by `clear-caches`. */
  cacheClearers: ReadonlySet<() => void | Promise<void>>;
}

/**
 * How a strategy went. `ok: true` means it was applied: the supervisor then verifies the component
 * with its check. `undo` runs when the component is healthy again (restore a bulkhead limit,
 * put a drained agent back into routing).
 */
export interface StrategyResult {
  ok: boolean;
  detail?: string;
  undo?: () => void | Promise<void>;
}

/** A recovery strategy: applies one rung of a ladder. Throwing is a failed strategy. */
export type RecoveryStrategy<S extends RecoveryStep = RecoveryStep> = (step: S, ctx: RecoveryContext) => Promise<StrategyResult>;

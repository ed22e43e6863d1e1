/**
 * Recovery ladders: the ordered strategies the supervisor tries on a component that turned
 * unhealthy, and which strategy fits which component (checked by `warden validate`).
 */
import { z } from 'zod';
import { positiveDuration } from './duration.js';
import { envName, strictObject, taggedUnion } from './strict.js';

const bare = <const N extends string>(name: N, description: string) => strictObject({ strategy: z.literal(name) }).describe(description);

/** Restarts the agent's managed process (SIGTERM, then SIGKILL), and waits until it runs again. */
export const restartProcessStrategySchema = bare('restart-process', "Restart the agent's managed process.");
/** Closes the agent's circuit breaker. */
export const resetCircuitStrategySchema = bare('reset-circuit', "Close the agent's circuit breaker.");
/** Takes the agent out of routing until it passes its checks again. */
export const drainStrategySchema = bare('drain', 'Take the agent out of routing until it passes its checks again.');
/** Halves the agent's concurrency limit (at least 1) until it is healthy again, then restores it. */
export const reduceConcurrencyStrategySchema = bare('reduce-concurrency', "Halve the agent's concurrency limit until it recovers.");
/** Re-checks the store's or the channels' connections (see the supervisor docs for what each backend does). */
export const reconnectStrategySchema = bare('reconnect', "Re-open the check of the store's or the channels' connections.");
/** Runs the registered cache clearers and asks V8 for a garbage collection when `--expose-gc` is on. */
export const clearCachesStrategySchema = bare('clear-caches', 'Clear caches and hint a garbage collection.');

/** Runs a program without a shell; exit code 0 is success. `timeoutMs` defaults to 30000. */
export const commandStrategySchema = strictObject({
  strategy: z.literal('command'),
  command: z.string().min(1).describe('The program to run (no shell); exit code 0 is success.'),
  args: z
    .array(z.string())
    .default(() => [])
    .describe('Its arguments.'),
  env: z.record(z.string().min(1), z.string()).optional().describe('Extra environment variables. Never put secrets here.'),
  cwd: z.string().min(1).optional().describe("Working directory, relative to the config file's folder. Defaults to that folder."),
  timeoutMs: positiveDuration.default(30_000).describe('The program is killed, and the strategy fails, after this long.'),
}).describe('Run a program.');

/**
 * POSTs the component's state as JSON to `url`; any 2xx is success. `timeoutMs` defaults to 10000.
 * Secret headers come from the environment through `headersEnv`.
 */
export const webhookStrategySchema = strictObject({
  strategy: z.literal('webhook'),
  url: z.url({ protocol: /^https?$/ }).describe('The URL POSTed to; any 2xx is success.'),
  headers: z.record(z.string().min(1), z.string()).optional().describe('Extra request headers. Never put secrets here; use headersEnv.'),
  headersEnv: z
    .record(z.string().min(1), envName)
    .optional()
    .describe('Header name → the environment variable holding its (secret) value.'),
  timeoutMs: positiveDuration.default(10_000).describe('The request fails after this long.'),
}).describe('POST the component state to a URL.');

/**
 * Calls a function exported by an ES module with the recovery context; it succeeds unless it
 * throws or returns `false` / `{ ok: false }`. `export` defaults to `default`, `timeoutMs` to 30000.
 */
export const moduleStrategySchema = strictObject({
  strategy: z.literal('module'),
  path: z.string().min(1).describe("The module file, relative to the config file's folder."),
  export: z.string().min(1).default('default').describe('The exported function to call.'),
  timeoutMs: positiveDuration.default(30_000).describe('The strategy fails when the function takes longer.'),
}).describe('A recovery function of your own.');

/** One rung of a recovery ladder, discriminated by `strategy`. */
export const recoveryStepSchema = taggedUnion('strategy', [
  restartProcessStrategySchema,
  resetCircuitStrategySchema,
  drainStrategySchema,
  reduceConcurrencyStrategySchema,
  reconnectStrategySchema,
  clearCachesStrategySchema,
  commandStrategySchema,
  webhookStrategySchema,
  moduleStrategySchema,
]).describe('A recovery strategy.');

/** An ordered recovery ladder: each strategy is tried, then verified, before the next. */
export const recoveryLadderSchema = z.array(recoveryStepSchema).describe('Recovery strategies, tried in order until one works.');

/** A parsed recovery step. */
export type RecoveryStep = z.output<typeof recoveryStepSchema>;
/** A recovery step as written in a file. */
export type RecoveryStepInput = z.input<typeof recoveryStepSchema>;
/** The name of a built-in strategy. */
export type StrategyName = RecoveryStep['strategy'];

/** The system checks the supervisor runs, by name. */
export const SYSTEM_CHECKS = ['event-loop', 'heap', 'store', 'channels', 'queue'] as const;
/** The name of a system check. */
export type SystemCheckName = (typeof SYSTEM_CHECKS)[number];

/** What a strategy is applied to: an agent (with or without a managed process) or a system check. */
export type RecoveryTarget = { kind: 'agent'; hasProcess: boolean } | { kind: 'system'; check: SystemCheckName };

const AGENT_ONLY = new Set<StrategyName>(['restart-process', 'reset-circuit', 'drain', 'reduce-concurrency']);

/**
 * Why `strategy` does not fit `target`, or undefined when it does. The one rule book shared by
 * `warden validate` and the supervisor.
 *
 * @example
 * strategyMisfit('reset-circuit', { kind: 'system', check: 'heap' }); // 'reset-circuit fits agents only …'
 */
export function strategyMisfit(strategy: StrategyName, target: RecoveryTarget): string | undefined {
  if (target.kind === 'agent') {
    if (strategy === 'restart-process' && !target.hasProcess) {
      return 'restart-process needs an agent that Warden manages: add "process" to the agent';
    }
    if (strategy === 'reconnect' || strategy === 'clear-caches') {
      return `${strategy} fits system checks only (${strategy === 'reconnect' ? 'store, channels' : SYSTEM_CHECKS.join(', ')})`;
    }
    return undefined;
  }
  if (AGENT_ONLY.has(strategy)) return `${strategy} fits agents only, not the ${target.check} check`;
  if (strategy === 'reconnect' && target.check !== 'store' && target.check !== 'channels') {
    return `reconnect fits the store and channels checks only, not the ${target.check} check`;
  }
  return undefined;
}

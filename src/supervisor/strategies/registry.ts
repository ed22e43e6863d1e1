/**
 * The built-in recovery strategies, by the name a recovery ladder uses.
 * @module
 */
import type { StrategyName } from '../../config/index.js';
import { clearCaches } from './clearCaches.js';
import { command } from './command.js';
import { drain } from './drain.js';
import { moduleStrategy } from './moduleStrategy.js';
import { reconnect } from './reconnect.js';
import { reduceConcurrency } from './reduceConcurrency.js';
import { resetCircuit } from './resetCircuit.js';
import { restartProcess } from './restartProcess.js';
import type { RecoveryStrategy } from './Strategy.js';
import { webhook } from './webhook.js';

/** Every built-in strategy. Which one fits which component is `strategyMisfit`'s to say (src/config). */
export const builtinStrategies: Readonly<Record<StrategyName, RecoveryStrategy>> = Object.freeze({
  'restart-process': restartProcess,
  'reset-circuit': resetCircuit,
  drain,
  'reduce-concurrency': reduceConcurrency,
  reconnect,
  'clear-caches': clearCaches,
  command,
  webhook,
  module: moduleStrategy,
});

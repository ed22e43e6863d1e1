/**
 * Resilience policies: backoff, circuit breaker, bulkhead and per-attempt timeout.
 * @module
 */
export { computeDelay, normalizeBackoffOptions, ExponentialBackoff, DEFAULT_BACKOFF_OPTIONS } from './backoff.js';
export type { BackoffOptions, BackoffNextContext, DelayContext, JitterMode } from './backoff.js';
export { CircuitBreaker, normalizeBreakerOptions, DEFAULT_BREAKER_OPTIONS } from './CircuitBreaker.js';
export type { BreakerOptions, BreakerSnapshot, BreakerState, BreakerStateListener } from './CircuitBreaker.js';
export { Bulkhead, BulkheadFullError } from './Bulkhead.js';
export type { BulkheadOptions, BulkheadRelease } from './Bulkhead.js';
export { attemptSignal } from './timeout.js';
export type { AttemptSignal } from './timeout.js';

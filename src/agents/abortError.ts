import { wardenError } from '../errors/index.js';
import type { WardenError } from '../errors/index.js';

/**
 * The error an adapter throws once `signal` has aborted: `AGENT_TIMEOUT` when the reason is a
 * `TimeoutError` (as from `AbortSignal.timeout`), `CANCELLED` for any other reason.
 * The reason is kept as the error's `cause`.
 *
 * @example
 * if (signal.aborted) throw abortError(signal);
 */
export function abortError(signal: AbortSignal): WardenError {
  const reason: unknown = signal.reason;
  if (isTimeoutReason(reason)) {
    return wardenError('AGENT_TIMEOUT', 'agent call timed out', { cause: reason });
  }
  return wardenError('CANCELLED', 'agent call cancelled', { cause: reason });
}

/** True when an abort reason means "out of time": any error-like value named `TimeoutError`. */
export function isTimeoutReason(reason: unknown): boolean {
  return typeof reason === 'object' && reason !== null && (reason as { name?: unknown }).name === 'TimeoutError';
}

/**
 * Named subclasses for the failures callers most often single out, and the `wardenError`
 * factory that picks the right class for a code.
 */
import { WardenError, initFor } from './WardenError.js';
import type { WardenErrorExtra } from './WardenError.js';
import type { ErrorCode } from './taxonomy.js';

/** `AGENT_TIMEOUT`: the agent did not answer within the per-attempt timeout. */
export class AgentTimeoutError extends WardenError {
  override name = 'AgentTimeoutError' as const;
  constructor(message: string, extra?: WardenErrorExtra) {
    super(initFor('AGENT_TIMEOUT', message, extra));
  }
}

/** `RATE_LIMITED`: the agent answered 429; `retryAfterMs` holds its `Retry-After` when it sent one. */
export class RateLimitedError extends WardenError {
  override name = 'RateLimitedError' as const;
  constructor(message: string, extra?: WardenErrorExtra) {
    super(initFor('RATE_LIMITED', message, extra));
  }
}

/** `AUTH_FAILED`: the agent answered 401 or 403. */
export class AuthError extends WardenError {
  override name = 'AuthError' as const;
  constructor(message: string, extra?: WardenErrorExtra) {
    super(initFor('AUTH_FAILED', message, extra));
  }
}

/** `CIRCUIT_OPEN`: the call was refused because the agent's breaker is open. */
export class CircuitOpenError extends WardenError {
  override name = 'CircuitOpenError' as const;
  constructor(message: string, extra?: WardenErrorExtra) {
    super(initFor('CIRCUIT_OPEN', message, extra));
  }
}

type NamedErrorClass = new (message: string, extra?: WardenErrorExtra) => WardenError;

const classByCode: Readonly<Partial<Record<string, NamedErrorClass>>> = Object.freeze({
  AGENT_TIMEOUT: AgentTimeoutError,
  RATE_LIMITED: RateLimitedError,
  AUTH_FAILED: AuthError,
  CIRCUIT_OPEN: CircuitOpenError,
} satisfies Partial<Record<ErrorCode, NamedErrorClass>>);

/**
 * Builds the error for `code`, starting from the code's defaults in the taxonomy (a custom code
 * gets `logic`/`medium`/not retryable). `extra` may override those and adds context. Codes with
 * a named subclass (`AGENT_TIMEOUT`, `RATE_LIMITED`, `AUTH_FAILED`, `CIRCUIT_OPEN`) get it.
 *
 * @example
 * throw wardenError('COMMAND_FAILED', `agent exited with status ${status}`, { agent, details: { stderr } });
 */
export function wardenError(code: ErrorCode | (string & {}), message: string, extra?: WardenErrorExtra): WardenError {
  const Named = classByCode[code];
  return Named ? new Named(message, extra) : new WardenError(initFor(code, message, extra));
}

/**
 * The one error class every Warden failure is expressed in, and the guard that recognises it.
 */
import { z } from 'zod';
import { customCodeDefaults, errorCategorySchema, errorCodes, isErrorCode, severitySchema } from './taxonomy.js';
import type { ErrorCategory, ErrorCode, Severity } from './taxonomy.js';

/**
 * The serialisable summary of an error, as stored with task attempts and served by the HTTP API.
 * Optional fields are present only when the error has them.
 */
export const errorInfoSchema = z.object({
  code: z.string(),
  category: errorCategorySchema,
  severity: severitySchema,
  retryable: z.boolean(),
  message: z.string(),
  /** The agent's HTTP status, for errors built from a response. */
  status: z.number().int().optional(),
  /** The least delay the agent asked for before the next call (from `Retry-After`). */
  retryAfterMs: z.number().nonnegative().optional(),
  /** The agent's own error code, from a `{ "error": { "code" } }` response body. */
  agentErrorCode: z.string().optional(),
});

/** See {@link errorInfoSchema}. */
export type ErrorInfo = z.infer<typeof errorInfoSchema>;

/** One problem found while validating input or config: a dotted path and what is wrong there. */
export interface ErrorIssue {
  path: string;
  message: string;
}

/**
 * What may be given beside a code and a message. `category`, `severity` and `retryable` override
 * the code's defaults; the rest is context.
 */
export interface WardenErrorExtra {
  category?: ErrorCategory;
  severity?: Severity;
  retryable?: boolean;
  /** The original failure. Defaults to none. */
  cause?: unknown;
  /** The agent's HTTP status. */
  status?: number;
  /** The least delay before the next call, in milliseconds. */
  retryAfterMs?: number;
  /** The id of the agent that failed. */
  agent?: string;
  /** Validation problems, for `INPUT_INVALID` and `CONFIG_INVALID`. */
  issues?: ErrorIssue[];
  /** Anything else worth logging, e.g. `agentErrorCode` or the Node `errorCode`. */
  details?: Record<string, unknown>;
}

/** Everything a {@link WardenError} is built from, with the code's defaults already applied. */
export interface WardenErrorInit extends WardenErrorExtra {
  code: ErrorCode | (string & {});
  message: string;
  category: ErrorCategory;
  severity: Severity;
  retryable: boolean;
}

/** The `name` of a WardenError or one of its named subclasses. */
export type WardenErrorName = 'WardenError' | 'AgentTimeoutError' | 'RateLimitedError' | 'AuthError' | 'CircuitOpenError';

/**
 * A classified failure: a stable `code` with its `category`, `severity` and `retryable` flag,
 * the original failure as `cause`, and typed context. Build one with `wardenError(code, message)`
 * so the code's defaults and the right subclass are used; let an `ErrorClassifier` turn anything
 * else that was thrown into one.
 *
 * @example
 * throw wardenError('OUTPUT_INVALID', 'output.summary is missing', { agent: 'senior-ai-engineer' });
 */
export class WardenError extends Error {
  override name: WardenErrorName = 'WardenError' as const;
  /** Marks WardenErrors made by any copy of this library; see {@link isWardenError}. */
  readonly __wardenError = true as const;
  readonly code: ErrorCode | (string & {});
  readonly category: ErrorCategory;
  readonly severity: Severity;
  readonly retryable: boolean;
  // `declare` keeps the field from being redefined (as undefined) after `super` has set it
  declare readonly cause?: unknown;
  readonly status?: number;
  readonly retryAfterMs?: number;
  readonly agent?: string;
  readonly issues?: ErrorIssue[];
  readonly details?: Record<string, unknown>;

  constructor(init: WardenErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.category = init.category;
    this.severity = init.severity;
    this.retryable = init.retryable;
    if (init.status !== undefined) this.status = init.status;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
    if (init.agent !== undefined) this.agent = init.agent;
    if (init.issues !== undefined) this.issues = init.issues;
    if (init.details !== undefined) this.details = init.details;
  }

  /** The serialisable summary; optional fields appear only when set. */
  toJSON(): ErrorInfo {
    const info: ErrorInfo = {
      code: this.code,
      category: this.category,
      severity: this.severity,
      retryable: this.retryable,
      message: this.message,
    };
    if (this.status !== undefined) info.status = this.status;
    if (this.retryAfterMs !== undefined) info.retryAfterMs = this.retryAfterMs;
    const agentErrorCode = this.details?.['agentErrorCode'];
    if (typeof agentErrorCode === 'string') info.agentErrorCode = agentErrorCode;
    return info;
  }
}

/**
 * The full init for `code`: its table defaults (or the custom-code defaults), overridden by `extra`.
 *
 * @internal
 */
export function initFor(code: string, message: string, extra: WardenErrorExtra = {}): WardenErrorInit {
  const defaults = isErrorCode(code) ? errorCodes[code] : customCodeDefaults;
  return {
    ...extra,
    code,
    message,
    category: extra.category ?? defaults.category,
    severity: extra.severity ?? defaults.severity,
    retryable: extra.retryable ?? defaults.retryable,
  };
}

/**
 * True for a WardenError from this or any other copy of the library: `instanceof` alone fails
 * across copies (two installs, or a module loaded twice), so the marker property counts too.
 *
 * @example
 * catch (e) { if (isWardenError(e) && e.retryable) scheduleRetry(e.retryAfterMs); }
 */
export function isWardenError(e: unknown): e is WardenError {
  return e instanceof WardenError || (typeof e === 'object' && e !== null && (e as { __wardenError?: unknown }).__wardenError === true);
}

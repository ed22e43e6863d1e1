import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { isWardenError } from '../errors/index.js';

/** The HTTP status for each error code a request can cause. Anything else is a 500. */
const STATUS: Record<string, ContentfulStatusCode> = {
  INPUT_INVALID: 400,
  INVALID_JSON: 400,
  BAD_REQUEST: 400,
  AMBIGUOUS_TASK_ID: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  WORKFLOW_NOT_FOUND: 404,
  TASK_NOT_FOUND: 404,
  AGENT_NOT_FOUND: 404,
  ESCALATION_NOT_FOUND: 404,
  CHANNEL_NOT_FOUND: 404,
  NOT_FOUND: 404,
  NOT_A_RUN: 404,
  METHOD_NOT_ALLOWED: 405,
  IDEMPOTENCY_CONFLICT: 409,
  TASK_ENDED: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  ENGINE_STOPPING: 503,
  REQUEST_TIMEOUT: 503,
  // A channel that failed a test send: the service behind it answered badly or not at all.
  CHANNEL_CONFIG: 502,
  CHANNEL_AUTH: 502,
  CHANNEL_REJECTED: 502,
  CHANNEL_RATE_LIMITED: 502,
  CHANNEL_UNAVAILABLE: 502,
  CHANNEL_UNREACHABLE: 502,
  CHANNEL_ERROR: 502,
};

/** The error body of every 4xx/5xx: `{ error: { code, message, issues? } }`. */
export function problem(c: Context, code: string, message: string, issues?: readonly { path: string; message: string }[]) {
  return c.json({ error: { code, message, ...(issues ? { issues } : {}) } }, STATUS[code] ?? 500);
}

/** Turns a thrown error into its HTTP answer. Unknown errors become a 500 with no internals shown. */
export function problemFrom(c: Context, err: unknown) {
  if (isWardenError(err) && STATUS[err.code]) return problem(c, err.code, err.message, err.issues);
  return problem(c, 'INTERNAL', 'internal error; see the server log');
}

/**
 * The built-in classification tables: HTTP statuses (the agent protocol's table), Node/system
 * error codes and message patterns. User rules are checked before these.
 *
 * @internal
 */
import type { ErrorCode } from './taxonomy.js';

/** A built-in answer: the code, and any departures from its table defaults. @internal */
export interface BuiltinClass {
  code: ErrorCode;
  retryable?: boolean;
}

/** The class of an agent's HTTP status, per the agent protocol's status table. @internal */
export function classifyStatus(status: number): BuiltinClass {
  switch (status) {
    case 408:
    case 425:
      return { code: 'REQUEST_TIMEOUT' };
    case 429:
      return { code: 'RATE_LIMITED' };
    case 401:
    case 403:
      return { code: 'AUTH_FAILED' };
    case 502:
    case 503:
    case 504:
      return { code: 'AGENT_UNAVAILABLE' };
    case 507:
      return { code: 'RESOURCE_EXHAUSTED' };
    case 501:
    case 505:
      // "not implemented" and "HTTP version not supported" will not change on a retry: go to the fallback
      return { code: 'AGENT_HTTP_5XX', retryable: false };
  }
  if (status >= 500 && status <= 599) return { code: 'AGENT_HTTP_5XX' };
  if (status >= 400 && status <= 499) return { code: 'INVALID_REQUEST' };
  // a 1xx or 3xx the protocol has no meaning for (fetch follows redirects itself)
  return { code: 'AGENT_ERROR' };
}

const SYSTEM_CODES: Readonly<Record<string, ErrorCode>> = Object.freeze({
  ECONNREFUSED: 'CONNECTION_FAILED',
  ECONNRESET: 'CONNECTION_FAILED',
  ECONNABORTED: 'CONNECTION_FAILED',
  ETIMEDOUT: 'CONNECTION_FAILED',
  EPIPE: 'CONNECTION_FAILED',
  EAI_AGAIN: 'CONNECTION_FAILED',
  // ENOTFOUND (no such host) is often a typo in the agent's url, which no retry fixes. It is
  // still transient here, as in got's default retry list, because a container that is still
  // starting is also ENOTFOUND and retries are bounded. A user rule
  // { "match": { "errorCode": "ENOTFOUND" }, "code": "CONFIG_INVALID" } makes it permanent.
  ENOTFOUND: 'CONNECTION_FAILED',
  ENETUNREACH: 'CONNECTION_FAILED',
  ENETDOWN: 'CONNECTION_FAILED',
  EHOSTUNREACH: 'CONNECTION_FAILED',
  EHOSTDOWN: 'CONNECTION_FAILED',
  ERR_SOCKET_CONNECTION_TIMEOUT: 'CONNECTION_FAILED',
  UND_ERR_CONNECT_TIMEOUT: 'CONNECTION_FAILED',
  UND_ERR_SOCKET: 'CONNECTION_FAILED',
  UND_ERR_CLOSED: 'CONNECTION_FAILED',
  // the connection was made but the answer did not come in time
  UND_ERR_HEADERS_TIMEOUT: 'AGENT_TIMEOUT',
  UND_ERR_BODY_TIMEOUT: 'AGENT_TIMEOUT',
  ESOCKETTIMEDOUT: 'AGENT_TIMEOUT',
  ENOMEM: 'RESOURCE_EXHAUSTED',
  EMFILE: 'RESOURCE_EXHAUSTED',
  ENFILE: 'RESOURCE_EXHAUSTED',
  ENOSPC: 'RESOURCE_EXHAUSTED',
  ERR_INVALID_URL: 'CONFIG_INVALID',
  // our own bad call into undici or Node, not the agent's fault
  UND_ERR_INVALID_ARG: 'INTERNAL',
  ERR_INVALID_ARG_TYPE: 'INTERNAL',
  ERR_INVALID_ARG_VALUE: 'INTERNAL',
});

/**
 * The class of a Node/system error code (`err.code`), or `undefined` when it is not one we know.
 * Any other undici code (`UND_ERR_*`) counts as a connection failure.
 *
 * @internal
 */
export function classifySystemCode(code: string): ErrorCode | undefined {
  return SYSTEM_CODES[code] ?? (code.startsWith('UND_ERR_') ? 'CONNECTION_FAILED' : undefined);
}

// Order matters: "connection timed out" is a timeout, as in the design notes.
const MESSAGE_PATTERNS: readonly (readonly [RegExp, ErrorCode])[] = [
  [/\btime[- ]?outs?\b|\btimed[- ]?out\b/i, 'AGENT_TIMEOUT'],
  [/rate[- ]?limit|too many requests/i, 'RATE_LIMITED'],
  [/out of memory|no space left on device|too many open files/i, 'RESOURCE_EXHAUSTED'],
  [/\b(?:dis)?connect(?:ion|ing|ed)?\b|socket hang up|\bECONN[A-Z]+\b/i, 'CONNECTION_FAILED'],
];

/** The class a message suggests, or `undefined`. @internal */
export function classifyMessage(message: string): ErrorCode | undefined {
  for (const [pattern, code] of MESSAGE_PATTERNS) if (pattern.test(message)) return code;
  return undefined;
}

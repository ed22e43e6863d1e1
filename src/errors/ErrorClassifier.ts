/**
 * Turns whatever an agent call threw, or the failed HTTP response it got, into a WardenError.
 */
import { z } from 'zod';
import { classifyMessage, classifyStatus, classifySystemCode } from './builtinClassification.js';
import { classifierRuleSchema, compileRule } from './classifierRule.js';
import type { ClassifierRule, CompiledRule, ErrorFacts } from './classifierRule.js';
import { wardenError } from './errorClasses.js';
import { isWardenError } from './WardenError.js';
import type { WardenError, WardenErrorExtra } from './WardenError.js';
import { parseRetryAfter } from './retryAfter.js';

/** Options of an {@link ErrorClassifier}. */
export interface ErrorClassifierOptions {
  /** The time `Retry-After` dates are measured from. A `Clock` fits. Defaults to `Date.now`. */
  now?: () => number;
}

/** What the caller knows about the failure beyond the error itself. */
export interface ClassifyContext {
  /** The id of the agent that failed; set as the error's `agent`. Defaults to none. */
  agent?: string;
}

/** How much of a cause chain (causes and `AggregateError` members) is looked at. */
const MAX_CHAIN = 16;
/** How much of a response body message rules may match against. */
const MAX_RULE_BODY = 4096;
/** How much of a response body goes into an error message. */
const MAX_SNIPPET = 200;

const rulesSchema = z.array(classifierRuleSchema);

/**
 * Classifies failures: user rules first (first match wins), then the built-in tables for
 * HTTP statuses, Node error codes, abort/timeout errors and message patterns. The original
 * failure is always kept as the result's `cause`.
 *
 * @example
 * const classifier = new ErrorClassifier(config.errors.rules, clock);
 * try { await fetch(url, { signal }); } catch (e) { throw classifier.classify(e, { agent }); }
 * if (!res.ok) throw classifier.fromHttpResponse(res.status, res.headers, await res.text(), { agent });
 */
export class ErrorClassifier {
  readonly #rules: readonly CompiledRule[];
  readonly #now: () => number;

  /**
   * @param rules - User rules, as in config `errors.rules`. They are validated here too, and
   *   invalid ones throw a `CONFIG_INVALID` WardenError listing the problems. Defaults to none.
   */
  constructor(rules: readonly ClassifierRule[] = [], opts: ErrorClassifierOptions = {}) {
    const parsed = rulesSchema.safeParse(rules);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => ({ path: ['rules', ...i.path].join('.'), message: i.message }));
      throw wardenError('CONFIG_INVALID', `invalid classifier rules: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, {
        issues,
      });
    }
    this.#rules = parsed.data.map(compileRule);
    // bound, so a Clock instance whose now() reads its own fields can be passed as the options
    this.#now = opts.now ? opts.now.bind(opts) : Date.now;
  }

  /**
   * The WardenError for anything thrown. A WardenError (from any copy of the library) is
   * returned unchanged. Otherwise the outermost decisive part of the error and its cause chain
   * wins: a wrapped WardenError, a `TimeoutError` (→ `AGENT_TIMEOUT`), an `AbortError`
   * (→ `CANCELLED`, or `AGENT_TIMEOUT` when its cause is a `TimeoutError`), a Node error code
   * or an HTTP `status`; failing those, a message pattern; failing that, `AGENT_ERROR`.
   */
  classify(err: unknown, context: ClassifyContext = {}): WardenError {
    if (isWardenError(err)) return err;
    const chain = chainOf(err);
    const facts = factsOf(chain);
    const decided = decide(chain, facts);
    const innerAgentCode = decided.inner?.details?.['agentErrorCode'];
    if (typeof innerAgentCode === 'string') facts.agentErrorCode = innerAgentCode;
    const extra: WardenErrorExtra = { cause: err };
    if (facts.status !== undefined) extra.status = facts.status;
    const agent = context.agent ?? decided.inner?.agent;
    if (agent !== undefined) extra.agent = agent;
    const errorCode = facts.errorCodes[0];
    if (decided.inner) {
      if (decided.inner.retryAfterMs !== undefined) extra.retryAfterMs = decided.inner.retryAfterMs;
      if (decided.inner.issues !== undefined) extra.issues = decided.inner.issues;
    }
    const details = { ...decided.inner?.details, ...(errorCode === undefined ? {} : { errorCode }) };
    if (Object.keys(details).length > 0) extra.details = details;
    return this.#build(decided.builtin, facts, messageOf(chain, decided.by), extra);
  }

  /**
   * The WardenError for a failed HTTP response from an agent, per the agent protocol's status
   * table. `Retry-After` (or `retry-after-ms`) sets `retryAfterMs`. A JSON body
   * `{ "error": { "code", "message" } }` supplies the message, and its code is kept as
   * `details.agentErrorCode` (rules can match it); otherwise the message is `HTTP <status> from
   * agent` and the start of the body.
   */
  fromHttpResponse(status: number, headers: Headers, bodyText: string, context: ClassifyContext = {}): WardenError {
    const body = parseErrorBody(bodyText);
    const from = context.agent === undefined ? 'agent' : `agent ${context.agent}`;
    const snippet = snippetOf(bodyText);
    const message = body.message ?? `HTTP ${status} from ${from}${snippet === '' ? '' : `: ${snippet}`}`;
    const extra: WardenErrorExtra = { status };
    const retryAfterMs = retryAfterOf(headers, this.#now());
    if (retryAfterMs !== undefined) extra.retryAfterMs = retryAfterMs;
    if (context.agent !== undefined) extra.agent = context.agent;
    if (body.code !== undefined) extra.details = { agentErrorCode: body.code };
    const facts: ErrorFacts = {
      status,
      errorCodes: [],
      messages: [message, bodyText.slice(0, MAX_RULE_BODY)],
      names: [],
      ...(body.code === undefined ? {} : { agentErrorCode: body.code }),
    };
    return this.#build(classifyStatus(status), facts, message, extra);
  }

  #build(builtin: Classification, facts: ErrorFacts, message: string, extra: WardenErrorExtra): WardenError {
    const rule = this.#rules.find((r) => r.matches(facts))?.rule;
    if (rule) {
      // the rule's code brings its own defaults, so the built-in's overrides are dropped
      return wardenError(rule.code, message, {
        ...extra,
        category: rule.category,
        severity: rule.severity,
        retryable: rule.retryable,
      });
    }
    const { code, ...overrides } = builtin;
    return wardenError(code, message, { ...extra, ...overrides });
  }
}

/** An Error or an error-like object: the fields classification reads. */
interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  status?: unknown;
  statusCode?: unknown;
  cause?: unknown;
  errors?: unknown;
  error?: unknown;
}

const asErrorLike = (x: unknown): ErrorLike | undefined => (typeof x === 'object' && x !== null ? (x as ErrorLike) : undefined);
const stringField = (x: unknown, key: 'name' | 'message' | 'code'): string | undefined => {
  const v = asErrorLike(x)?.[key];
  return typeof v === 'string' ? v : undefined;
};
const statusField = (x: unknown): number | undefined => {
  const e = asErrorLike(x);
  const v = e?.status ?? e?.statusCode;
  return typeof v === 'number' && Number.isInteger(v) && v >= 400 && v <= 599 ? v : undefined;
};

/**
 * The error, then its causes and `AggregateError` members breadth-first, outermost first.
 * undici's fetch throws `TypeError('fetch failed')` with the socket error as `cause`, and with
 * happy eyeballs that cause may be an `AggregateError` of one error per address.
 */
function chainOf(err: unknown): unknown[] {
  const chain: unknown[] = [];
  const queue: unknown[] = [err];
  while (queue.length > 0 && chain.length < MAX_CHAIN) {
    const x = queue.shift();
    if (chain.includes(x)) continue;
    chain.push(x);
    const e = asErrorLike(x);
    if (e === undefined) continue;
    if (e.cause !== undefined) queue.push(e.cause);
    if (Array.isArray(e.errors)) queue.push(...e.errors);
  }
  return chain;
}

function factsOf(chain: readonly unknown[]): ErrorFacts {
  const pick = (key: 'name' | 'message' | 'code'): string[] =>
    chain.map((x) => (typeof x === 'string' && key === 'message' ? x : stringField(x, key))).filter((v) => v !== undefined);
  const status = chain.map(statusField).find((s) => s !== undefined);
  return {
    errorCodes: pick('code'),
    messages: pick('message'),
    names: pick('name'),
    ...(status === undefined ? {} : { status }),
  };
}

/** A code with any departures from its defaults: a built-in answer, or an adopted WardenError's. */
type Classification = { code: string } & Pick<WardenErrorExtra, 'category' | 'severity' | 'retryable'>;

interface Decision {
  builtin: Classification;
  /** The member of the chain that decided, if any. */
  by?: unknown;
  /** A WardenError found inside the chain, whose classification is adopted. */
  inner?: WardenError;
}

function decide(chain: readonly unknown[], facts: ErrorFacts): Decision {
  for (const by of chain) {
    if (isWardenError(by)) {
      const { code, category, severity, retryable } = by;
      return { builtin: { code, category, severity, retryable }, by, inner: by };
    }
    const name = stringField(by, 'name');
    const code = stringField(by, 'code');
    if (name === 'TimeoutError') return { builtin: { code: 'AGENT_TIMEOUT' }, by };
    if (name === 'AbortError' || code === 'ABORT_ERR' || code === 'UND_ERR_ABORTED') {
      // an abort whose reason is a timeout (AbortSignal.timeout) is a timeout
      return { builtin: { code: facts.names.includes('TimeoutError') ? 'AGENT_TIMEOUT' : 'CANCELLED' }, by };
    }
    const fromCode = code === undefined ? undefined : classifySystemCode(code);
    if (fromCode !== undefined) return { builtin: { code: fromCode }, by };
    const status = statusField(by);
    if (status !== undefined) return { builtin: classifyStatus(status), by };
  }
  for (const by of chain) {
    const message = typeof by === 'string' ? by : stringField(by, 'message');
    const fromMessage = message === undefined ? undefined : classifyMessage(message);
    if (fromMessage !== undefined) return { builtin: { code: fromMessage }, by };
  }
  return { builtin: { code: 'AGENT_ERROR' } };
}

/**
 * The outermost message, followed by the deciding cause's message (or, when nothing decided,
 * the first cause's) when that says more: `fetch failed: connect ECONNREFUSED 127.0.0.1:9001`.
 */
function messageOf(chain: readonly unknown[], by: unknown): string {
  const text = (x: unknown) => (typeof x === 'string' ? x : (stringField(x, 'message') ?? ''));
  const top = text(chain[0]);
  const deep =
    by === undefined
      ? (chain
          .slice(1)
          .map(text)
          .find((m) => m !== '') ?? '')
      : by === chain[0]
        ? ''
        : text(by);
  if (top !== '' && deep !== '' && deep !== top) return `${top}: ${deep}`;
  if (top !== '' || deep !== '') return top || deep;
  const name = stringField(chain[0], 'name');
  return name === undefined ? `non-error value thrown: ${preview(chain[0])}` : `${name} without a message`;
}

function preview(x: unknown): string {
  let s: string;
  try {
    s = typeof x === 'object' && x !== null ? (JSON.stringify(x) ?? String(x)) : String(x);
  } catch {
    s = Object.prototype.toString.call(x);
  }
  return s.length > MAX_SNIPPET ? `${s.slice(0, MAX_SNIPPET - 1)}…` : s;
}

/** The start of a body for a message: whitespace collapsed, at most 200 characters. */
function snippetOf(bodyText: string): string {
  const s = bodyText
    .slice(0, MAX_SNIPPET * 4)
    .replace(/\s+/g, ' ')
    .trim();
  return s.length > MAX_SNIPPET ? `${s.slice(0, MAX_SNIPPET - 1)}…` : s;
}

/** `{ "error": { "code", "message" } }`, or `{ "error": "message" }`, from a response body. */
function parseErrorBody(bodyText: string): { code?: string; message?: string } {
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    return {};
  }
  const error = asErrorLike(body)?.error;
  if (typeof error === 'string') return error === '' ? {} : { message: error };
  const e = asErrorLike(error);
  if (e === undefined) return {};
  const out: { code?: string; message?: string } = {};
  if (typeof e.code === 'string' && e.code !== '') out.code = e.code;
  else if (typeof e.code === 'number') out.code = String(e.code);
  if (typeof e.message === 'string' && e.message !== '') out.message = e.message;
  return out;
}

/** `retry-after-ms` (sent by some model APIs) is more precise, so it wins over `Retry-After`. */
function retryAfterOf(headers: Headers, nowMs: number): number | undefined {
  const ms = headers.get('retry-after-ms')?.trim();
  if (ms !== undefined && /^\d+(?:\.\d+)?$/.test(ms)) return Math.ceil(Number(ms));
  return parseRetryAfter(headers.get('retry-after'), nowMs);
}

/**
 * Retry delay maths: a pure function ({@link computeDelay}) and an immutable value
 * that walks it attempt by attempt ({@link ExponentialBackoff}, after cockatiel's backoffs).
 */

/** How a computed delay is randomised, after the AWS "Exponential Backoff and Jitter" article. */
export type JitterMode = 'none' | 'full' | 'decorrelated';

/** The complete, normalized options of the backoff maths. */
export interface BackoffOptions {
  /** The delay after the first failed attempt, before jitter. Defaults to 1000. */
  initialDelayMs: number;
  /** No delay is longer than this, except to honour a Retry-After. Defaults to 30000, or `initialDelayMs` if larger. */
  maxDelayMs: number;
  /** Each further attempt waits this many times longer. Defaults to 2. */
  multiplier: number;
  /**
   * `'none'`: the exponential delay itself. `'full'`: random in [0, delay].
   * `'decorrelated'`: random between `initialDelayMs` and three times the previous delay.
   * Defaults to `'full'`.
   */
  jitter: JitterMode;
  /**
   * Extra factors by error code, so that some failures back off longer than others.
   * Defaults to `{ RATE_LIMITED: 2 }`.
   */
  errorMultipliers: Readonly<Record<string, number>>;
}

/** The defaults of {@link BackoffOptions}. */
export const DEFAULT_BACKOFF_OPTIONS: Readonly<BackoffOptions> = Object.freeze({
  initialDelayMs: 1000,
  maxDelayMs: 30_000,
  multiplier: 2,
  jitter: 'full',
  errorMultipliers: Object.freeze({ RATE_LIMITED: 2 }),
});

/** What {@link computeDelay} needs to know about the failure it is backing off from. */
export interface DelayContext {
  /** The 1-based number of the attempt that just failed. */
  attempt: number;
  /** The delay before the attempt that just failed; used by decorrelated jitter. Defaults to `initialDelayMs`. */
  previousDelayMs?: number | undefined;
  /** The code of the error that failed the attempt, looked up in `errorMultipliers`. */
  errorCode?: string | undefined;
  /** The server's Retry-After, in ms: the delay is never shorter than this. */
  retryAfterMs?: number | undefined;
  /** A source of uniform numbers in [0, 1), injected so that tests and simulations are deterministic. */
  random: () => number;
}

const JITTER_MODES: readonly JitterMode[] = ['none', 'full', 'decorrelated'];

/**
 * Fills in and checks backoff options. Messages name the field; the config layer prefixes its path.
 *
 * @throws RangeError when a field is out of range.
 */
export function normalizeBackoffOptions(opts: Partial<BackoffOptions> = {}): BackoffOptions {
  const o: BackoffOptions = {
    initialDelayMs: opts.initialDelayMs ?? DEFAULT_BACKOFF_OPTIONS.initialDelayMs,
    maxDelayMs: opts.maxDelayMs ?? Math.max(DEFAULT_BACKOFF_OPTIONS.maxDelayMs, opts.initialDelayMs ?? 0),
    multiplier: opts.multiplier ?? DEFAULT_BACKOFF_OPTIONS.multiplier,
    jitter: opts.jitter ?? DEFAULT_BACKOFF_OPTIONS.jitter,
    errorMultipliers: Object.freeze({ ...(opts.errorMultipliers ?? DEFAULT_BACKOFF_OPTIONS.errorMultipliers) }),
  };
  if (!(Number.isFinite(o.initialDelayMs) && o.initialDelayMs >= 0)) {
    throw new RangeError(`initialDelayMs must be a finite number ≥ 0, got ${o.initialDelayMs}`);
  }
  if (!(o.maxDelayMs >= o.initialDelayMs)) {
    throw new RangeError(`maxDelayMs must be ≥ initialDelayMs, got ${o.maxDelayMs} < ${o.initialDelayMs}`);
  }
  if (!(Number.isFinite(o.multiplier) && o.multiplier >= 1)) {
    throw new RangeError(`multiplier must be a finite number ≥ 1, got ${o.multiplier}`);
  }
  if (!JITTER_MODES.includes(o.jitter)) {
    throw new RangeError(`jitter must be one of ${JITTER_MODES.join(', ')}, got ${String(o.jitter)}`);
  }
  for (const [code, factor] of Object.entries(o.errorMultipliers)) {
    if (!(Number.isFinite(factor) && factor > 0)) {
      throw new RangeError(`errorMultipliers.${code} must be a finite number > 0, got ${factor}`);
    }
  }
  return o;
}

/**
 * The delay in whole ms before retrying after the attempt `ctx.attempt` failed.
 *
 * The exponential base is `initialDelayMs × multiplier^(attempt-1) × errorMultipliers[errorCode]`,
 * capped at `maxDelayMs`, then jittered. Retry-After is a floor applied after the cap, so a
 * server's explicit request always wins over `maxDelayMs`.
 *
 * @example
 * computeDelay(opts, { attempt: 3, errorCode: 'RATE_LIMITED', random: Math.random });
 */
export function computeDelay(opts: BackoffOptions, ctx: DelayContext): number {
  if (!(Number.isInteger(ctx.attempt) && ctx.attempt >= 1)) {
    throw new RangeError(`attempt must be an integer ≥ 1, got ${ctx.attempt}`);
  }
  // Own properties only, so a code such as "constructor" never reads Object.prototype.
  const factor =
    ctx.errorCode !== undefined && Object.hasOwn(opts.errorMultipliers, ctx.errorCode) ? (opts.errorMultipliers[ctx.errorCode] ?? 1) : 1;

  let delay: number;
  switch (opts.jitter) {
    case 'none':
    case 'full': {
      // Infinity from a huge exponent is harmless: the cap turns it back into maxDelayMs.
      const capped = Math.min(opts.maxDelayMs, opts.initialDelayMs * opts.multiplier ** (ctx.attempt - 1) * factor);
      delay = opts.jitter === 'none' ? capped : ctx.random() * capped;
      break;
    }
    case 'decorrelated': {
      const previous = ctx.previousDelayMs ?? opts.initialDelayMs;
      const low = opts.initialDelayMs;
      const high = Math.max(low, previous * 3);
      delay = Math.min(opts.maxDelayMs, (low + ctx.random() * (high - low)) * factor);
      break;
    }
  }
  if (ctx.retryAfterMs !== undefined && ctx.retryAfterMs > delay) delay = ctx.retryAfterMs;
  return Math.round(delay);
}

/** What {@link ExponentialBackoff.next} needs to know about the failure. */
export interface BackoffNextContext {
  /** The code of the error that failed the attempt. */
  errorCode?: string | undefined;
  /** The server's Retry-After in ms. */
  retryAfterMs?: number | undefined;
  /** Uniform numbers in [0, 1). Defaults to `Math.random`. */
  random?: (() => number) | undefined;
}

/**
 * An immutable backoff value: `next()` returns a new value for the next retry and leaves this one
 * alone, so a value can be stored, compared or replayed (cockatiel's `IBackoff`).
 *
 * @example
 * let backoff = new ExponentialBackoff({ initialDelayMs: 500 });
 * backoff = backoff.next({ errorCode: 'AGENT_TIMEOUT' });
 * clock.setTimeout(retry, backoff.delayMs);
 */
export class ExponentialBackoff {
  /** The normalized options. */
  readonly options: Readonly<BackoffOptions>;

  /**
   * @param opts the backoff options; missing fields take their defaults.
   * @param attempt how many attempts have failed so far. Defaults to 0.
   * @param delayMs the delay chosen after the last failure. Defaults to 0.
   */
  constructor(
    opts: Partial<BackoffOptions> = {},
    readonly attempt = 0,
    readonly delayMs = 0,
  ) {
    this.options = Object.freeze(normalizeBackoffOptions(opts));
    Object.freeze(this);
  }

  /** The backoff after one more failure: `attempt + 1` and its delay. */
  next(ctx: BackoffNextContext = {}): ExponentialBackoff {
    const attempt = this.attempt + 1;
    const delayMs = computeDelay(this.options, {
      attempt,
      // Before the first failure there is no previous delay; the maths then starts from initialDelayMs.
      previousDelayMs: this.attempt === 0 ? undefined : this.delayMs,
      errorCode: ctx.errorCode,
      retryAfterMs: ctx.retryAfterMs,
      random: ctx.random ?? Math.random,
    });
    return new ExponentialBackoff(this.options, attempt, delayMs);
  }
}

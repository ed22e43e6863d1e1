import type { Clock } from '../clock/index.js';

/** The three states of a {@link CircuitBreaker}. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** The complete, normalized options of a {@link CircuitBreaker}. */
export interface BreakerOptions {
  /** The circuit opens when this many failures fall within `windowMs` … Defaults to 5. */
  failureThreshold: number;
  /**
   * … and they are at least this share of the calls in the window (0 turns the rate off: the
   * count alone decides). A flaky agent that still answers most calls keeps its circuit closed,
   * as resilience4j's failure-rate threshold does. `failureThreshold` failures in a row open it
   * whatever the rate, so a dead agent is cut off at once. Defaults to 0.5.
   */
  failureRate: number;
  /** The length of the sliding time window in which failures are counted. Defaults to 60000. */
  windowMs: number;
  /** How long the circuit stays open the first time. Defaults to 30000. */
  openMs: number;
  /** The cap on the open time as it grows on repeated opens. Defaults to 300000. */
  maxOpenMs: number;
  /** Each open straight after a failed half-open probe lasts this many times longer than the last. Defaults to 2. */
  openMultiplier: number;
  /** The successful probes in a row that close the circuit again. Defaults to 2. */
  halfOpenSuccesses: number;
  /** The probes allowed in flight at once while half-open. Defaults to 1. */
  halfOpenMaxProbes: number;
}

/** The defaults of {@link BreakerOptions}. */
export const DEFAULT_BREAKER_OPTIONS: Readonly<BreakerOptions> = Object.freeze({
  failureThreshold: 5,
  failureRate: 0.5,
  windowMs: 60_000,
  openMs: 30_000,
  maxOpenMs: 300_000,
  openMultiplier: 2,
  halfOpenSuccesses: 2,
  halfOpenMaxProbes: 1,
});

/**
 * The plain-data state of a breaker, for the store. `consecutiveOpens` counts the opens since the
 * circuit last closed, and sets how long the next open lasts.
 */
export type BreakerSnapshot =
  | {
      readonly state: 'closed';
      readonly failures: readonly number[];
      readonly calls?: readonly CallBucket[];
      readonly consecutive?: number;
    }
  | { readonly state: 'open'; readonly openedAt: number; readonly openUntil: number; readonly consecutiveOpens: number }
  | { readonly state: 'half-open'; readonly successes: number; readonly probes: number; readonly consecutiveOpens: number };

/** Calls counted in one slice (a tenth) of the window: `[slice index, successes, failures]`. */
export type CallBucket = readonly [number, number, number];

/** Called on every change of state, with the snapshot taken just after it. */
export type BreakerStateListener = (from: BreakerState, to: BreakerState, snapshot: BreakerSnapshot) => void;

/**
 * Fills in and checks breaker options. Messages name the field; the config layer prefixes its path.
 *
 * @throws RangeError when a field is out of range.
 */
export function normalizeBreakerOptions(opts: Partial<BreakerOptions> = {}): BreakerOptions {
  const o: BreakerOptions = { ...DEFAULT_BREAKER_OPTIONS };
  for (const [key, value] of Object.entries(opts) as [keyof BreakerOptions, number | undefined][]) {
    if (value !== undefined) o[key] = value;
  }
  const positiveInt = ['failureThreshold', 'halfOpenSuccesses', 'halfOpenMaxProbes'] as const;
  for (const key of positiveInt) {
    if (!(Number.isInteger(o[key]) && o[key] >= 1)) throw new RangeError(`${key} must be an integer ≥ 1, got ${o[key]}`);
  }
  for (const key of ['windowMs', 'openMs'] as const) {
    if (!(Number.isFinite(o[key]) && o[key] >= 0)) throw new RangeError(`${key} must be a finite number ≥ 0, got ${o[key]}`);
  }
  if (!(Number.isFinite(o.failureRate) && o.failureRate >= 0 && o.failureRate <= 1)) {
    throw new RangeError(`failureRate must be between 0 and 1, got ${o.failureRate}`);
  }
  if (!(o.maxOpenMs >= o.openMs)) throw new RangeError(`maxOpenMs must be ≥ openMs, got ${o.maxOpenMs} < ${o.openMs}`);
  if (!(Number.isFinite(o.openMultiplier) && o.openMultiplier >= 1)) {
    throw new RangeError(`openMultiplier must be a finite number ≥ 1, got ${o.openMultiplier}`);
  }
  return o;
}

type Internal =
  | {
      state: 'closed';
      failures: number[];
      /** Index of the first failure still counted (see `prune`). */
      start: number;
      /** Successes and failures per tenth of the window, for the failure rate: constant memory at any rate. */
      calls: [number, number, number][];
      /** Failures since the last success. */
      consecutive: number;
    }
  | { state: 'open'; openedAt: number; openUntil: number; consecutiveOpens: number }
  | { state: 'half-open'; successes: number; probes: number; consecutiveOpens: number };

/**
 * A per-agent circuit breaker that opens on a count of failures in a sliding time window, when
 * they are also a large enough share of the calls (`failureRate`).
 *
 * Unlike cockatiel's `ConsecutiveBreaker`, a success while closed does not clear the count: an
 * agent that fails every other call still trips the breaker. Open becomes half-open lazily, when
 * the state is next looked at after `openUntil`, so the breaker holds no timers and needs no disposal.
 * Its state is plain data ({@link toJSON}) that the constructor takes back after a restart.
 *
 * @example
 * const breaker = new CircuitBreaker({ failureThreshold: 5 }, clock);
 * if (!breaker.tryAcquire()) throw new Error(`circuit open until ${breaker.openUntil}`);
 * try { await call(); breaker.recordSuccess(); } catch (e) { breaker.recordFailure(); throw e; }
 */
export class CircuitBreaker {
  /** The normalized options. */
  readonly options: Readonly<BreakerOptions>;
  readonly #clock: Clock;
  #s: Internal;
  readonly #listeners = new Set<BreakerStateListener>();

  /**
   * @param opts breaker options; missing fields take their defaults.
   * @param clock the source of time.
   * @param initialState a snapshot from {@link toJSON} to restore. Defaults to closed with no failures.
   */
  constructor(opts: Partial<BreakerOptions>, clock: Clock, initialState?: BreakerSnapshot) {
    this.options = Object.freeze(normalizeBreakerOptions(opts));
    this.#clock = clock;
    this.#s = initialState ? restore(initialState, this.options) : { state: 'closed', failures: [], start: 0, calls: [], consecutive: 0 };
  }

  /** The current state. Reading it moves an open circuit whose time is up to half-open. */
  get state(): BreakerState {
    return this.#current().state;
  }

  /** When an open circuit will let a probe through, in clock ms; undefined unless open. */
  get openUntil(): number | undefined {
    const s = this.#current();
    return s.state === 'open' ? s.openUntil : undefined;
  }

  /**
   * Asks to make a call. Closed: always true. Open: false. Half-open: true while fewer than
   * `halfOpenMaxProbes` probes are in flight, reserving a probe slot that the caller must give back
   * with {@link recordSuccess}, {@link recordFailure} or {@link release}.
   */
  tryAcquire(): boolean {
    const s = this.#current();
    switch (s.state) {
      case 'closed':
        return true;
      case 'open':
        return false;
      case 'half-open':
        if (s.probes >= this.options.halfOpenMaxProbes) return false;
        s.probes++;
        return true;
    }
  }

  /** Records a successful call. Half-open: counts towards closing the circuit. */
  recordSuccess(): void {
    const s = this.#current();
    // Closed: a time window, not a streak, so nothing to clear; the success counts towards the
    // failure rate. Open: a late result of a call that began before the circuit opened.
    if (s.state === 'closed') {
      s.consecutive = 0;
      return count(s, this.#clock.now(), this.options, 1);
    }
    if (s.state !== 'half-open') return;
    s.probes = Math.max(0, s.probes - 1);
    s.successes++;
    if (s.successes >= this.options.halfOpenSuccesses)
      this.#transition({ state: 'closed', failures: [], start: 0, calls: [], consecutive: 0 });
  }

  /** Records a failed call. Closed: may open the circuit. Half-open: opens it again, for longer. */
  recordFailure(): void {
    const s = this.#current();
    const now = this.#clock.now();
    switch (s.state) {
      case 'closed': {
        prune(s, now, this.options);
        s.failures.push(now);
        count(s, now, this.options, 2);
        s.consecutive++;
        const { failureThreshold } = this.options;
        // Enough failures in the window, and either in a row (a dead agent: cut off at once) or a
        // large enough share of the calls (so a flaky agent that mostly answers stays in use).
        const inWindow = s.failures.length - s.start >= failureThreshold;
        if (inWindow && (s.consecutive >= failureThreshold || failureRate(s, now, this.options) >= this.options.failureRate)) this.#open(1);
        return;
      }
      case 'open':
        return; // a late result; the circuit is already open
      case 'half-open':
        this.#open(s.consecutiveOpens + 1);
        return;
    }
  }

  /** Ends an acquired call that neither succeeded nor failed (cancelled, say), freeing its probe slot. */
  release(): void {
    const s = this.#current();
    if (s.state === 'half-open') s.probes = Math.max(0, s.probes - 1);
  }

  /** Closes the circuit and forgets every failure and open, as an operator's manual reset. */
  reset(): void {
    const s = this.#current();
    if (s.state === 'closed') {
      s.failures = [];
      s.start = 0;
      s.calls = [];
      s.consecutive = 0;
    } else this.#transition({ state: 'closed', failures: [], start: 0, calls: [], consecutive: 0 });
  }

  /** The state as plain data, for the store; restore it with the constructor's `initialState`. */
  toJSON(): BreakerSnapshot {
    return this.#snapshot(this.#current());
  }

  /**
   * Listens for changes of state, including the lazy open → half-open one. A listener that throws
   * is ignored: the breaker's bookkeeping never depends on its listeners.
   *
   * @returns a function that removes the listener.
   */
  onStateChange(listener: BreakerStateListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  #snapshot(s: Internal): BreakerSnapshot {
    if (s.state === 'closed') {
      prune(s, this.#clock.now(), this.options);
      return {
        state: 'closed',
        failures: s.failures.slice(s.start),
        calls: s.calls.map((b) => [b[0], b[1], b[2]] as const),
        consecutive: s.consecutive,
      };
    }
    return { ...s };
  }

  #current(): Internal {
    const s = this.#s;
    if (s.state === 'open' && this.#clock.now() >= s.openUntil) {
      this.#transition({ state: 'half-open', successes: 0, probes: 0, consecutiveOpens: s.consecutiveOpens });
    }
    return this.#s;
  }

  #open(consecutiveOpens: number): void {
    const now = this.#clock.now();
    const { openMs, openMultiplier, maxOpenMs } = this.options;
    const duration = Math.min(maxOpenMs, openMs * openMultiplier ** (consecutiveOpens - 1));
    this.#transition({ state: 'open', openedAt: now, openUntil: now + duration, consecutiveOpens });
  }

  #transition(next: Internal): void {
    const from = this.#s.state;
    this.#s = next;
    if (from === next.state || this.#listeners.size === 0) return;
    // Not toJSON(): with openMs 0 its lazy check would fire open → half-open inside this notification.
    const snapshot = this.#snapshot(next);
    for (const listener of [...this.#listeners]) {
      try {
        listener(from, next.state, snapshot);
      } catch {
        // Deliberately swallowed: a broken dashboard or logger must not wedge the breaker.
      }
    }
  }
}

/**
 * Stops counting the failures that left the window, and all but the last `failureThreshold`.
 *
 * Failures are appended as they happen, so the expired ones are a prefix: its end is found by
 * binary search and `start` moves past it; the array is compacted only once most of it is dead.
 * Filtering the whole list on every failure made each one cost O(failureThreshold): with a
 * threshold set high to all but disable the breaker, 20k failing tasks took 25 s (see
 * docs/benchmarks.md). Should the clock step back, the list is slightly out of order and a
 * failure may leave the window a little early or late.
 */
function prune(s: { failures: number[]; start: number }, now: number, opts: BreakerOptions): void {
  const { failures } = s;
  const cutoff = now - opts.windowMs;
  let lo = s.start;
  let hi = failures.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (failures[mid]! > cutoff) hi = mid;
    else lo = mid + 1;
  }
  s.start = Math.max(lo, failures.length - opts.failureThreshold);
  if (s.start > 64 && s.start * 2 > failures.length) {
    failures.splice(0, s.start);
    s.start = 0;
  }
}

const SLICES = 10;

/** Counts a call in the current tenth of the window (`which` 1: success, 2: failure), dropping slices that left it. */
function count(s: { calls: [number, number, number][] }, now: number, opts: BreakerOptions, which: 1 | 2): void {
  const width = Math.max(1, opts.windowMs / SLICES);
  const slice = Math.floor(now / width);
  const last = s.calls.at(-1);
  if (last && last[0] === slice) last[which]++;
  else s.calls.push(which === 1 ? [slice, 1, 0] : [slice, 0, 1]);
  const oldest = slice - SLICES;
  while (s.calls.length && s.calls[0]![0] <= oldest) s.calls.shift();
}

/** Failures ÷ calls over the window, to the nearest tenth of it; 1 when nothing was counted. */
function failureRate(s: { calls: [number, number, number][] }, now: number, opts: BreakerOptions): number {
  const oldest = Math.floor(now / Math.max(1, opts.windowMs / SLICES)) - SLICES;
  let ok = 0;
  let failed = 0;
  for (const [slice, a, b] of s.calls) {
    if (slice <= oldest) continue;
    ok += a;
    failed += b;
  }
  return failed + ok === 0 ? 1 : failed / (failed + ok);
}

function restore(snap: BreakerSnapshot, opts: BreakerOptions): Internal {
  switch (snap.state) {
    case 'closed':
      return {
        state: 'closed',
        failures: [...snap.failures].slice(-opts.failureThreshold),
        start: 0,
        // A snapshot from before the failure rate existed counts its failures as the only calls.
        calls: snap.calls ? snap.calls.map((b) => [b[0], b[1], b[2]]) : [],
        consecutive: snap.consecutive ?? 0,
      };
    case 'open':
      return { state: 'open', openedAt: snap.openedAt, openUntil: snap.openUntil, consecutiveOpens: snap.consecutiveOpens };
    case 'half-open':
      // Probes in flight died with the process that saved the snapshot, and can never be released.
      return { state: 'half-open', successes: snap.successes, probes: 0, consecutiveOpens: snap.consecutiveOpens };
    default:
      throw new TypeError(`unknown breaker state ${JSON.stringify((snap as { state?: unknown }).state)}`);
  }
}

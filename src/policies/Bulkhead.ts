/** The options of a {@link Bulkhead}. */
export interface BulkheadOptions {
  /** The calls allowed in flight at once; an integer ≥ 0 (0 admits nothing, a pause). */
  maxConcurrency: number;
  /** The callers allowed to wait for a slot, in FIFO order. Defaults to 0, as in cockatiel: no queue. */
  maxQueue?: number | undefined;
}

/** Thrown by {@link Bulkhead.acquire} when every slot is taken and the queue is full. */
export class BulkheadFullError extends Error {
  /** A stable code for the engine to map; this module does not depend on the error table. */
  readonly code = 'BULKHEAD_FULL' as const;
  override name = 'BulkheadFullError' as const;

  constructor(
    /** The concurrency limit at the time of the rejection. */
    readonly limit: number,
    /** The queue length at the time of the rejection. */
    readonly maxQueue: number,
  ) {
    super(`bulkhead full: ${limit} in flight and ${maxQueue} queued`);
  }
}

/** Frees a bulkhead slot; calling it more than once does nothing. */
export type BulkheadRelease = () => void;

interface Waiter {
  resolve(release: BulkheadRelease): void;
  reject(reason: unknown): void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/**
 * Limits the calls in flight to one agent, with a bounded FIFO queue of callers waiting for a slot
 * (after cockatiel's `BulkheadPolicy`). The limit can change at run time, e.g. halved during recovery.
 *
 * @example
 * const bulkhead = new Bulkhead({ maxConcurrency: 4, maxQueue: 100 });
 * const release = await bulkhead.acquire(signal);
 * try { await call(); } finally { release(); }
 */
export class Bulkhead {
  #limit: number;
  readonly #maxQueue: number;
  #inFlight = 0;
  readonly #queue: Waiter[] = [];

  constructor(opts: BulkheadOptions) {
    this.#limit = checkLimit(opts.maxConcurrency, 'maxConcurrency');
    const maxQueue = opts.maxQueue ?? 0;
    if (!(maxQueue >= 0 && (Number.isInteger(maxQueue) || maxQueue === Infinity))) {
      throw new RangeError(`maxQueue must be an integer ≥ 0 or Infinity, got ${maxQueue}`);
    }
    this.#maxQueue = maxQueue;
  }

  /** The calls holding a slot. May exceed {@link limit} for a while after the limit is lowered. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** The callers waiting for a slot. */
  get queued(): number {
    return this.#queue.length;
  }

  /** The current concurrency limit. */
  get limit(): number {
    return this.#limit;
  }

  /** True when a new {@link acquire} would be rejected: no free slot and no room in the queue. */
  isFull(): boolean {
    return this.#inFlight >= this.#limit && this.#queue.length >= this.#maxQueue;
  }

  /**
   * Takes a slot now if one is free and nobody is waiting (so the queue stays fair), else undefined.
   */
  tryAcquire(): BulkheadRelease | undefined {
    if (this.#inFlight >= this.#limit || this.#queue.length > 0) return undefined;
    return this.#take();
  }

  /**
   * Resolves with a release function as soon as a slot is free, waiting in FIFO order.
   * Rejects with {@link BulkheadFullError} when the queue is full too, and with the signal's reason
   * if `signal` aborts first (the caller then leaves the queue).
   */
  acquire(signal?: AbortSignal): Promise<BulkheadRelease> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const release = this.tryAcquire();
    if (release) return Promise.resolve(release);
    if (this.#queue.length >= this.#maxQueue) {
      return Promise.reject(new BulkheadFullError(this.#limit, this.#maxQueue));
    }
    return new Promise<BulkheadRelease>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal, onAbort: undefined };
      if (signal) {
        waiter.onAbort = () => {
          const i = this.#queue.indexOf(waiter);
          if (i !== -1) this.#queue.splice(i, 1);
          reject(signal.reason);
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.#queue.push(waiter);
    });
  }

  /**
   * Changes the concurrency limit. Raising it admits queued callers at once; lowering it lets
   * calls in flight finish and admits no one until they drop below the new limit.
   */
  setLimit(n: number): void {
    this.#limit = checkLimit(n, 'limit');
    this.#drain();
  }

  #take(): BulkheadRelease {
    this.#inFlight++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#inFlight--;
      this.#drain();
    };
  }

  #drain(): void {
    while (this.#inFlight < this.#limit) {
      const waiter = this.#queue.shift();
      if (!waiter) return;
      if (waiter.onAbort) waiter.signal?.removeEventListener('abort', waiter.onAbort);
      waiter.resolve(this.#take());
    }
  }
}

function checkLimit(n: number, field: string): number {
  if (!(Number.isInteger(n) && n >= 0)) throw new RangeError(`${field} must be an integer ≥ 0, got ${n}`);
  return n;
}

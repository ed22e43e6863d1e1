/**
 * Whether the store answers now: what `/readyz` and `/api/health` ask on every request.
 * @module
 */
import type { Clock, TimerHandle } from '../clock/index.js';
import type { Store } from '../store/Store.js';

/** What one look at the store found. */
export interface StoreVerdict {
  ok: boolean;
  /** In words: `sqlite store answered in 1 ms`, `postgres store did not answer: connect ECONNREFUSED …`. */
  detail: string;
}

/** A task id Warden never makes (its ids are UUIDs and `<run>.<step>`), so the lookup finds nothing and changes nothing. */
const PROBE_ID = '__warden_probe__';

/** How long the store may take to answer a probe. */
export const STORE_PROBE_TIMEOUT_MS = 2_000;

/**
 * Asks the store for a task that does not exist: one primary-key read, which proves the file is
 * open or the database reachable without writing anything. Unlike the supervisor's store check
 * (a row written and read back every `intervalMs`), it is cheap enough to run on every probe,
 * and it works with the supervisor off. Probes that overlap share one read.
 *
 * @example
 * const probe = new StoreProbe(engine.store, engine.clock);
 * (await probe.check()).ok; // true while the store answers
 */
export class StoreProbe {
  readonly #store: Pick<Store, 'kind' | 'getTask'>;
  readonly #clock: Clock;
  readonly #timeoutMs: number;
  #inFlight: Promise<StoreVerdict> | undefined;

  constructor(store: Pick<Store, 'kind' | 'getTask'>, clock: Clock, timeoutMs = STORE_PROBE_TIMEOUT_MS) {
    this.#store = store;
    this.#clock = clock;
    this.#timeoutMs = timeoutMs;
  }

  /** Looks at the store; never rejects. */
  check(): Promise<StoreVerdict> {
    this.#inFlight ??= this.#look().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  async #look(): Promise<StoreVerdict> {
    const kind = this.#store.kind;
    const started = performance.now();
    let timer: TimerHandle | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = this.#clock.setTimeout(() => reject(new Error(`no answer within ${this.#timeoutMs} ms`)), this.#timeoutMs);
    });
    try {
      await Promise.race([this.#store.getTask(PROBE_ID), late]);
      return { ok: true, detail: `${kind} store answered in ${Math.round(performance.now() - started)} ms` };
    } catch (err) {
      return { ok: false, detail: `${kind} store did not answer: ${err instanceof Error ? err.message : String(err)}` };
    } finally {
      if (timer !== undefined) this.#clock.clearTimeout(timer);
    }
  }
}

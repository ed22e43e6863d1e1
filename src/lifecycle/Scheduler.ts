import type { Clock, TimerHandle } from '../clock/index.js';
import type { Store, TimerRow } from '../store/Store.js';

/** The first retry of a failed sweep, doubling up to {@link MAX_SWEEP_RETRY_MS}. */
const SWEEP_RETRY_MS = 100;
const MAX_SWEEP_RETRY_MS = 30_000;

/**
 * Fires the store's durable timers. It keeps one clock timer, armed for the earliest `wake_at`
 * in the store, so a hundred thousand parked tasks cost one timer and no heap of their own.
 * A timer row stays in the store until the step it causes clears it, so a crash between
 * firing and committing fires it again on the next start.
 * @internal
 */
export class Scheduler {
  #armedAt: number | undefined;
  #handle: TimerHandle | undefined;
  #running = false;
  #firing = new Set<string>();
  #sweeping = false;
  #again = false;
  /** Sweeps failed in a row (the backoff of the next try). */
  #failures = 0;

  constructor(
    private readonly clock: Clock,
    private readonly store: Store,
    private readonly fire: (row: TimerRow) => Promise<void>,
    private readonly onError: (err: unknown) => void,
  ) {}

  async start(): Promise<void> {
    this.#running = true;
    await this.#sweep();
  }

  stop(): void {
    this.#running = false;
    if (this.#handle) this.clock.clearTimeout(this.#handle);
    this.#handle = undefined;
    this.#armedAt = undefined;
  }

  /** A timer was set for `at`: re-arm if it is earlier than the one armed. */
  notify(at: number): void {
    if (!this.#running) return;
    if (this.#armedAt === undefined || at < this.#armedAt) this.#arm(at);
  }

  /** Timers being fired right now (for tests). */
  get firing(): number {
    return this.#firing.size;
  }

  /**
   * Whether the scheduler has work in hand: timers being fired, or a sweep reading the store.
   * A simulated clock must not move on while a sweep is reading, or it would pass over a timer
   * the sweep is about to arm (on a store with real I/O, such as Postgres).
   */
  get busy(): boolean {
    return this.#firing.size > 0 || this.#sweeping;
  }

  #arm(at: number): void {
    if (this.#handle) this.clock.clearTimeout(this.#handle);
    this.#armedAt = at;
    this.#handle = this.clock.setTimeout(
      () => {
        this.#handle = undefined;
        this.#armedAt = undefined;
        void this.#sweep();
      },
      Math.min(Math.max(0, at - this.clock.now()), 2 ** 31 - 1),
    );
  }

  async #sweep(): Promise<void> {
    if (!this.#running) return;
    if (this.#sweeping) {
      this.#again = true;
      return;
    }
    this.#sweeping = true;
    try {
      do {
        this.#again = false;
        const due = await this.store.dueTimers(this.clock.now(), 1_000);
        const fresh = due.filter((r) => !this.#firing.has(`${r.taskId}:${r.kind}`));
        for (const row of fresh) {
          const key = `${row.taskId}:${row.kind}`;
          this.#firing.add(key);
          this.fire(row)
            .catch(this.onError)
            .finally(() => {
              this.#firing.delete(key);
              this.#again = true;
              if (!this.#sweeping) void this.#sweep();
            });
        }
        if (fresh.length === 1_000) this.#again = true;
      } while (this.#again && this.#running && (await this.#hasDueUnfired()));
      const next = await this.store.nextTimerAt();
      this.#failures = 0;
      if (this.#running && next !== undefined && (this.#armedAt === undefined || next < this.#armedAt)) {
        // Due timers already being fired are re-checked when they finish, not re-armed in a loop.
        if (next > this.clock.now() || this.#firing.size === 0) this.#arm(next);
      }
    } catch (err) {
      this.onError(err);
      // A failed sweep (the store unreachable) tries again by itself, backing off, rather than
      // waiting for some other activity to notify: every retry and deadline depends on it.
      this.#failures++;
      if (this.#running) this.#arm(this.clock.now() + Math.min(SWEEP_RETRY_MS * 2 ** (this.#failures - 1), MAX_SWEEP_RETRY_MS));
    } finally {
      this.#sweeping = false;
    }
  }

  async #hasDueUnfired(): Promise<boolean> {
    const due = await this.store.dueTimers(this.clock.now(), 1_000);
    return due.some((r) => !this.#firing.has(`${r.taskId}:${r.kind}`));
  }
}

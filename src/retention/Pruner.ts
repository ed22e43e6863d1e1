/**
 * The purge of what retention lets go: a pass of small {@link Store.prune} batches, run in the
 * background every `retention.intervalMs` on the engine's clock, or at once for `warden prune`.
 * @module
 */
import { performance } from 'node:perf_hooks';
import type { Clock, TimerHandle } from '../clock/index.js';
import { iso } from '../clock/iso.js';
import type { RetentionConfig } from '../config/index.js';
import type { Logger } from '../lifecycle/logger.js';
import { addCounts, noCounts, PRUNABLE_STATUSES, type PruneBefore, type PruneCounts } from '../store/Prune.js';
import type { Store } from '../store/Store.js';
import { cutoffs } from './cutoffs.js';

/** Options for {@link Pruner}. */
export interface PrunerOptions {
  store: Store;
  clock: Clock;
  retention: RetentionConfig;
  logger: Logger;
  /** Told what each batch deleted, once it is committed (the metrics count it). */
  onBatch?: (counts: PruneCounts) => void;
  /** A background pass that failed; the next one runs on schedule. Defaults to logging it. */
  onError?: (err: unknown) => void;
  /**
   * The longest a batch should hold the event loop, in ms of real time. Batches are resized after
   * each one to stay under it. Defaults to 5, a tenth of the 50 ms that Warden never blocks for.
   */
  sliceMs?: number;
  /** The real-time clock batches are timed on, in ms. Defaults to `performance.now`. @internal for tests */
  realNow?: () => number;
}

/** Options for {@link Pruner.run}. */
export interface PruneOptions {
  /** Stands for every retention period: ended tasks of any status and resolved escalations older than this go. */
  olderThanMs?: number;
  /** Count what would go and delete nothing. Defaults to false. */
  dryRun?: boolean;
}

/** What a pass deleted (or in a dry run would delete), and the cut-offs it used. */
export interface PruneReport extends PruneCounts {
  dryRun: boolean;
  /** The cut-offs, as ISO times, by status and for escalations; absent where everything is kept. */
  before: Partial<Record<(typeof PRUNABLE_STATUSES)[number] | 'escalations', string>>;
  /** Calls made to the store. */
  batches: number;
  /** True when the pass ended early because the pruner was stopped. */
  interrupted: boolean;
}

/** Batch sizes, in task rows: the first, and the bounds the resizing keeps to. */
const FIRST_BATCH = 16;
const MAX_BATCH = 500;

/**
 * Runs passes of {@link Store.prune} until the store has nothing left to prune, one small batch at
 * a time, letting the event loop run between batches.
 *
 * **Never blocking for long.** The SQLite and memory stores work synchronously: a call holds the
 * event loop until it returns its promise, so that time, measured in real time (a blocked loop is
 * about the process, not the engine's clock), is what the next batch's size is fitted to:
 * smaller after a slow batch, larger after a quick one. The Postgres store does its work in the
 * database and returns at once, so its batches grow to the largest size.
 *
 * Between batches it rests as long as the batch held the loop (see {@link rest}). One pass at a
 * time: a pass asked for while one runs waits for it.
 *
 * @example
 * const pruner = new Pruner({ store, clock, retention: config.retention, logger });
 * const report = await pruner.run({ olderThanMs: 7 * 86_400_000, dryRun: true });
 */
export class Pruner {
  readonly #o: PrunerOptions;
  readonly #sliceMs: number;
  readonly #realNow: () => number;
  #batch = FIRST_BATCH;
  #queue: Promise<unknown> = Promise.resolve();
  #timer: TimerHandle | undefined;
  #started = false;
  #stopping = false;

  constructor(opts: PrunerOptions) {
    this.#o = opts;
    this.#sliceMs = opts.sliceMs ?? 5;
    this.#realNow = opts.realNow ?? (() => performance.now());
  }

  /** The batch size the next call will ask for (for tests). */
  get batchSize(): number {
    return this.#batch;
  }

  /** Runs a pass now, after the pass in flight if there is one. */
  run(opts: PruneOptions = {}): Promise<PruneReport> {
    const pass = this.#queue.then(() => this.#pass(opts));
    this.#queue = pass.catch(() => {});
    return pass;
  }

  /** Starts the background passes: the first at once, then every `retention.intervalMs` on the clock. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#schedule(0);
  }

  /**
   * Stops the background passes; a pass in flight (or queued) stops after its current batch.
   * Resolves once it has. `start()` may start them again.
   */
  async stop(): Promise<void> {
    this.#started = false;
    this.#stopping = true;
    if (this.#timer) this.#o.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    try {
      await this.#queue;
    } finally {
      this.#stopping = false;
    }
  }

  #schedule(ms: number): void {
    this.#timer = this.#o.clock.setTimeout(() => {
      this.#timer = undefined;
      void this.#background();
    }, ms);
  }

  async #background(): Promise<void> {
    try {
      const report = await this.run();
      if (report.tasks + report.escalations > 0) this.#o.logger.info({ ...report }, `retention: ${describePrune(report)}`);
    } catch (err) {
      if (this.#o.onError) this.#o.onError(err);
      else this.#o.logger.error({ err }, `retention: the purge failed; it runs again in ${this.#o.retention.intervalMs} ms`);
    } finally {
      if (this.#started && !this.#stopping) this.#schedule(this.#o.retention.intervalMs);
    }
  }

  async #pass(opts: PruneOptions): Promise<PruneReport> {
    const dryRun = opts.dryRun === true;
    const before = cutoffs(this.#o.retention, this.#o.clock.now(), opts.olderThanMs);
    const report: PruneReport = { ...noCounts(), dryRun, before: shown(before), batches: 0, interrupted: false };
    let after: string | undefined;
    do {
      if (this.#stopping) {
        report.interrupted = true;
        break;
      }
      const started = this.#realNow();
      const pending = this.#o.store.prune(before, { batch: this.#batch, dryRun, ...(after !== undefined ? { after } : {}) });
      const held = this.#realNow() - started;
      this.#resize(held);
      const batch = await pending;
      report.batches++;
      addCounts(report, batch);
      if (!dryRun && batch.tasks + batch.escalations > 0) this.#o.onBatch?.(batch);
      after = batch.next;
      if (after !== undefined) await rest(held);
    } while (after !== undefined);
    return report;
  }

  /** Fits the next batch to the slice: `heldMs` is how long the last call held the event loop. */
  #resize(heldMs: number): void {
    if (heldMs > this.#sliceMs) this.#batch = Math.max(1, Math.floor((this.#batch * this.#sliceMs) / heldMs));
    else if (heldMs < this.#sliceMs / 2) this.#batch = Math.min(MAX_BATCH, Math.ceil(this.#batch * 1.5));
  }
}

/**
 * The pause after a batch that held the event loop for `heldMs`: as long again, and at least
 * 1 ms, in real time. Timers and I/O run meanwhile, and the purge takes at most half of the
 * process's time, as Postgres's vacuum_cost_delay keeps its vacuum from crowding out queries;
 * a process that sleeps is also one the OS schedules promptly when its timers are due.
 */
function rest(heldMs: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(1, heldMs)));
}

/** The cut-offs as ISO times. */
function shown(before: PruneBefore): PruneReport['before'] {
  const out: PruneReport['before'] = {};
  for (const status of PRUNABLE_STATUSES) {
    const at = before.tasks[status];
    if (at !== undefined) out[status] = iso(at);
  }
  if (before.escalations !== undefined) out.escalations = iso(before.escalations);
  return out;
}

/** One line about a pass, for logs and `warden prune`. */
export function describePrune(r: PruneCounts & { dryRun: boolean }): string {
  const verb = r.dryRun ? 'would delete' : 'deleted';
  return (
    `${verb} ${r.tasks} task(s) with ${r.transitions} transition(s) and ${r.attempts} attempt(s), ` +
    `and ${r.escalations} escalation(s) with ${r.outbox} outbox row(s)`
  );
}

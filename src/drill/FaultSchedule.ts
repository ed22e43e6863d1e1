/**
 * Fault schedules: which fault each call to each agent meets during a drill or a benchmark.
 * @module
 */

/** What one call to an agent meets. */
export type Fault =
  /** The agent answers after `latencyMs`. */
  | { readonly kind: 'ok'; readonly latencyMs: number }
  /** The agent answers with an HTTP error `status` after `latencyMs`, with a Retry-After when `retryAfterMs` is set. */
  | { readonly kind: 'status'; readonly latencyMs: number; readonly status: number; readonly retryAfterMs?: number }
  /** No connection can be made: the agent is down. Fails after `latencyMs` (a refused connect is quick). */
  | { readonly kind: 'refused'; readonly latencyMs: number };

/**
 * Which fault each call meets. A pure function of its arguments and the schedule's seed, so every
 * contender of a benchmark, and every run of a drill with the same seed, meets the same faults.
 */
export interface FaultSchedule {
  /** The scenario the schedule belongs to. */
  readonly scenario: string;
  /**
   * The fault met by the `callIndex`-th call (from 0) to `agent`, started `atMs` after the
   * drill began.
   */
  faultFor(agent: string, atMs: number, callIndex: number): Fault;
}

/** A span of drill time, in ms since the drill began: `startMs` included, `endMs` excluded. */
export interface TimeWindow {
  readonly startMs: number;
  readonly endMs: number;
}

/** Whether `atMs` falls in `window`. */
export const inWindow = (window: TimeWindow, atMs: number): boolean => atMs >= window.startMs && atMs < window.endMs;

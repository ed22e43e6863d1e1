/**
 * When to restart a managed process that exited, as a pure function: Kubernetes' CrashLoopBackOff
 * delays (initial, doubling, capped, reset after a long healthy run) under OTP's restart
 * intensity (at most MaxR restarts in MaxT).
 * @module
 */

/** The restart settings of a managed process (the `process` config's). */
export interface RestartPolicyOptions {
  readonly initialMs: number;
  readonly maxMs: number;
  /** A process that ran at least this long restarts at `initialMs` again. */
  readonly resetAfterMs: number;
  /** MaxR: restarts allowed within `withinMs`. */
  readonly maxRestarts: number;
  /** MaxT. */
  readonly withinMs: number;
}

/** What the policy remembers between exits. Immutable: each decision returns a new one. */
export interface RestartHistory {
  /** Restarts so far in this backoff run (0 before the first): the exponent of the next delay. */
  readonly streak: number;
  /** When each restart was decided (ms), the oldest first; only those within `withinMs` are kept. */
  readonly restartsAt: readonly number[];
}

/** The history of a process that has not exited yet. */
export const NO_RESTARTS: RestartHistory = Object.freeze({ streak: 0, restartsAt: Object.freeze([]) as readonly number[] });

/** The decision on one exit. */
export type RestartDecision =
  | { readonly action: 'restart'; readonly delayMs: number; readonly history: RestartHistory }
  | { readonly action: 'give-up'; readonly restartsInWindow: number; readonly history: RestartHistory };

/**
 * Decides what to do about an exit at `at` after `uptimeMs` of running. An `immediate` restart
 * (one a recovery strategy asked for) counts towards the intensity but neither waits nor grows
 * the backoff.
 *
 * @example
 * const opts = { initialMs: 10_000, maxMs: 300_000, resetAfterMs: 600_000, maxRestarts: 5, withinMs: 600_000 };
 * let d = decideRestart(NO_RESTARTS, { at: 0, uptimeMs: 50 }, opts); // restart in 10 s
 * d = decideRestart(d.history, { at: 10_050, uptimeMs: 50 }, opts);   // restart in 20 s
 */
export function decideRestart(
  history: RestartHistory,
  exit: { at: number; uptimeMs: number; immediate?: boolean },
  opts: RestartPolicyOptions,
): RestartDecision {
  const recent = history.restartsAt.filter((t) => t > exit.at - opts.withinMs);
  // OTP: more than MaxR restarts within MaxT and the supervisor gives up.
  if (recent.length >= opts.maxRestarts) {
    return { action: 'give-up', restartsInWindow: recent.length, history: { streak: history.streak, restartsAt: recent } };
  }
  const streak = exit.uptimeMs >= opts.resetAfterMs ? 0 : history.streak;
  if (exit.immediate) return { action: 'restart', delayMs: 0, history: { streak, restartsAt: [...recent, exit.at] } };
  const delayMs = Math.min(opts.maxMs, opts.initialMs * 2 ** streak);
  return { action: 'restart', delayMs, history: { streak: streak + 1, restartsAt: [...recent, exit.at] } };
}

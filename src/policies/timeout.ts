import type { Clock, TimerHandle } from '../clock/index.js';

/** A per-attempt abort signal and the means to dispose of it. */
export interface AttemptSignal {
  /** Aborts on timeout (reason: a `TimeoutError` DOMException) or when the parent aborts (its reason). */
  readonly signal: AbortSignal;
  /** Cancels the timer and stops following the parent. Safe to call more than once. */
  clear(): void;
}

/**
 * An abort signal for one attempt: it aborts after `timeoutMs` of `clock` time, with
 * `new DOMException('attempt timed out after Nms', 'TimeoutError')`, or as soon as `parent` aborts.
 *
 * Unlike `AbortSignal.timeout`, the timer runs on the injected clock, so tests drive it with
 * `SimulatedClock.advance`; and `clear()` leaves no timer or parent listener behind, which matters
 * because one task signal outlives many attempts. Call `clear()` when the attempt ends.
 *
 * @param timeoutMs the attempt's time limit; a non-finite value means no limit.
 * @example
 * const attempt = attemptSignal(clock, 30_000, task.signal);
 * try { return await adapter.call(req, attempt.signal); } finally { attempt.clear(); }
 */
export function attemptSignal(clock: Clock, timeoutMs: number, parent?: AbortSignal): AttemptSignal {
  const controller = new AbortController();
  if (parent?.aborted) {
    controller.abort(parent.reason);
    return { signal: controller.signal, clear: () => {} };
  }

  let timer: TimerHandle | undefined;
  const onParentAbort = (): void => {
    clear();
    controller.abort(parent?.reason);
  };
  const clear = (): void => {
    if (timer !== undefined) clock.clearTimeout(timer);
    timer = undefined;
    parent?.removeEventListener('abort', onParentAbort);
  };

  // A non-finite timeout is no timeout: handing Infinity to a real timer would fire it at once.
  if (Number.isFinite(timeoutMs)) {
    timer = clock.setTimeout(() => {
      timer = undefined;
      clear();
      controller.abort(new DOMException(`attempt timed out after ${timeoutMs}ms`, 'TimeoutError'));
    }, timeoutMs);
  }
  parent?.addEventListener('abort', onParentAbort, { once: true });
  return { signal: controller.signal, clear };
}

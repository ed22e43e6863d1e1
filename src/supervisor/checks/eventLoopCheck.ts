import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { HealthCheck } from './HealthCheck.js';

/**
 * Fails when the event loop was blocked longer than `maxDelayMs` since the last run: the max of
 * `perf_hooks.monitorEventLoopDelay` over the interval, then reset. The max, not a percentile,
 * because one 500 ms block among hundreds of 10 ms samples would vanish in any percentile, and a
 * block is what stalls every task, timer and health probe at once. Real time by nature: what
 * blocks is the process, whatever clock the engine runs on.
 */
export function eventLoopCheck(maxDelayMs: number): HealthCheck {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  return {
    type: 'event-loop',
    run: async () => {
      // No sample yet reads as 0; the histogram is in nanoseconds.
      const delayMs = histogram.count > 0 ? Math.round(histogram.max / 1e6) : 0;
      histogram.reset();
      const ok = delayMs <= maxDelayMs;
      return { ok, value: delayMs, detail: `event-loop delay ${delayMs} ms ${ok ? '≤' : '>'} ${maxDelayMs} ms` };
    },
    close: () => histogram.disable(),
  };
}

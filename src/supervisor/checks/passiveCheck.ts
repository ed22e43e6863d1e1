import type { Clock } from '../../clock/index.js';
import type { AgentSlot } from '../../lifecycle/AgentPool.js';
import type { HealthCheck } from './HealthCheck.js';

/** The thresholds of a passive check (the `passive` health-check config's). */
export interface PassiveCheckOptions {
  minSuccessRate: number;
  maxP95LatencyMs?: number | undefined;
  windowMs: number;
  minSamples: number;
}

/**
 * Judges an agent by its real traffic: the outcomes the engine noted in `slot.recent` over the
 * last `windowMs`. With fewer than `minSamples` calls there is nothing to judge and it passes, so
 * an agent pulled out of routing comes back on its own once its bad calls age out of the window,
 * the way a breaker goes half-open.
 */
export function passiveCheck(slot: AgentSlot, clock: Clock, o: PassiveCheckOptions): HealthCheck {
  return {
    type: 'passive',
    run: async () => {
      const since = clock.now() - o.windowMs;
      const calls = slot.recent.filter(([at]) => at >= since);
      if (calls.length < o.minSamples) return { ok: true, detail: `${calls.length} call(s) in the window: too few to judge` };
      const rate = calls.filter(([, ok]) => ok).length / calls.length;
      const latencies = calls.map(([, , ms]) => ms).sort((a, b) => a - b);
      const p95 = latencies[Math.min(latencies.length - 1, Math.ceil(latencies.length * 0.95) - 1)] ?? 0;
      const pct = (r: number) => `${Math.round(r * 100)}%`;
      if (rate < o.minSuccessRate)
        return { ok: false, value: rate, detail: `success rate ${pct(rate)} < ${pct(o.minSuccessRate)} over ${calls.length} calls` };
      if (o.maxP95LatencyMs !== undefined && p95 > o.maxP95LatencyMs) {
        return { ok: false, value: p95, detail: `p95 latency ${p95} ms > ${o.maxP95LatencyMs} ms over ${calls.length} calls` };
      }
      return { ok: true, value: rate, detail: `success rate ${pct(rate)}, p95 ${p95} ms over ${calls.length} calls` };
    },
  };
}

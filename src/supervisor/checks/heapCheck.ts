import { getHeapStatistics } from 'node:v8';
import type { HealthCheck } from './HealthCheck.js';

/**
 * Fails when the used heap passes `limitBytes`, or, without one, `usedRatio` of V8's heap size
 * limit (`--max-old-space-size`): the point past which V8 runs out of memory and the process dies.
 */
export function heapCheck(o: { usedRatio: number; limitBytes?: number | undefined }): HealthCheck {
  const mb = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;
  return {
    type: 'heap',
    run: async () => {
      const { used_heap_size: used, heap_size_limit: max } = getHeapStatistics();
      if (o.limitBytes !== undefined) {
        const ok = used <= o.limitBytes;
        return { ok, value: used, detail: `heap ${mb(used)} ${ok ? '≤' : '>'} limit ${mb(o.limitBytes)}` };
      }
      const ratio = used / max;
      const ok = ratio <= o.usedRatio;
      return {
        ok,
        value: ratio,
        detail: `heap ${mb(used)} of ${mb(max)} (${(ratio * 100).toFixed(1)}%) ${ok ? '≤' : '>'} ${(o.usedRatio * 100).toFixed(0)}%`,
      };
    },
  };
}

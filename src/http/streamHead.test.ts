import { describe, expect, it } from 'vitest';
import type { TransitionEvent } from '../lifecycle/types.js';
import { streamHead } from './streamHead.js';

/** A stand-in store whose stream holds exactly `ids`, counting the reads. */
function streamOf(ids: number[]) {
  const sorted = [...ids].sort((a, b) => a - b);
  const store = {
    reads: 0,
    async transitionsSince(after: number, limit = 1000): Promise<TransitionEvent[]> {
      store.reads++;
      let lo = 0;
      let hi = sorted.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (sorted[mid]! > after) hi = mid;
        else lo = mid + 1;
      }
      return sorted
        .slice(lo, lo + limit)
        .map((eventId) => ({ eventId, seq: 1, at: '', from: null, to: 'queued', event: 'SUBMIT', taskId: 't', workflow: 'w' }));
    },
  };
  return store;
}

describe('streamHead', () => {
  it('is 0 for an empty stream', async () => {
    expect(await streamHead(streamOf([]))).toBe(0);
  });

  it('finds the newest id of dense and sparse streams', async () => {
    const cases: number[][] = [
      [1],
      [1, 2, 3],
      Array.from({ length: 1000 }, (_, i) => i + 1),
      [5, 9, 200, 201, 77_777],
      [3, 1_000_000_007],
      Array.from({ length: 300 }, (_, i) => i * i + 7),
    ];
    for (const ids of cases) expect(await streamHead(streamOf(ids)), String(ids.slice(-3))).toBe(Math.max(...ids));
  });

  it('needs a number of reads logarithmic in the newest id', async () => {
    const store = streamOf(Array.from({ length: 1_000_000 }, (_, i) => i + 1));
    expect(await streamHead(store)).toBe(1_000_000);
    expect(store.reads).toBeLessThan(50);
  });
});

import type { Store } from '../store/Store.js';

/**
 * The id of the newest transition in the store's stream (0 when it is empty), found with
 * `transitionsSince` alone: exponential then binary search on "is there a transition after x?",
 * jumping to each id the store names. A few dozen indexed reads, once per new event stream.
 */
export async function streamHead(store: Pick<Store, 'transitionsSince'>): Promise<number> {
  const after = async (x: number) => (await store.transitionsSince(x, 1))[0]?.eventId;
  let lo = await after(0); // an id that exists
  if (lo === undefined) return 0;
  let step = 1;
  let hi: number | undefined; // an id after which nothing exists
  while (hi === undefined) {
    const probe = lo + step;
    const found = await after(probe);
    if (found === undefined) {
      const between = await after(lo);
      if (between === undefined) return lo;
      hi = probe;
      lo = between;
    } else {
      lo = found;
      step *= 2;
    }
  }
  // Invariant: lo exists, nothing is after hi, lo <= hi.
  while (lo < hi) {
    const mid = Math.floor((lo + hi + 1) / 2);
    const found = await after(mid - 1);
    if (found === undefined || found > hi) hi = mid - 1;
    else lo = found;
  }
  return lo;
}

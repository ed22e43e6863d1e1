import { describe, expect, it } from 'vitest';
import { Bulkhead, BulkheadFullError } from './Bulkhead.js';

/** Settles pending promise callbacks. */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Starts an acquire and records when it settles. */
function track(bulkhead: Bulkhead, signal?: AbortSignal) {
  const t: { release?: () => void; error?: unknown } = {};
  bulkhead.acquire(signal).then(
    (release) => (t.release = release),
    (error: unknown) => (t.error = error),
  );
  return t;
}

describe('Bulkhead', () => {
  it('admits up to maxConcurrency calls at once', async () => {
    const bulkhead = new Bulkhead({ maxConcurrency: 2, maxQueue: 10 });
    const a = track(bulkhead);
    const b = track(bulkhead);
    const c = track(bulkhead);
    await flush();
    expect([!!a.release, !!b.release, !!c.release]).toEqual([true, true, false]);
    expect([bulkhead.inFlight, bulkhead.queued, bulkhead.limit]).toEqual([2, 1, 2]);
  });

  it('admits queued callers in FIFO order as slots free up', async () => {
    const bulkhead = new Bulkhead({ maxConcurrency: 1, maxQueue: 10 });
    const first = await bulkhead.acquire();
    const order: number[] = [];
    const waiters = [1, 2, 3].map((n) =>
      bulkhead.acquire().then((release) => {
        order.push(n);
        return release;
      }),
    );
    first();
    (await waiters[0]!)();
    (await waiters[1]!)();
    (await waiters[2]!)();
    expect(order).toEqual([1, 2, 3]);
    expect([bulkhead.inFlight, bulkhead.queued]).toEqual([0, 0]);
  });

  it('rejects with BulkheadFullError when every slot and queue place is taken', async () => {
    const bulkhead = new Bulkhead({ maxConcurrency: 1, maxQueue: 1 });
    await bulkhead.acquire();
    void bulkhead.acquire();
    expect(bulkhead.isFull()).toBe(true);
    const error = await bulkhead.acquire().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BulkheadFullError);
    expect(error).toMatchObject({ code: 'BULKHEAD_FULL', name: 'BulkheadFullError', limit: 1, maxQueue: 1 });
  });

  it('has no queue unless maxQueue is given', async () => {
    const bulkhead = new Bulkhead({ maxConcurrency: 1 });
    await bulkhead.acquire();
    expect(bulkhead.isFull()).toBe(true);
    await expect(bulkhead.acquire()).rejects.toBeInstanceOf(BulkheadFullError);
  });

  it('rejects with the signal reason and leaves the queue when aborted while queued', async () => {
    const bulkhead = new Bulkhead({ maxConcurrency: 1, maxQueue: 10 });
    const release = await bulkhead.acquire();
    const controller = new AbortController();
    const aborted = track(bulkhead, controller.signal);
    const next = track(bulkhead);
    expect(bulkhead.queued).toBe(2);
    const reason = new Error('task cancelled');
    controller.abort(reason);
    await flush();
    expect(aborted.error).toBe(reason);
    expect(bulkhead.queued).toBe(1);
    release();
    await flush();
    expect(next.release).toBeTypeOf('function');
    expect(aborted.release).toBeUndefined();
    expect(bulkhead.inFlight).toBe(1);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const bulkhead = new Bulkhead({ maxConcurrency: 1 });
    const reason = new Error('too late');
    await expect(bulkhead.acquire(AbortSignal.abort(reason))).rejects.toBe(reason);
    expect(bulkhead.inFlight).toBe(0);
  });

  it('ignores an abort after the caller was admitted', async () => {
    const bulkhead = new Bulkhead({ maxConcurrency: 1, maxQueue: 1 });
    const release = await bulkhead.acquire();
    const controller = new AbortController();
    const waiter = track(bulkhead, controller.signal);
    release();
    await flush();
    controller.abort();
    await flush();
    expect(waiter.release).toBeTypeOf('function');
    expect(waiter.error).toBeUndefined();
    expect(bulkhead.inFlight).toBe(1);
  });

  it('frees only one slot however often a release function is called', async () => {
    const bulkhead = new Bulkhead({ maxConcurrency: 2 });
    const a = await bulkhead.acquire();
    await bulkhead.acquire();
    a();
    a();
    a();
    expect(bulkhead.inFlight).toBe(1);
  });

  it('admits queued callers when the limit is raised', async () => {
    const bulkhead = new Bulkhead({ maxConcurrency: 1, maxQueue: 10 });
    await bulkhead.acquire();
    const b = track(bulkhead);
    const c = track(bulkhead);
    const d = track(bulkhead);
    bulkhead.setLimit(3);
    await flush();
    expect([!!b.release, !!c.release, !!d.release]).toEqual([true, true, false]);
    expect([bulkhead.inFlight, bulkhead.queued, bulkhead.limit]).toEqual([3, 1, 3]);
  });

  it('lets calls in flight finish but admits no one until below a lowered limit', async () => {
    const bulkhead = new Bulkhead({ maxConcurrency: 4, maxQueue: 10 });
    const releases = await Promise.all([1, 2, 3, 4].map(() => bulkhead.acquire()));
    const waiter = track(bulkhead);
    bulkhead.setLimit(2);
    expect(bulkhead.inFlight).toBe(4);
    releases[0]!();
    releases[1]!();
    await flush();
    expect(waiter.release).toBeUndefined();
    releases[2]!();
    await flush();
    expect(waiter.release).toBeTypeOf('function');
    expect(bulkhead.inFlight).toBe(2);
  });

  it('takes a slot synchronously with tryAcquire() only when one is free and nobody waits', async () => {
    const bulkhead = new Bulkhead({ maxConcurrency: 1, maxQueue: 1 });
    const release = bulkhead.tryAcquire();
    expect(release).toBeTypeOf('function');
    expect(bulkhead.tryAcquire()).toBeUndefined();
    const waiter = track(bulkhead);
    release!();
    // The freed slot went to the queued caller, not to a caller jumping the queue.
    expect(bulkhead.tryAcquire()).toBeUndefined();
    await flush();
    expect(waiter.release).toBeTypeOf('function');
  });

  it('rejects a limit that is not a whole number ≥ 0', () => {
    expect(() => new Bulkhead({ maxConcurrency: -1 })).toThrow(/maxConcurrency must be an integer ≥ 0/);
    expect(() => new Bulkhead({ maxConcurrency: 1, maxQueue: 1.5 })).toThrow(/maxQueue/);
    expect(() => new Bulkhead({ maxConcurrency: 1 }).setLimit(0.5)).toThrow(/limit/);
  });
});

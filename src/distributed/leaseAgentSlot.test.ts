import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../clock/index.js';
import { LEASE_HEARTBEAT_MS, type LeaseStore, leaseAgentSlot } from './leaseAgentSlot.js';

/** The lease rows of one agent, with the Postgres store's rules: expired leases are free, and a held id renews. */
class FakeLeases implements LeaseStore {
  readonly rows = new Map<string, number>();
  readonly acquires: { leaseId: string; expiresAt: number; now: number }[] = [];
  releases = 0;
  /** While set, acquires wait for it, like a query on its way to the database. */
  gate: Promise<void> | undefined;

  async acquireLease(_agent: string, max: number, leaseId: string, expiresAt: number, now: number): Promise<boolean> {
    if (this.gate) await this.gate;
    this.acquires.push({ leaseId, expiresAt, now });
    for (const [id, at] of this.rows) if (at <= now) this.rows.delete(id);
    const others = [...this.rows.keys()].filter((id) => id !== leaseId).length;
    if (others >= max) return false;
    this.rows.set(leaseId, expiresAt);
    return true;
  }

  async releaseLease(_agent: string, leaseId: string): Promise<void> {
    this.releases++;
    this.rows.delete(leaseId);
  }

  /** Whether a slot is free at `now` for a limit of one. */
  freeAt(now: number): boolean {
    return [...this.rows.values()].every((at) => at <= now);
  }
}

const flush = () => new Promise((r) => setImmediate(r));

/** Advances the clock in `step`s, letting the renewals each step starts reach the store. */
async function advance(clock: SimulatedClock, ms: number, step = 500): Promise<void> {
  await flush();
  for (let done = 0; done < ms; done += step) {
    clock.advance(Math.min(step, ms - done));
    await flush();
  }
}

function setup() {
  const clock = new SimulatedClock(0);
  const store = new FakeLeases();
  const lease = (ttlMs: number, signal = new AbortController().signal, limit = 1) =>
    leaseAgentSlot({ store, clock }, 'agent', limit, ttlMs, signal);
  return { clock, store, lease };
}

describe('leaseAgentSlot', () => {
  it('holds a long lease in short renewed holds, so a dead holder frees its slot within one heartbeat', async () => {
    const { clock, store, lease } = setup();
    await lease(90_000);
    expect(store.acquires[0]).toMatchObject({ expiresAt: LEASE_HEARTBEAT_MS, now: 0 });
    await advance(clock, 30_000);
    // Renewed every third of a heartbeat: still held, and never for more than a heartbeat ahead.
    expect(store.freeAt(clock.now())).toBe(false);
    expect(Math.max(...store.acquires.map((a) => a.expiresAt - a.now))).toBe(LEASE_HEARTBEAT_MS);
    expect(store.acquires.length).toBe(1 + 30_000 / (LEASE_HEARTBEAT_MS / 3));
  });

  it('lets the slot go at the ttl even while its holder never releases it', async () => {
    const { clock, store, lease } = setup();
    await lease(10_000);
    await advance(clock, 9_500);
    expect(store.freeAt(clock.now())).toBe(false);
    expect(Math.max(...store.acquires.map((a) => a.expiresAt))).toBe(10_000);
    await advance(clock, 500);
    expect(store.freeAt(clock.now())).toBe(true);
    const renewals = store.acquires.length;
    await advance(clock, 20_000);
    expect(store.acquires.length).toBe(renewals);
    expect(clock.pending).toBe(0);
  });

  it('caps even the first hold at a ttl shorter than the heartbeat', async () => {
    const { clock, store, lease } = setup();
    await lease(3_000);
    expect(store.acquires[0]).toMatchObject({ expiresAt: 3_000, now: 0 });
    await advance(clock, 3_000);
    expect(store.acquires.every((a) => a.expiresAt <= 3_000)).toBe(true);
    expect(store.freeAt(clock.now())).toBe(true);
  });

  it('frees the slot on release and renews it no more', async () => {
    const { clock, store, lease } = setup();
    const release = await lease(90_000);
    await advance(clock, 2_000);
    release();
    await flush();
    expect(store.rows.size).toBe(0);
    const calls = store.acquires.length;
    await advance(clock, 20_000);
    expect(store.acquires.length).toBe(calls);
    expect(store.releases).toBe(1);
  });

  it('releases only after a renewal in flight, so the renewal cannot take the slot back', async () => {
    const { clock, store, lease } = setup();
    const release = await lease(90_000);
    let arrive!: () => void;
    store.gate = new Promise((resolve) => (arrive = resolve));
    clock.advance(LEASE_HEARTBEAT_MS / 3); // a renewal starts and has not reached the store yet
    release();
    await flush();
    arrive();
    await flush();
    expect(store.acquires.length).toBe(2);
    expect(store.rows.size).toBe(0);
  });

  it('waits with backoff while every slot is taken, and takes one when it frees', async () => {
    const { clock, store, lease } = setup();
    store.rows.set('other', 1_000);
    let release: (() => void) | undefined;
    void lease(90_000).then((r) => (release = r));
    await advance(clock, 900, 25);
    expect(release).toBeUndefined();
    const tries = store.acquires.map((a) => a.now);
    // 25, 50, 100, … ms apart, then every 500 ms.
    expect(tries.slice(0, 4)).toEqual([0, 25, 75, 175]);
    await advance(clock, 500, 25);
    expect(release).toBeTypeOf('function');
    expect(store.rows.has('other')).toBe(false);
  });

  it('gives up waiting with the abort reason once the attempt is aborted', async () => {
    const { clock, store, lease } = setup();
    store.rows.set('other', 1_000_000);
    const abort = new AbortController();
    const result = lease(90_000, abort.signal).catch((err: unknown) => err);
    await advance(clock, 100, 25);
    abort.abort(new Error('attempt timed out'));
    await advance(clock, 1_000, 25);
    expect(await result).toMatchObject({ message: 'attempt timed out' });
  });

  it('refuses a ttl that is not positive', async () => {
    const { lease } = setup();
    await expect(lease(0)).rejects.toThrow(RangeError);
  });
});

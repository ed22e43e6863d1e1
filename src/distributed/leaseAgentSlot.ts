/**
 * A worker's hold on one slot of an agent's global concurrency limit, for as long as a call runs.
 * @internal
 */
import { randomUUID } from 'node:crypto';
import type { Clock, TimerHandle } from '../clock/index.js';

/** What a lease needs of the store (the Postgres store's lease rows). */
export interface LeaseStore {
  /** Takes or renews `leaseId` until `expiresAt` unless `max` others are unexpired at `now`; false when full. */
  acquireLease(agent: string, max: number, leaseId: string, expiresAt: number, now: number): Promise<boolean>;
  releaseLease(agent: string, leaseId: string): Promise<void>;
}

/**
 * How long one hold lasts without renewal, at most: a dead worker's slot comes back this soon,
 * rather than after the whole ttl.
 */
export const LEASE_HEARTBEAT_MS = 6_000;
/** The first and the longest wait between tries while every slot is taken. */
const FIRST_WAIT_MS = 25;
const MAX_WAIT_MS = 500;

/**
 * Takes a slot of `agent`'s limit of `limit`, waiting (with backoff) while all are taken; resolves
 * with its release. A slot never outlives `ttlMs` from when it was taken, even while its holder is
 * alive: the holder renews it in short holds (the shorter of `ttlMs` and {@link LEASE_HEARTBEAT_MS},
 * renewed every third of that) whose expiry is capped at `ttlMs`, so a dead worker's slot frees
 * within one hold and a call that never releases frees it at `ttlMs`.
 *
 * Rejects with `signal.reason` when aborted while waiting for a slot.
 * @param deps.clock times the holds; every worker compares expiries in the database, so pass a wall clock.
 */
export async function leaseAgentSlot(
  deps: { store: LeaseStore; clock: Clock },
  agent: string,
  limit: number,
  ttlMs: number,
  signal: AbortSignal,
): Promise<() => void> {
  const { store, clock } = deps;
  const leaseId = randomUUID();
  if (!(ttlMs > 0)) throw new RangeError(`a lease's ttlMs must be > 0, got ${ttlMs}`);
  const holdMs = Math.min(ttlMs, LEASE_HEARTBEAT_MS);
  for (let wait = FIRST_WAIT_MS; ; wait = Math.min(wait * 2, MAX_WAIT_MS)) {
    const now = clock.now();
    const deadline = now + ttlMs;
    if (await store.acquireLease(agent, limit, leaseId, Math.min(now + holdMs, deadline), now)) {
      return renewUntil(store, clock, agent, leaseId, holdMs, deadline);
    }
    if (signal.aborted) throw signal.reason;
    await new Promise<void>((resolve) => clock.setTimeout(resolve, wait));
  }
}

/** Renews a held lease every third of `holdMs` until its expiry reaches `deadline`; returns its release. */
function renewUntil(store: LeaseStore, clock: Clock, agent: string, leaseId: string, holdMs: number, deadline: number): () => void {
  let timer: TimerHandle | undefined;
  let renewing: Promise<unknown> = Promise.resolve();
  const schedule = (): void => {
    timer = clock.setTimeout(renew, holdMs / 3);
  };
  const renew = (): void => {
    timer = undefined;
    const at = clock.now();
    const expiresAt = Math.min(at + holdMs, deadline);
    // Renewing our own lease always fits: acquireLease counts only the others'.
    renewing = store.acquireLease(agent, Number.MAX_SAFE_INTEGER, leaseId, expiresAt, at).catch(() => {});
    if (expiresAt < deadline) schedule();
  };
  schedule();
  return () => {
    if (timer) clock.clearTimeout(timer);
    timer = undefined;
    // After a renewal in flight, so the renewal cannot take the slot back once it is released.
    void renewing.then(() => store.releaseLease(agent, leaseId)).catch(() => {});
  };
}

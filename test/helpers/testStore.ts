import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStore } from '../../src/store/MemoryStore.js';
import type { Store } from '../../src/store/Store.js';
import { freshSchema, requireDatabaseUrl } from './postgres.js';

/**
 * Which store the lifecycle suites run on. `npm test` runs them on the embedded stores;
 * `npm run test:distributed` runs the same suites again with WARDEN_TEST_STORE=postgres, so the
 * Postgres store is held to the same behaviour (store parity).
 */
export const TEST_STORE = process.env.WARDEN_TEST_STORE === 'postgres' ? 'postgres' : 'embedded';

/** A store for one engine: a MemoryStore, or a Postgres store on a fresh schema. */
export async function engineStore(): Promise<{ store: Store | string; cleanup: () => Promise<void> }> {
  if (TEST_STORE !== 'postgres') return { store: new MemoryStore(), cleanup: async () => {} };
  const db = await freshSchema(requireDatabaseUrl());
  return { store: db.url, cleanup: () => db.drop() };
}

/**
 * A store URL that several engines can open one after another, as restarted processes do: a
 * SQLite file, or a Postgres schema.
 */
export async function durableStoreUrl(): Promise<{ url: string; cleanup: () => Promise<void> }> {
  if (TEST_STORE === 'postgres') {
    const db = await freshSchema(requireDatabaseUrl());
    return { url: db.url, cleanup: () => db.drop() };
  }
  const dir = await mkdtemp(join(tmpdir(), 'warden-durable-'));
  return { url: `sqlite:${join(dir, 'w.db')}`, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStore } from '../../src/store/MemoryStore.js';
import type { Store } from '../../src/store/Store.js';
import { freshSchema, requireDatabaseUrl } from './postgres.js';

/**
 * Which store the lifecycle suites run on, from WARDEN_TEST_STORE: `memory` (the default),
 * `sqlite` (a fresh file per engine, the default store of `warden serve`) or `postgres` (a
 * fresh schema). `npm test` runs the suites on memory and again on SQLite; `npm run test:parity`
 * runs them on Postgres, so every store is held to the same behaviour (store parity).
 *
 * Any other value is an error rather than a quiet fall back to memory, so a misspelt store can
 * never pass by testing the wrong one.
 */
export type TestStoreKind = 'memory' | 'sqlite' | 'postgres';

function testStoreKind(value: string | undefined): TestStoreKind {
  if (value === undefined || value === '') return 'memory';
  if (value === 'memory' || value === 'sqlite' || value === 'postgres') return value;
  throw new Error(`WARDEN_TEST_STORE must be memory, sqlite or postgres; got "${value}"`);
}

/** The store the lifecycle suites run on in this process. */
export const TEST_STORE: TestStoreKind = testStoreKind(process.env.WARDEN_TEST_STORE);

/** A store for one engine: a MemoryStore, a SQLite file of its own, or a Postgres store on a fresh schema. */
export async function engineStore(): Promise<{ store: Store | string; cleanup: () => Promise<void> }> {
  if (TEST_STORE === 'memory') return { store: new MemoryStore(), cleanup: async () => {} };
  return durableStoreUrl().then(({ url, cleanup }) => ({ store: url, cleanup }));
}

/**
 * A store URL that several engines can open one after another, as restarted processes do: a
 * Postgres schema on `postgres`, and a SQLite file otherwise (memory survives no restart).
 */
export async function durableStoreUrl(): Promise<{ url: string; cleanup: () => Promise<void> }> {
  if (TEST_STORE === 'postgres') {
    const db = await freshSchema(requireDatabaseUrl());
    return { url: db.url, cleanup: () => db.drop() };
  }
  const dir = await mkdtemp(join(tmpdir(), 'warden-store-'));
  return { url: `sqlite:${join(dir, 'w.db')}`, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

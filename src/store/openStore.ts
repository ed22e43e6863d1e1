import { isAbsolute, resolve } from 'node:path';
import { wardenError } from '../errors/index.js';
import { MemoryStore } from './MemoryStore.js';
import { PostgresStore, type PostgresStoreOptions } from './PostgresStore.js';
import { SqliteStore, type SqliteStoreOptions } from './SqliteStore.js';
import type { Store } from './Store.js';

/** Options for {@link openStore}. */
export interface OpenStoreOptions {
  /** What a relative `sqlite:PATH` is relative to: the config file's directory. */
  baseDir: string;
  /** Group-commit tuning for a `sqlite:` store. Defaults to the store's own defaults. */
  sqlite?: SqliteStoreOptions;
  /** Pool and schema options for a `postgres://` store. Defaults to the store's own defaults. */
  postgres?: PostgresStoreOptions;
}

const ACCEPTED = '"memory:", "sqlite:PATH" (or "sqlite::memory:") or "postgres://…"';

/**
 * Builds the store a URL names, without opening it: call `init()` next.
 * - `memory:`: in process memory, nothing survives a restart.
 * - `sqlite:PATH`: one SQLite file; a relative PATH is resolved against `baseDir`.
 *   `sqlite:///abs/path` is read as `/abs/path`; `sqlite::memory:` is an in-memory SQLite database.
 * - `postgres://…` and `postgresql://…`: a Postgres database shared by many workers. A
 *   `?schema=NAME` parameter picks the schema holding Warden's tables (default `warden`).
 *   A URL that does not parse is CONFIG_INVALID; an unreachable server fails at `init()`.
 *
 * @example
 * const store = openStore('sqlite:./warden.db', { baseDir: configDir });
 * await store.init();
 * @throws WardenError CONFIG_INVALID for a URL of no known form.
 */
export function openStore(url: string, opts: OpenStoreOptions): Store {
  if (url === 'memory:') return new MemoryStore();
  if (url.startsWith('sqlite:')) {
    let path = url.slice('sqlite:'.length);
    if (path.startsWith('//')) path = path.slice(2);
    if (path === '') throw wardenError('CONFIG_INVALID', `store URL "${url}" has no path; expected ${ACCEPTED}`);
    if (path !== ':memory:' && !isAbsolute(path)) path = resolve(opts.baseDir, path);
    return new SqliteStore(path, opts.sqlite);
  }
  if (/^postgres(?:ql)?:\/\//.test(url)) {
    return new PostgresStore(url, opts.postgres);
  }
  throw wardenError('CONFIG_INVALID', `unknown store URL "${url}"; expected ${ACCEPTED}`);
}

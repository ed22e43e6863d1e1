import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryStore } from './MemoryStore.js';
import { openStore } from './openStore.js';
import { PostgresStore } from './PostgresStore.js';
import { SqliteStore } from './SqliteStore.js';

const baseDir = resolve('/srv', 'warden');

describe('openStore', () => {
  it('opens a memory store for memory:', () => {
    expect(openStore('memory:', { baseDir })).toBeInstanceOf(MemoryStore);
  });

  it('resolves a relative sqlite path against baseDir and keeps an absolute one', () => {
    const rel = openStore('sqlite:./data/warden.db', { baseDir });
    expect(rel).toBeInstanceOf(SqliteStore);
    expect((rel as SqliteStore).url).toBe(`sqlite:${join(baseDir, 'data', 'warden.db')}`);
    expect((openStore('sqlite:warden.db', { baseDir }) as SqliteStore).url).toBe(`sqlite:${join(baseDir, 'warden.db')}`);
    const abs = resolve('/var', 'lib', 'warden.db');
    expect((openStore(`sqlite:${abs}`, { baseDir }) as SqliteStore).url).toBe(`sqlite:${abs}`);
    expect((openStore(`sqlite://${abs}`, { baseDir }) as SqliteStore).url).toBe(`sqlite:${abs}`);
  });

  it('opens an in-memory SQLite database for sqlite::memory:', async () => {
    const store = openStore('sqlite::memory:', { baseDir });
    expect((store as SqliteStore).url).toBe('sqlite::memory:');
    await store.init();
    expect(await store.listTasks()).toEqual([]);
    await store.close();
  });

  it('opens a postgres store for postgres:// and postgresql:// without connecting, reading ?schema=', async () => {
    const store = openStore('postgres://u:secret@db.example:5433/warden?schema=prod&sslmode=disable', { baseDir });
    expect(store).toBeInstanceOf(PostgresStore);
    const pgStore = store as PostgresStore;
    expect(pgStore.url).toBe('postgres://u:***@db.example:5433/warden?schema=prod');
    expect(pgStore.schema).toBe('prod');
    expect(pgStore.connectionString).toBe('postgres://u:secret@db.example:5433/warden?sslmode=disable');
    await pgStore.close();
    const other = openStore('postgresql://localhost/db', { baseDir, postgres: { schema: 'mine' } }) as PostgresStore;
    expect([other.kind, other.schema, other.url]).toEqual(['postgres', 'mine', 'postgresql://localhost/db?schema=mine']);
    await other.close();
  });

  it('refuses other URLs, naming the accepted forms', () => {
    for (const url of ['mysql://x', 'memory:x', 'sqlite:', '']) {
      expect(() => openStore(url, { baseDir })).toThrow(
        expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining('"sqlite:PATH"') }),
      );
    }
  });
});

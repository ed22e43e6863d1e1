import { afterEach, describe, expect, it } from 'vitest';
import { PostgresStore } from './PostgresStore.js';

// What needs no database. The store's behaviour against a real Postgres is tested in
// test/distributed/postgres-store.test.ts (`npm run test:distributed`, with DATABASE_URL).

describe('PostgresStore without a database', () => {
  const made: PostgresStore[] = [];
  afterEach(async () => {
    for (const s of made.splice(0)) await s.close();
  });
  const make = (...args: ConstructorParameters<typeof PostgresStore>) => {
    const store = new PostgresStore(...args);
    made.push(store);
    return store;
  };

  it('names itself without the password, and hands pg the URL without ?schema=', () => {
    const store = make('postgres://warden:p%40ss@db:5432/app?schema=team_a&application_name=x');
    expect(store.url).toBe('postgres://warden:***@db:5432/app?schema=team_a');
    expect(store.schema).toBe('team_a');
    expect(store.connectionString).toBe('postgres://warden:p%40ss@db:5432/app?application_name=x');
  });

  it('keeps a URL without ?schema= as given and uses the warden schema', () => {
    const store = make('postgresql://db/app');
    expect([store.url, store.schema, store.connectionString]).toEqual(['postgresql://db/app', 'warden', 'postgresql://db/app']);
  });

  it('lets the schema option win over the URL', () => {
    expect(make('postgres://db/app?schema=a', { schema: 'b' }).schema).toBe('b');
  });

  it('refuses bad schema names, pool sizes and URLs with CONFIG_INVALID, never echoing the password', () => {
    for (const schema of ['Upper', 'has-dash', '1st', 'x'.repeat(64), 'a"; drop']) {
      expect(() => make('postgres://db/app', { schema })).toThrow(
        expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining('schema') }),
      );
    }
    expect(() => make('postgres://db/app', { poolSize: 0 })).toThrow(/poolSize/);
    expect(() => make('postgres://db/app', { connectTimeoutMs: -1 })).toThrow(/connectTimeoutMs/);
    expect(() => make('mysql://db/app')).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    let err: unknown;
    try {
      make('postgres://u:topsecret@[bad/app');
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'CONFIG_INVALID' });
    expect((err as Error).message).not.toContain('topsecret');
  });

  it('refuses use before init and after close', async () => {
    const store = make('postgres://db/app');
    await expect(store.getTask('t1')).rejects.toMatchObject({ code: 'STORE_ERROR', message: expect.stringContaining('call init() first') });
    await store.close();
    await expect(store.init()).rejects.toMatchObject({ code: 'STORE_ERROR', message: expect.stringContaining('is closed') });
    await expect(store.writeEscalations({ records: [], outbox: [] })).rejects.toMatchObject({ code: 'STORE_ERROR' });
  });
});

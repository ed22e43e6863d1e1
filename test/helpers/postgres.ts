import { randomBytes } from 'node:crypto';
import pg from 'pg';

/*
 * A real Postgres for the distributed tests. They need DATABASE_URL and fail without it rather
 * than skip, so a CI run without a database cannot pass by testing nothing. Test code only.
 */

/** DATABASE_URL, or a loud error naming what is missing. */
export function requireDatabaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set: the distributed tests need a real Postgres (see .ci/run)');
  return url;
}

/** A schema of its own for one test, and its removal. */
export interface FreshSchema {
  /** The database URL with `?schema=NAME`, which PostgresStore reads (and strips before connecting). */
  url: string;
  /** `t_` and 16 random hex digits. */
  schema: string;
  /** Drops the schema, and pg-boss's `NAME_boss` beside it, with everything in them. */
  drop(): Promise<void>;
}

/** Creates an empty, uniquely named schema in the database at `url`. */
export async function freshSchema(url: string): Promise<FreshSchema> {
  const schema = `t_${randomBytes(8).toString('hex')}`;
  await run(url, `CREATE SCHEMA ${schema}`);
  const withSchema = new URL(url);
  withSchema.searchParams.set('schema', schema);
  return {
    url: withSchema.toString(),
    schema,
    drop: () => run(url, `DROP SCHEMA IF EXISTS ${schema} CASCADE; DROP SCHEMA IF EXISTS ${schema}_boss CASCADE`),
  };
}

async function run(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * Leases of the Postgres store: the slots of an agent's concurrency limit, shared by every worker.
 * @internal
 */
import type pg from 'pg';
import { wardenError } from '../errors/index.js';
import type { PostgresQueryRunner } from './PostgresQueryRunner.js';
import type { Statements } from './postgresStatements.js';

/**
 * Lease rows in the `leases` table: one per slot held, each with an expiry, so a slot held by a
 * worker that died comes back once its lease expires.
 * @internal
 */
export class PostgresLeases {
  readonly #db: PostgresQueryRunner;
  readonly #sql: Statements;

  constructor(db: PostgresQueryRunner, sql: Statements) {
    this.#db = db;
    this.#sql = sql;
  }

  /** See {@link PostgresStore.acquireLease}. */
  async acquire(agent: string, max: number, leaseId: string, expiresAt: number, now: number): Promise<boolean> {
    for (const [name, v] of Object.entries({ max, expiresAt, now })) {
      if (!Number.isFinite(v))
        throw wardenError('STORE_ERROR', `cannot acquire a lease of ${agent}: ${name} must be a finite number, got ${v}`);
    }
    this.#db.usable();
    const client = await this.#db.connect();
    let broken: Error | undefined;
    try {
      // One round trip, so the per-agent lock is held for microseconds rather than across
      // several trips over the network. Statements of a simple query each take a fresh
      // snapshot, so the count sees every lease committed by the lock's previous holder.
      const results = (await client.query(
        this.#sql.acquireLease(client.escapeLiteral(agent), client.escapeLiteral(leaseId), max, expiresAt, now),
      )) as unknown as pg.QueryResult[];
      return results[3]!.rowCount === 1;
    } catch (err) {
      await client.query('ROLLBACK').catch((rollbackErr: unknown) => {
        broken = rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr));
      });
      throw this.#db.storeError(err, `cannot acquire a lease of ${agent} in store ${this.#db.url}`);
    } finally {
      client.release(broken);
    }
  }

  /** See {@link PostgresStore.releaseLease}. */
  async release(agent: string, leaseId: string): Promise<void> {
    await this.#db.write(`release a lease of ${agent}`, [], false, (client) => client.query(this.#sql.deleteLease, [agent, leaseId]));
  }

  /** See {@link PostgresStore.countLeases}. */
  async count(agent: string, now: number): Promise<number> {
    return Number((await this.#db.read<{ n: string }>(`count the leases of ${agent}`, this.#sql.countLeases, [agent, now]))[0]!.n);
  }
}

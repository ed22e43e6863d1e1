/**
 * Runs the Postgres store's queries on its pool: reads, ordered write transactions, and errors
 * that name the store but never its password.
 * @internal
 */
import pg from 'pg';
import { isWardenError, wardenError } from '../errors/index.js';
import { WriteOrder } from './WriteOrder.js';

type Params = unknown[];

/**
 * The pool of one Postgres store, with the store's rules for using it: nothing runs before the
 * schema is migrated or after close; writes to the same keys apply in the order they were made
 * (see {@link WriteOrder}); a connection that may be broken is dropped rather than reused.
 * @internal
 */
export class PostgresQueryRunner {
  readonly #pool: pg.Pool;
  readonly #url: string;
  readonly #secret: string | undefined;
  readonly #beginStream: string;
  readonly #order = new WriteOrder();
  #open = false;
  #closed = false;

  /**
   * @param url the store as named in messages (no password)
   * @param secret the password, cut out of every message
   * @param beginStream the statements that open a transaction writing transitions and return its xid8
   */
  constructor(pool: pg.Pool, url: string, secret: string | undefined, beginStream: string) {
    this.#pool = pool;
    this.#url = url;
    this.#secret = secret;
    this.#beginStream = beginStream;
  }

  /** The store as named in messages. */
  get url(): string {
    return this.#url;
  }

  /** True once {@link close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** The schema is migrated: queries may run. */
  opened(): void {
    this.#open = true;
  }

  /** Refuses new queries, waits for the writes in flight, then ends the pool. Call once. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#order.settled();
    await this.#pool.end();
  }

  /** Throws STORE_ERROR unless the store is open and not closed. */
  usable(): void {
    if (this.#closed) throw wardenError('STORE_ERROR', `store ${this.#url} is closed`);
    if (!this.#open) throw wardenError('STORE_ERROR', `store ${this.#url} is not open; call init() first`);
  }

  /** A pooled connection; the caller releases it. */
  async connect(): Promise<pg.PoolClient> {
    try {
      return await this.#pool.connect();
    } catch (err) {
      throw wardenError('STORE_ERROR', `cannot connect to store ${this.#url}: ${this.#reason(err)}`, { cause: err });
    }
  }

  /**
   * Runs a query, first waiting for the writes made before it to the `after` keys (a task's,
   * an escalation's). Listings wait for nothing: under load some write is always in flight.
   */
  async read<R>(what: string, text: string, values: Params, after?: readonly string[]): Promise<R[]> {
    this.usable();
    if (after) await this.#order.settled(after);
    const client = await this.connect();
    let broken: Error | undefined;
    try {
      return (await client.query(text, values)).rows as R[];
    } catch (err) {
      // The server's refusal leaves the connection usable; anything else may have broken it.
      if (!(err instanceof pg.DatabaseError)) broken = err instanceof Error ? err : new Error(String(err));
      throw this.storeError(err, `cannot ${what} in store ${this.#url}`);
    } finally {
      client.release(broken);
    }
  }

  /**
   * Queues a write behind earlier writes to the same `keys` and runs it in one transaction.
   * `stream` marks the transaction as one writing transitions and passes `run` its xid8.
   */
  write<T>(what: string, keys: readonly string[], stream: boolean, run: (client: pg.PoolClient, xid: bigint) => Promise<T>): Promise<T> {
    try {
      this.usable();
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#order.run(keys, () => this.#transaction(what, stream, run));
  }

  /** `err` as it leaves the store: a WardenError as is, anything else as STORE_ERROR after `context`. */
  storeError(err: unknown, context: string): unknown {
    if (isWardenError(err)) return err;
    return wardenError('STORE_ERROR', `${context}: ${this.#reason(err)}`, { cause: err });
  }

  async #transaction<T>(what: string, stream: boolean, run: (client: pg.PoolClient, xid: bigint) => Promise<T>): Promise<T> {
    const client = await this.connect();
    let broken: Error | undefined;
    try {
      let xid = 0n;
      if (stream) {
        // The marker lock before the xid, so a reader never sees this transaction's xid unmarked.
        const results = (await client.query(this.#beginStream)) as unknown as pg.QueryResult<{ xid: string }>[];
        xid = BigInt(results[2]!.rows[0]!.xid);
      } else await client.query('BEGIN');
      const out = await run(client, xid);
      await client.query('COMMIT');
      return out;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackErr) {
        broken = rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr));
      }
      throw this.storeError(err, `cannot ${what} in store ${this.#url}`);
    } finally {
      client.release(broken);
    }
  }

  #reason(err: unknown): string {
    let reason = messageOf(err);
    // Some drivers quote the connection string back; the password never reaches a message.
    if (this.#secret) reason = reason.split(this.#secret).join('***');
    return reason;
  }
}

function messageOf(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length) return err.errors.map(messageOf).join('; ');
  if (err instanceof Error) return err.message || String((err as { code?: unknown }).code ?? err.name);
  return String(err);
}

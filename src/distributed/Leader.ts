import pg from 'pg';
import type { Logger } from '../lifecycle/logger.js';

/**
 * One leader among many processes, chosen with a Postgres session advisory lock. The lock is
 * held by a dedicated connection, so a leader that dies (or loses its connection) releases it
 * at once, and another process takes it on its next try, within `retryMs`.
 */
export class Leader {
  #client: pg.Client | undefined;
  #timer: NodeJS.Timeout | undefined;
  #leading = false;
  #stopped = false;

  constructor(
    private readonly url: string,
    private readonly key: string,
    private readonly logger: Logger,
    private readonly onChange: (leading: boolean) => void | Promise<void>,
    private readonly retryMs = 1_000,
  ) {}

  get leading(): boolean {
    return this.#leading;
  }

  start(): void {
    void this.#try();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#lose();
  }

  async #try(): Promise<void> {
    if (this.#stopped || this.#leading) return;
    try {
      if (!this.#client) {
        const client = new pg.Client({ connectionString: this.url });
        client.on('error', () => void this.#lose());
        client.on('end', () => void this.#lose());
        await client.connect();
        this.#client = client;
      }
      const { rows } = await this.#client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [this.key]);
      if (rows[0]?.ok && !this.#stopped) {
        this.#leading = true;
        this.logger.info({ key: this.key }, 'this process is now the leader (supervisor and escalation sender)');
        await this.onChange(true);
        return;
      }
    } catch (err) {
      this.logger.warn({ err: String(err) }, 'leader election: cannot reach Postgres; will retry');
      await this.#lose();
    }
    if (!this.#stopped) {
      this.#timer = setTimeout(() => void this.#try(), this.retryMs);
      this.#timer.unref();
    }
  }

  async #lose(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    const was = this.#leading;
    this.#leading = false;
    if (client) await client.end().catch(() => {});
    if (was) {
      this.logger.warn({ key: this.key }, 'leadership lost');
      await this.onChange(false);
      if (!this.#stopped) {
        this.#timer = setTimeout(() => void this.#try(), this.retryMs);
        this.#timer.unref();
      }
    }
  }
}

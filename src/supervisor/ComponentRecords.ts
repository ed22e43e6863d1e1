/**
 * The supervisor's memory across restarts: each component's recent transitions and whether its
 * incident is open, kept in the store's breaker table under a key no agent id can take.
 * @module
 */
import type { Component, ComponentRecord } from './Component.js';
import type { SupervisorStore } from './SupervisorHost.js';

/** The key under which a component's history is kept in the store's breaker table. */
const RECORD_PREFIX = '__supervisor__:';
/** Transitions persisted per component. */
const PERSISTED = 50;

/**
 * Saves and restores component records. Writes go one at a time, in the order asked, so the
 * last state written is the last state reached.
 * @internal
 */
export class ComponentRecords {
  readonly #store: Pick<SupervisorStore, 'saveBreaker' | 'loadBreakers'>;
  readonly #report: (err: unknown) => void;
  #writes: Promise<unknown> = Promise.resolve();

  /** `report` hears every failed read or write; none of them stops the supervisor. */
  constructor(store: Pick<SupervisorStore, 'saveBreaker' | 'loadBreakers'>, report: (err: unknown) => void) {
    this.#store = store;
    this.#report = report;
  }

  /** Queues a write of the component's record as of `at` (clock ms). */
  save(c: Component, at: number): void {
    const record = c.record(PERSISTED);
    this.#writes = this.#writes.then(() => this.#store.saveBreaker(RECORD_PREFIX + c.name, record, at)).catch((err) => this.#report(err));
  }

  /** Gives each component the record an earlier run left for it. */
  async restore(components: ReadonlyMap<string, Component>): Promise<void> {
    let rows: Awaited<ReturnType<SupervisorStore['loadBreakers']>>;
    try {
      rows = await this.#store.loadBreakers();
    } catch (err) {
      return this.#report(err);
    }
    for (const row of rows) {
      if (!row.agent.startsWith(RECORD_PREFIX)) continue;
      const c = components.get(row.agent.slice(RECORD_PREFIX.length));
      const rec = row.snapshot as ComponentRecord | undefined;
      if (c && rec && Array.isArray(rec.transitions)) c.restore(rec);
    }
  }

  /** Resolves once every write queued so far has ended, written or reported. */
  async flushed(): Promise<void> {
    await this.#writes.catch(() => {});
  }
}

/**
 * A fixed-size list that forgets its oldest entries: the supervisor's per-component memory of
 * transitions and check results.
 * @internal
 */
export class RingBuffer<T> {
  readonly #items: T[] = [];
  readonly capacity: number;

  constructor(capacity: number) {
    if (!(capacity >= 1)) throw new RangeError(`ring buffer capacity must be ≥ 1, got ${capacity}`);
    this.capacity = Math.floor(capacity);
  }

  push(item: T): void {
    this.#items.push(item);
    if (this.#items.length > this.capacity) this.#items.splice(0, this.#items.length - this.capacity);
  }

  /** The newest entry. */
  last(): T | undefined {
    return this.#items.at(-1);
  }

  /** The entries, oldest first; the `limit` newest when given. */
  toArray(limit?: number): T[] {
    if (limit === undefined) return [...this.#items];
    return limit > 0 ? this.#items.slice(-limit) : [];
  }

  get size(): number {
    return this.#items.length;
  }
}

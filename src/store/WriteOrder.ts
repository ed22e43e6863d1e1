/**
 * Orders writes by key: a write starts once the earlier writes sharing a key with it have
 * settled, and {@link settled} waits for every write made so far.
 * @internal
 */
export class WriteOrder {
  #tails = new Map<string, Promise<void>>();
  #inFlight = new Set<Promise<void>>();

  run<T>(keys: readonly string[], fn: () => Promise<T>): Promise<T> {
    const before = [...new Set(keys)].flatMap((k) => this.#tails.get(k) ?? []);
    const result = before.length ? Promise.all(before).then(fn) : fn();
    const tail = result.then(noop, noop);
    for (const k of keys) this.#tails.set(k, tail);
    this.#inFlight.add(tail);
    void tail.then(() => {
      this.#inFlight.delete(tail);
      for (const k of keys) if (this.#tails.get(k) === tail) this.#tails.delete(k);
    });
    return result;
  }

  /** Waits for the writes made so far to `keys`, or to anything when no keys are given. */
  async settled(keys?: readonly string[]): Promise<void> {
    const waits = keys ? keys.flatMap((k) => this.#tails.get(k) ?? []) : [...this.#inFlight];
    if (waits.length) await Promise.all(waits);
  }
}

const noop = (): void => {};

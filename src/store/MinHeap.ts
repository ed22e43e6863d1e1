/**
 * A binary min-heap keyed by a number. Written here rather than taken from a library because
 * it is 40 lines and sits on the timer hot path of the in-memory store, where a dependency's
 * generality (comparators, decrease-key) would cost more than it gives.
 * @internal
 */
export class MinHeap<T> {
  #items: { key: number; value: T }[] = [];

  get size(): number {
    return this.#items.length;
  }

  push(key: number, value: T): void {
    const items = this.#items;
    items.push({ key, value });
    let i = items.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (items[p]!.key <= items[i]!.key) break;
      [items[p], items[i]] = [items[i]!, items[p]!];
      i = p;
    }
  }

  peek(): { key: number; value: T } | undefined {
    return this.#items[0];
  }

  pop(): { key: number; value: T } | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && items[l]!.key < items[m]!.key) m = l;
        if (r < items.length && items[r]!.key < items[m]!.key) m = r;
        if (m === i) break;
        [items[m], items[i]] = [items[i]!, items[m]!];
        i = m;
      }
    }
    return top;
  }
}

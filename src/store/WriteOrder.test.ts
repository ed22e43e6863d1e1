import { describe, expect, it } from 'vitest';
import { WriteOrder } from './WriteOrder.js';

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

describe('WriteOrder', () => {
  it('starts a write once the earlier writes sharing a key have settled, failed ones included', async () => {
    const order = new WriteOrder();
    const log: string[] = [];
    const gate = deferred();
    const first = order.run(['a'], async () => {
      await gate.promise;
      log.push('first');
      throw new Error('boom');
    });
    const second = order.run(['a', 'b'], async () => void log.push('second'));
    const third = order.run(['b'], async () => void log.push('third'));
    const other = order.run(['c'], async () => void log.push('other'));
    await other;
    expect(log).toEqual(['other']);
    gate.resolve();
    await expect(first).rejects.toThrow('boom');
    await Promise.all([second, third]);
    expect(log).toEqual(['other', 'first', 'second', 'third']);
  });

  it('waits for the writes to some keys, or to all', async () => {
    const order = new WriteOrder();
    const gate = deferred();
    const log: string[] = [];
    void order.run(['a'], async () => {
      await gate.promise;
      log.push('a');
    });
    await order.settled(['b']);
    expect(log).toEqual([]);
    const all = order.settled().then(() => log.push('all'));
    gate.resolve();
    await all;
    expect(log).toEqual(['a', 'all']);
  });
});

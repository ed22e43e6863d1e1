import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../clock/index.js';
import { STORE_PROBE_TIMEOUT_MS, StoreProbe } from './StoreProbe.js';

describe('StoreProbe', () => {
  it('passes when the store answers a read, whatever it finds', async () => {
    const probe = new StoreProbe({ kind: 'sqlite', getTask: async () => undefined }, new SimulatedClock(0));
    expect(await probe.check()).toEqual({ ok: true, detail: expect.stringMatching(/^sqlite store answered in \d+ ms$/) });
  });

  it("fails with the store's own words when the read throws", async () => {
    const probe = new StoreProbe(
      {
        kind: 'postgres',
        getTask: async () => {
          throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
        },
      },
      new SimulatedClock(0),
    );
    expect(await probe.check()).toEqual({ ok: false, detail: 'postgres store did not answer: connect ECONNREFUSED 127.0.0.1:5432' });
  });

  it('fails once the store has not answered within its timeout on the clock', async () => {
    const clock = new SimulatedClock(0);
    const probe = new StoreProbe({ kind: 'postgres', getTask: () => new Promise(() => {}) }, clock);
    const verdict = probe.check();
    clock.advance(STORE_PROBE_TIMEOUT_MS);
    expect(await verdict).toEqual({ ok: false, detail: `postgres store did not answer: no answer within ${STORE_PROBE_TIMEOUT_MS} ms` });
  });

  it('shares one read between probes that overlap, and reads again for the next', async () => {
    let reads = 0;
    const probe = new StoreProbe(
      {
        kind: 'memory',
        getTask: async () => {
          reads++;
          return undefined;
        },
      },
      new SimulatedClock(0),
    );
    await Promise.all([probe.check(), probe.check(), probe.check()]);
    expect(reads).toBe(1);
    await probe.check();
    expect(reads).toBe(2);
  });
});

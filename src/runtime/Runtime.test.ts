import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../clock/index.js';
import { createEngine } from '../lifecycle/createEngine.js';
import { silentLogger } from '../lifecycle/logger.js';
import { MemoryStore } from '../store/MemoryStore.js';
import type { SupervisorStopOptions } from '../supervisor/Supervisor.js';

const T0 = Date.parse('2026-03-01T00:00:00.000Z');
const config = { agents: { solo: { adapter: { type: 'simulated' }, healthCheck: { type: 'passive' } } } };

/** An engine with one supervised agent whose calls answer only when `answer()` is called. */
async function engineWithHeldCall() {
  let answer!: () => void;
  const answered = new Promise<void>((r) => (answer = r));
  let called!: () => void;
  const calling = new Promise<void>((r) => (called = r));
  const engine = await createEngine({
    config,
    workflows: [{ name: 'held', agent: 'solo' }],
    store: new MemoryStore(),
    clock: new SimulatedClock(T0),
    logger: silentLogger,
    adapterFor: () => ({
      call: async () => {
        called();
        await answered;
        return { ok: true };
      },
    }),
  });
  return { engine, answer, calling };
}

describe('the runtime', () => {
  it('stops the supervisor first, with the stop’s drain timeout, then lets the engine drain what it holds', async () => {
    const { engine, answer, calling } = await engineWithHeldCall();
    const supervisor = engine.supervisor!;
    const seen: { opts: SupervisorStopOptions; liveTasks: number; accepting: boolean }[] = [];
    const stopSupervisor = supervisor.stop.bind(supervisor);
    supervisor.stop = async (opts = {}) => {
      seen.push({ opts, liveTasks: engine.liveActorCount, accepting: engine.accepting });
      // The held call answers only now: the engine's drain, which comes next, commits it.
      answer();
      return stopSupervisor(opts);
    };
    const { id } = await engine.submit('held', {});
    await calling;

    await engine.stop({ drainTimeoutMs: 5_000 });

    expect(seen).toEqual([{ opts: { drainTimeoutMs: 5_000 }, liveTasks: 1, accepting: false }]);
    expect((await engine.get(id))?.status).toBe('completed');
    // A stopped supervisor is still the one the engine shows: its last views stay readable.
    expect(engine.supervisor).toBe(supervisor);
  });

  it('runs no supervisor when asked not to, and the engine shows none', async () => {
    const engine = await createEngine({ config, store: new MemoryStore(), logger: silentLogger, supervisor: false });
    expect(engine.supervisor).toBeUndefined();
    await engine.stop({ drainTimeoutMs: 0 });
  });
});
